"""How rows get their sort numbers: in drop order once read, or from their file names.

`Numbering` owns the mode, the next sort number, which album and mode each
dropped batch was given, and the rows waiting for a number in drop order. The
row list (`rows.py`) asks it; it never emits anything itself. No Qt.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

from console.domain.validation import SORT_MAX, SORT_MIN, parse_album, parse_sort
from console.jobs.uploads import rules
from console.jobs.uploads.items import QueueItem

NUMBER_BY_ORDER = "order"
NUMBER_BY_NAME = "filename"


class Numbering:
    def __init__(self) -> None:
        self.mode = NUMBER_BY_ORDER
        self.next_sort = 1
        self._awaiting: deque[QueueItem] = deque()  # rows to number in drop order once read
        self._token_album: dict[int, int] = {}
        self._token_mode: dict[int, str] = {}

    def set(self, mode: str, *, next_sort: int | None = None) -> bool:
        """Change the mode (and the next number); True when anything changed."""
        if mode not in (NUMBER_BY_ORDER, NUMBER_BY_NAME):
            raise ValueError(f"unknown numbering {mode!r}")
        changed = mode != self.mode
        self.mode = mode
        if next_sort is not None:
            sort = parse_sort(next_sort, field="Start at")
            assert sort is not None  # parse_sort returns None only when optional
            changed = changed or sort != self.next_sort
            self.next_sort = sort
        return changed

    def restore(self, mode: object, next_sort: object) -> None:
        """Settings read back from the store, where they are valid."""
        if isinstance(mode, str) and mode in (NUMBER_BY_ORDER, NUMBER_BY_NAME):
            self.mode = mode
        if isinstance(next_sort, int) and SORT_MIN <= next_sort <= SORT_MAX:
            self.next_sort = next_sort

    def expect(self, token: int, *, album: int) -> None:
        """Files of reader submission `token` go to `album`, numbered as set now."""
        self._token_album[token] = parse_album(album)
        self._token_mode[token] = self.mode

    def album_of(self, token: int) -> int:
        return self._token_album.get(token, 1)

    def number_found(self, item: QueueItem, token: int, *, repeat: bool) -> None:
        """A file just listed: its number from its name, or a place in the drop order
        (a repeat of a row already queued gets no number of its own)."""
        if self._token_mode.get(token, NUMBER_BY_ORDER) == NUMBER_BY_NAME:
            number = rules.number_from_name(item.path.name)
            item.sort, item.name_problem = number.sort, number.problem
        elif not repeat:
            self.wait(item)

    def wait(self, item: QueueItem) -> None:
        """`item` gets the next number once read (in drop order)."""
        item.awaiting_number = True
        self._awaiting.append(item)

    def waiting_again(self, item: QueueItem) -> None:
        """A stored row that was waiting for its number."""
        if item.awaiting_number:
            self._awaiting.append(item)

    def take(self) -> int:
        sort = min(self.next_sort, SORT_MAX)
        self.next_sort = min(self.next_sort + 1, SORT_MAX)
        return sort

    def assign_waiting(self, present: Callable[[int], bool],
                       repeats: Callable[[], dict[int, tuple[int, bool]]]) -> list[QueueItem]:
        """Number read rows in drop order, skipping rejected ones and repeats,
        stopping at the first row still being read so the order never depends on
        timing; returns the rows numbered. `present` says a row is still queued;
        `repeats` is `rules.duplicate_of` over the rows as they are now."""
        numbered: list[QueueItem] = []
        found: dict[int, tuple[int, bool]] | None = None
        while self._awaiting:
            item = self._awaiting[0]
            if not present(item.id) or not item.awaiting_number:
                self._awaiting.popleft()
                continue
            if item.info is None:
                break
            self._awaiting.popleft()
            item.awaiting_number = False
            if found is None:
                found = repeats()
            if item.info.ok and item.id not in found:
                item.sort = self.take()
                numbered.append(item)
        return numbered

    def number_again(self, item: QueueItem, *, repeat: bool) -> None:
        """Renumber: `item` numbered with the current mode."""
        item.name_problem = None
        if self.mode == NUMBER_BY_NAME:
            number = rules.number_from_name(item.name)
            item.sort, item.name_problem = number.sort, number.problem
            item.awaiting_number = False
        elif repeat:
            item.sort = None
            item.awaiting_number = False
        elif item.info is None:
            if not item.awaiting_number:
                self.wait(item)
        else:
            item.awaiting_number = False
            item.sort = self.take()
