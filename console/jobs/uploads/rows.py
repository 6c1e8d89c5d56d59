"""The queue's row list: its rows in table order, their numbering, edits and problems.

No Qt and no run: `QueueRows` owns the rows (and their `Numbering`), applies
the pure rules of `rules.py`, tells what changed through `QueueEvents`, and
hands changed rows to a `RowWrites` (the persistence part) to be saved. Which
rows upload, and when, is the runner's business (`runner.py`).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from console.domain.audio import AudioInfo
from console.domain.validation import parse_album, parse_sort
from console.jobs.uploads import rules
from console.jobs.uploads.events import QueueEvents
from console.jobs.uploads.items import QueueItem, file_stamp, utc_now
from console.jobs.uploads.numbering import NUMBER_BY_NAME, NUMBER_BY_ORDER, Numbering
from console.jobs.uploads.rules import RowFacts
from console.jobs.uploads.status import Status

__all__ = ["NUMBER_BY_NAME", "NUMBER_BY_ORDER", "QueueRows", "RowWrites"]


class RowWrites(Protocol):
    """Where changed rows go to be saved (`QueuePersistence`)."""

    def mark_dirty(self, items: Iterable[QueueItem]) -> None: ...
    def mark_deleted(self, item_ids: Iterable[int]) -> None: ...


class QueueRows:
    """The rows, an index by id, and the numbering (drop order or file names)."""

    def __init__(self, *, events: QueueEvents, writes: RowWrites) -> None:
        self._events = events
        self._writes = writes
        self._items: list[QueueItem] = []
        self._rows: dict[int, int] = {}  # item id -> row
        self._by_id: dict[int, QueueItem] = {}
        self._by_file_id: dict[int, QueueItem] = {}  # rows being read, by the reader's id
        self._ids = 0
        self._numbering = Numbering()

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[QueueItem]:
        return iter(self._items)

    def item_at(self, row: int) -> QueueItem:
        return self._items[row]

    def item(self, item_id: int) -> QueueItem:
        return self._by_id[item_id]

    def get(self, item_id: int) -> QueueItem | None:
        return self._by_id.get(item_id)

    def row_of(self, item_id: int) -> int:
        return self._rows[item_id]

    def row_if_present(self, item_id: int) -> int | None:
        return self._rows.get(item_id)

    def items(self) -> list[QueueItem]:
        return list(self._items)

    @property
    def numbering(self) -> str:
        return self._numbering.mode

    @property
    def next_sort(self) -> int:
        return self._numbering.next_sort

    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for item in self._items:
            counts[item.status] += 1
        return counts

    def any_with(self, *statuses: Status) -> bool:
        return any(i.status in statuses for i in self._items)

    def blocking_problems(self) -> list[QueueItem]:
        """Queued rows that must be fixed before an upload can start."""
        return [i for i in self._items if i.status == Status.QUEUED and i.problem]

    # ------------------------------------------------------------------ settings
    def set_numbering(self, mode: str, *, next_sort: int | None = None) -> None:
        if self._numbering.set(mode, next_sort=next_sort):
            self._events.settings_changed()

    def restore_settings(self, numbering: object, next_sort: object) -> None:
        """Settings read back from the store, where they are valid."""
        self._numbering.restore(numbering, next_sort)

    # ------------------------------------------------------------------ adding
    def expect(self, token: int, *, album: int) -> None:
        """Files of reader submission `token` go to `album`, numbered as set now."""
        self._numbering.expect(token, album=album)

    def adopt(self, items: Iterable[QueueItem], *, max_id: int = 0) -> None:
        """Rows read back from the store, in table order (before any row is added)."""
        self._ids = max(self._ids, max_id)
        for item in items:
            self._ids = max(self._ids, item.id)
            self._rows[item.id] = len(self._items)
            self._by_id[item.id] = item
            self._items.append(item)
            if item.status == Status.INSPECTING:
                self._numbering.waiting_again(item)
        self.recheck_problems()

    def skip_id(self, item_id: int) -> None:
        """A stored row that could not be read: its id is never given to a new row."""
        self._ids = max(self._ids, item_id)

    def unread(self) -> list[QueueItem]:
        """Rows to be read (again) that no reader has yet."""
        return [i for i in self._items if i.status == Status.INSPECTING and i.file_id is None]

    def reading(self, item: QueueItem, file_id: int) -> None:
        """The reader reads `item` under `file_id`."""
        item.file_id = file_id
        self._by_file_id[file_id] = item

    def on_files_found(self, token: int, found: Sequence[tuple[int, Path]]) -> None:
        album = self._numbering.album_of(token)
        # A repeat of a row already queued gets no sort number of its own.
        taken = {i.path_key for i in self._items
                 if i.status.holds_number or i.status == Status.INSPECTING}
        new: list[QueueItem] = []
        for file_id, path in found:
            self._ids += 1
            item = QueueItem(id=self._ids, path=path, status=Status.INSPECTING, album=album,
                             sort=None, display_name=rules.display_name(path.stem), file_id=file_id)
            self._numbering.number_found(item, token, repeat=item.path_key in taken)
            taken.add(item.path_key)
            new.append(item)
            self._by_file_id[file_id] = item
        self._insert(new)
        self._writes.mark_dirty(new)

    def on_files_inspected(self, results: Sequence[tuple[int, AudioInfo, str | None]]) -> bool:
        """Apply what the reader found; True when a row became ready to upload."""
        changed_rows: list[int] = []
        changed: list[QueueItem] = []
        became_ready = False
        for file_id, info, digest in results:
            item = self._by_file_id.pop(file_id, None)
            if item is None or item.id not in self._by_id:
                continue  # removed while it was being read
            item.file_id = None
            item.info = info
            item.sha256 = digest
            item.stamp = file_stamp(item.path) if info.ok else None
            if item.status == Status.INSPECTING:
                if info.ok:
                    item.status = Status.QUEUED
                    became_ready = True
                else:
                    item.status = Status.REJECTED
                    item.reason = info.reason
                    item.awaiting_number = False
            changed_rows.append(self._rows[item.id])
            changed.append(item)
        # One list of facts serves both rules (numbering only changes sort numbers,
        # patched in below): a batch costs one pass over the queue, not two.
        facts = [i.facts() for i in self._items]
        numbered = self._assign_waiting_numbers(facts)
        for row in numbered:
            facts[row] = self._items[row].facts()
        changed_rows += numbered
        changed_rows += self.recheck_problems(facts)
        if changed_rows:
            self.emit_changed(min(changed_rows), max(changed_rows))
        self._writes.mark_dirty(changed)
        self._events.progress_changed()
        self._events.state_changed()
        return became_ready

    def _assign_waiting_numbers(self, facts: list[RowFacts]) -> list[int]:
        """Number the read rows waiting in drop order; returns their rows.
        `facts` are the rows' facts as they are now."""
        numbered = self._numbering.assign_waiting(lambda item_id: item_id in self._by_id,
                                                  lambda: rules.duplicate_of(facts))
        if numbered:
            self._writes.mark_dirty(numbered)
            self._events.settings_changed()
        return [self._rows[i.id] for i in numbered]

    # ------------------------------------------------------------------ editing
    def set_album(self, item_id: int, value: int | str) -> None:
        item = self._editable(item_id)
        item.album = parse_album(value)
        self._edited(item)

    def set_sort(self, item_id: int, value: int | str) -> None:
        item = self._editable(item_id)
        item.sort = parse_sort(value)
        item.awaiting_number = False
        self._edited(item)

    def set_display_name(self, item_id: int, value: str) -> None:
        item = self._editable(item_id)
        item.display_name = value.strip()
        self._edited(item)

    def _editable(self, item_id: int) -> QueueItem:
        item = self._by_id[item_id]
        if not item.status.can_edit:
            raise ValueError(f"{item.name} is {item.status}; it can no longer be changed.")
        return item

    def _edited(self, item: QueueItem) -> None:
        self.settle([item], [self._rows[item.id]], progress=False)

    def renumber(self, item_ids: Sequence[int] | None = None, *, album: int | None = None) -> int:
        """Number rows again with the current numbering (and album, if given).

        Applies to the given rows, or to every row not yet uploaded, in table
        order; returns how many rows were numbered. Repeats get no number.
        """
        if album is not None:
            album = parse_album(album)
        wanted = set(item_ids) if item_ids is not None else None
        targets = [i for i in self._items
                   if i.status.can_edit and (wanted is None or i.id in wanted)]
        repeats = rules.duplicate_of([i.facts() for i in self._items])
        for item in targets:
            if album is not None:
                item.album = album
            self._numbering.number_again(item, repeat=item.id in repeats)
        if targets:
            self.recheck_problems()
            self.emit_changed(0, len(self._items) - 1)
            self._writes.mark_dirty(targets)
            self._events.settings_changed()
            self._events.state_changed()
        return len(targets)

    def recheck_problems(self, facts: list[RowFacts] | None = None) -> list[int]:
        """Apply the problem rules; returns the rows whose problem changed.
        `facts`, when given, are the rows' facts as they are now."""
        problems = rules.find_problems(facts if facts is not None
                                       else [i.facts() for i in self._items])
        changed = []
        for row, item in enumerate(self._items):
            problem = problems.get(item.id)
            if problem != item.problem:
                item.problem = problem
                changed.append(row)
        return changed

    def settle(self, changed: Sequence[QueueItem], rows: list[int], *, progress: bool = True) -> None:
        """After a change of `changed` (at `rows`): problems again, events, save."""
        rows = rows + self.recheck_problems()
        if rows:
            self.emit_changed(min(rows), max(rows))
        self._writes.mark_dirty(changed)
        if progress:
            self._events.progress_changed()
        self._events.state_changed()

    # ------------------------------------------------------------------ the user's row commands
    def cancel_waiting(self, item: QueueItem) -> None:
        """A row not on the wire will not be uploaded (the caller settles it)."""
        item.status = Status.CANCELLED
        item.reason = "Cancelled before it was uploaded."
        item.awaiting_number = False

    def requeue(self, item_ids: Iterable[int]) -> list[QueueItem]:
        """Failed, cancelled or "may already be in the library" rows, queued again
        (or to be read again, see `unread`); returns them, settled."""
        changed = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is not None and item.status.can_retry:
                item.reason = None
                item.sent = 0
                item.entry_id = None
                item.cancel_refused = False
                if item.info is None:
                    item.status = Status.INSPECTING
                elif not item.info.ok:
                    item.status = Status.REJECTED
                    item.reason = item.info.reason
                else:
                    item.status = Status.QUEUED
                changed.append(item)
        if changed:
            self.settle(changed, [self._rows[i.id] for i in changed])
        return changed

    def mark_done(self, item_ids: Iterable[int]) -> int:
        """The user checked the library: these "may already be there" rows are done."""
        changed = []
        for item_id in item_ids:
            item = self._by_id.get(item_id)
            if item is not None and item.status == Status.UNSURE:
                item.status = Status.DONE
                item.reason = "Marked as done by you (the library had it)."
                item.finished_at = utc_now()
                changed.append(item)
        if changed:
            self.settle(changed, [self._rows[i.id] for i in changed])
        return len(changed)

    # ------------------------------------------------------------------ rows
    def _insert(self, new: list[QueueItem]) -> None:
        if not new:
            return
        first = len(self._items)
        self._events.rows_about_to_be_inserted(first, first + len(new) - 1)
        for item in new:
            self._rows[item.id] = len(self._items)
            self._by_id[item.id] = item
            self._items.append(item)
        self._events.rows_inserted()
        self._events.progress_changed()
        self._events.state_changed()

    def remove(self, item_ids: Iterable[int]) -> int:
        """Remove rows that are not on the wire; returns how many were removed."""
        rows = sorted((self._rows[i] for i in set(item_ids)
                       if i in self._by_id and self._by_id[i].status.can_remove), reverse=True)
        if not rows:
            return 0
        runs: list[tuple[int, int]] = []
        for row in rows:
            if runs and runs[-1][0] == row + 1:
                runs[-1] = (row, runs[-1][1])
            else:
                runs.append((row, row))
        for first, last in runs:
            self._events.rows_about_to_be_removed(first, last)
            gone = self._items[first:last + 1]
            for item in gone:
                del self._by_id[item.id]
                if item.file_id is not None:
                    self._by_file_id.pop(item.file_id, None)
            self._writes.mark_deleted(item.id for item in gone)
            del self._items[first:last + 1]
            self._reindex(first)
            self._events.rows_removed()
        self.recheck_problems()
        if self._items:
            self.emit_changed(0, len(self._items) - 1)
        self._events.progress_changed()
        self._events.state_changed()
        return len(rows)

    def clear_finished(self) -> int:
        """Remove done, cancelled and rejected rows."""
        return self.remove([i.id for i in self._items if i.status.finished])

    def _reindex(self, start: int) -> None:
        for row in range(start, len(self._items)):
            self._rows[self._items[row].id] = row

    def emit_changed(self, first: int, last: int) -> None:
        if self._items:
            self._events.items_changed(max(0, first), min(last, len(self._items) - 1))

    def row_changed(self, item: QueueItem) -> None:
        row = self._rows.get(item.id)
        if row is not None:
            self.emit_changed(row, row)

