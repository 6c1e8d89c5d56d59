"""What the two halves of `UploadQueue` (`runner.py`, `persistence.py`) share, for the type checker.

The queue is one QObject split over mixins; each half uses the rows, signals
and methods the others define. `QueueHost` declares them (annotations and stubs
only, nothing at run time) so each half is checked against the real types.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QTimer, Signal

    from console.api import VoitexClient
    from console.jobs.inspector import Inspector
    from console.jobs.uploads.items import QueueItem
    from console.jobs.uploads.journal_link import JournalLink
    from console.jobs.uploads.runner import _Active
    from console.jobs.uploads.status import Status
    from console.store.upload_store import UploadStore

    # A QObject for the checker (signals are descriptors that need one); a plain
    # mixin at run time, where UploadQueue brings QObject itself.
    _Base = QObject
else:
    _Base = object


class QueueHost(_Base):
    if TYPE_CHECKING:
        progress_rows_changed: ClassVar[Signal]
        progress_changed: ClassVar[Signal]
        state_changed: ClassVar[Signal]
        message: ClassVar[Signal]
        upload_finished: ClassVar[Signal]
        _journal_failed: ClassVar[Signal]

        _run_client: VoitexClient | None
        _run_profile: tuple[str, str]
        _concurrency: int
        _ids: int
        _numbering: str
        _next_sort: int
        load_warning: str | None
        load_notice: str | None
        _items: list[QueueItem]
        _rows: dict[int, int]
        _by_id: dict[int, QueueItem]
        _by_file_id: dict[int, QueueItem]
        _awaiting: deque[QueueItem]
        _running: bool
        _paused: bool
        _closing: bool
        _active: dict[int, _Active]
        _run_counts: dict[Status, int]  # uploads of this run that ended so
        _rate_samples: deque[tuple[float, int]]
        _transferred: int
        _progress_ids: set[int]
        _eta: float | None
        _eta_at: float
        _io: ThreadPoolExecutor
        _store: UploadStore
        _journal: JournalLink
        _dirty: set[int]
        _dirty_deleted: set[int]
        _dirty_settings: dict[str, Any]
        _write_failed: bool
        _flush_timer: QTimer
        _progress_timer: QTimer
        inspector: Inspector

        def blocking_problems(self) -> list[QueueItem]: ...
        def _recheck_problems(self) -> list[int]: ...
        def _row_changed(self, item: QueueItem) -> None: ...
        def _tell_paused(self) -> None: ...
        def _mark_dirty(self, items: Iterable[QueueItem]) -> None: ...
        def _write_now(self, items: Sequence[QueueItem], *, durable: bool = False) -> Future[None]: ...
