"""History's CSV export, for both journals: the entries a list shows, newest first."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from console.domain.csv_safe import safe_writer
from console.store.files import atomic_write
from console.store.journal_entry import JournalEntry

_EXPORT_CHUNK = 2000


def export_csv(query: Callable[..., list[JournalEntry]], path: Path | str, *,
               kind: str | None = None, outcome: str | None = None,
               profile_id: str | None = None, since: datetime | None = None,
               until: datetime | None = None,
               text: str | None = None, group_id: str | None = None) -> int:
    """Write the matching entries, newest first, as CSV; returns how many.

    The stored request is left out (it is for re-sending, not reporting).
    Written to a temporary file first, so a failed export never leaves a
    half file under the chosen name.
    """
    path = Path(path)
    written = 0
    # utf-8-sig: spreadsheet programs then read accents and emoji correctly.
    with atomic_write(path, "w", make_folders=False, encoding="utf-8-sig",
                      newline="") as handle:
        # Every cell is formula-safe (console/domain/csv_safe.py), replies from Voitex included.
        writer = safe_writer(handle)
        writer.writerow(["id", "time", "kind", "profile", "recipient", "content",
                         "outcome", "result id", "messages"])
        before_id = None
        while True:
            # Chunks, so a long export does not hold the lock against
            # the UI recording a new send.
            chunk = query(kind=kind, outcome=outcome, profile_id=profile_id,
                          since=since, until=until, text=text, group_id=group_id,
                          before_id=before_id, limit=_EXPORT_CHUNK)
            for entry in chunk:
                writer.writerow([
                    entry.id,
                    entry.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    entry.kind,
                    entry.profile_name,
                    entry.recipient,
                    entry.content,
                    entry.outcome,
                    entry.result_id or "",
                    "\n".join(entry.messages),
                ])
            written += len(chunk)
            if len(chunk) < _EXPORT_CHUNK:
                break
            before_id = chunk[-1].id
    return written
