"""What History shows of an entry: its filter, labels and the texts of its cells."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from console.domain.phone import format_phone
from console.store.journal import JournalEntry

KIND_LABELS = {"sms": "SMS", "call": "Call", "tts": "TTS", "upload": "Upload"}
OUTCOME_LABELS = {"pending": "Pending", "done": "Done", "failed": "Failed", "unknown": "Unknown"}
_CONTENT_CHARS = 120


@dataclass(frozen=True)
class HistoryFilter:
    kind: str | None = None
    outcome: str | None = None
    profile_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    group_id: str | None = None  # one broadcast run's entries

    def kwargs(self) -> dict[str, Any]:
        return asdict(self)


def local_time(entry: JournalEntry) -> str:
    return entry.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_recipient(recipient: str) -> str:
    # Only bare digit strings are numbers; "album 1 / sort 5" stays as written.
    return format_phone(recipient) if recipient.isdigit() else recipient


def display_texts(entry: JournalEntry) -> tuple[str, ...]:
    content = " ".join(entry.content.split())
    if len(content) > _CONTENT_CHARS:
        content = content[: _CONTENT_CHARS - 1] + "…"
    result = "; ".join(filter(None, [entry.result_id, *entry.messages]))
    return (
        local_time(entry),
        KIND_LABELS.get(entry.kind, entry.kind),
        entry.profile_name,
        format_recipient(entry.recipient),
        content,
        OUTCOME_LABELS.get(entry.outcome, entry.outcome),
        result,
    )
