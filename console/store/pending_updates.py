"""Journal updates that could not be written yet, kept beside the history file.

When a request's outcome cannot be written to History (the file is locked by
another program, the disk is full), the update is kept here, in
``history-pending-updates.jsonl`` (one JSON object per line, replaced
atomically and fsync'd), until it lands. The next start replays it before
turning leftover pending entries into "unknown", so an SMS that was delivered
is never shown as of unknown outcome just because History was busy.
"""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from console.domain.vocabulary import Outcome
from console.store.files import atomic_write

FILE_NAME = "history-pending-updates.jsonl"


@dataclass(frozen=True)
class PendingUpdate:
    entry_id: int
    outcome: Outcome
    result_id: str | None = None
    messages: tuple[str, ...] = field(default=())
    at: str = ""  # when the outcome became known, ISO 8601 UTC

    def to_json(self) -> str:
        data = asdict(self)
        data["messages"] = list(self.messages)
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> PendingUpdate:
        data = json.loads(line)
        messages = data.get("messages") or []
        if not isinstance(messages, list):
            raise ValueError("messages is not a list")
        result_id = data.get("result_id")
        return cls(entry_id=int(data["entry_id"]), outcome=Outcome(str(data["outcome"])),
                   result_id=None if result_id is None else str(result_id),
                   messages=tuple(str(m) for m in messages), at=str(data.get("at") or ""))


def sidecar_path(journal_path: Path | str) -> Path:
    return Path(journal_path).with_name(FILE_NAME)


class PendingUpdates:
    """The sidecar file; safe to use from several threads of one process."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self) -> list[PendingUpdate]:
        """What the file holds; lines that do not parse are skipped (a torn last line)."""
        with self._lock:
            return self._read()

    def add(self, update: PendingUpdate) -> None:
        with self._lock:
            updates = [u for u in self._read() if u.entry_id != update.entry_id]
            self._write([*updates, update])

    def remove(self, entry_ids: Iterable[int]) -> None:
        ids = set(entry_ids)
        with self._lock:
            updates = self._read()
            kept = [u for u in updates if u.entry_id not in ids]
            if len(kept) != len(updates):
                self._write(kept)

    def _read(self) -> list[PendingUpdate]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError):
            return []
        updates: dict[int, PendingUpdate] = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                update = PendingUpdate.from_json(line)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            updates[update.entry_id] = update
        return list(updates.values())

    def _write(self, updates: list[PendingUpdate]) -> None:
        if not updates:
            self.path.unlink(missing_ok=True)
            return
        with atomic_write(self.path, "w", encoding="utf-8") as handle:
            for update in updates:
                handle.write(update.to_json() + "\n")


def replay(path: Path | str, apply: Callable[[PendingUpdate], object],
           stop: type[Exception]) -> int:
    """Write the outcomes kept in the sidecar file at `path` with `apply` (idempotent),
    in order, until one raises `stop` (the store is locked, full or away: what is
    left stays kept, to be tried again later); returns how many landed."""
    sidecar = PendingUpdates(path)
    landed = []
    for update in sidecar.load():
        try:
            apply(update)
        except stop:
            break
        landed.append(update.entry_id)
    if landed:
        with contextlib.suppress(OSError):  # replaying again is harmless: apply is idempotent
            sidecar.remove(landed)
    return len(landed)
