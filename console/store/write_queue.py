"""Changes made in the window, written to the office database by a thread of their own.

The window never waits for the database: a change the user makes (a number
added to the do-not-contact list, a template saved, a run paused) is shown at
once and queued here, in order. The queue's thread writes each change; while
the database is away it keeps it and tries again with growing pauses, so work
goes on, without a restart, once the database is back. A change the database
refuses (not a matter of reaching it) is dropped and `on_refused` says so.

Changes to the office's lists and settings (``keep``) are also kept in a file
beside the desk's other office state (``office-pending-writes.jsonl``) until
written, and queued again at the next start: an opt-out typed in while the
network was down is not lost with the console. A run's pause or resume is
not kept: replayed a day later it would undo what others did since.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from console.store.broadcast_dnc import DncRecord

log = logging.getLogger(__name__)

__all__ = ["Change", "WriteQueue", "is_away"]

RETRY_DELAYS_S = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


@dataclass(frozen=True)
class Change:
    """One store method call: its name and arguments (plain data, so it can be kept in a file)."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    keep: bool = False  # kept in the file until written (the lists and settings)


def is_away(err: BaseException) -> bool:
    """True when `err` means the database could not be reached or was busy (worth a retry)."""
    from console.store.pg.engine import DatabaseBusy, DatabaseUnreachable

    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, DatabaseUnreachable | DatabaseBusy):
            return True
        seen = seen.__cause__
    return False


def _encode(value: Any) -> Any:
    if isinstance(value, DncRecord):
        return {"$dnc": asdict(value)}
    if isinstance(value, datetime):
        return {"$at": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$dnc"}:
            return DncRecord(**value["$dnc"])
        if set(value) == {"$at"}:
            return datetime.fromisoformat(value["$at"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


class WriteQueue:
    def __init__(self, target: Any, *, path: Path | None = None,
                 on_refused: Callable[[Change, str], None] = lambda change, why: None,
                 on_written: Callable[[Change], None] = lambda change: None,
                 delays: tuple[float, ...] = RETRY_DELAYS_S) -> None:
        self.target = target
        self.path = path
        self._on_refused = on_refused
        self._on_written = on_written
        self._delays = delays
        self._queue: queue.Queue[Change | None] = queue.Queue()
        self._pending: list[Change] = []  # queued or being written, oldest first
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._closed = threading.Event()
        self._file_lock = threading.Lock()
        self.away = False
        for change in self._load():
            self._put(change)
        self._thread = threading.Thread(target=self._work, name="voitex-office-writes", daemon=True)
        self._thread.start()

    def pending(self) -> list[Change]:
        with self._lock:
            return list(self._pending)

    def put(self, change: Change) -> None:
        if self._closed.is_set():
            raise RuntimeError("the write queue is closed")
        self._put(change)

    def _put(self, change: Change) -> None:
        with self._lock:
            self._pending.append(change)
        self._queue.put(change)
        if change.keep and self.path is not None:
            # On a thread of its own: the window does not wait for the disk either.
            threading.Thread(target=self._save, name="voitex-office-keep", daemon=True).start()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued change is written (never on the window's thread)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout)

    def close(self, timeout: float = 2.0) -> None:
        """Stop; changes not written yet go to the file, for the next start."""
        self._closed.set()
        self._queue.put(None)
        self._thread.join(timeout)
        self._save()

    # -- the thread ----------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            change = self._queue.get()
            if change is None:
                return
            if not self._write(change):
                return  # closed while the database was away: kept for the next start
            with self._idle:
                if self._pending and self._pending[0] is change:
                    self._pending.pop(0)
                self._idle.notify_all()
            if change.keep:
                self._save()

    def _write(self, change: Change) -> bool:
        attempt = 0
        while True:
            try:
                getattr(self.target, change.method)(*change.args, **change.kwargs)
            except Exception as err:
                if is_away(err):
                    self.away = True
                    if attempt == 0:
                        log.info("office database away; %s waits: %s", change.method, err)
                    if self._closed.wait(self._delays[min(attempt, len(self._delays) - 1)]):
                        return False
                    attempt += 1
                    continue
                log.info("office database refused %s: %s", change.method, err)
                self._on_refused(change, str(err))
                return True
            self.away = False
            self._on_written(change)
            return True

    # -- the file --------------------------------------------------------------------------
    def _load(self) -> list[Change]:
        if self.path is None or not self.path.exists():
            return []
        changes: list[Change] = []
        with contextlib.suppress(OSError):
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    raw = json.loads(line)
                    changes.append(Change(str(raw["method"]), tuple(_decode(raw["args"])),
                                          dict(_decode(raw["kwargs"])), keep=True))
                except (ValueError, KeyError, TypeError):
                    log.warning("a kept office change could not be read and is skipped: %r", line[:80])
        return changes

    def _save(self) -> None:
        if self.path is None:
            return
        with self._file_lock:
            self._save_now(self.path, [c for c in self.pending() if c.keep])

    def _save_now(self, path: Path, left: list[Change]) -> None:
        try:
            if not left:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".tmp")
            with open(temporary, "w", encoding="utf-8") as handle:
                for change in left:
                    handle.write(json.dumps({"method": change.method,
                                             "args": _encode(list(change.args)),
                                             "kwargs": _encode(change.kwargs)}) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError as err:
            log.error("office changes not written could not be kept in %s: %s", path, err)
