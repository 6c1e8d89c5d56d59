"""Reading dropped files off the UI thread.

A drop of a folder with a thousand files must not freeze the window: listing
folders and reading every file's header happen on worker threads, and the
results come back to the UI thread in batches on a timer, so the UI thread does
a bounded amount of work per tick however many files are read.

Two kinds of result come back, in this order for any one file:
- `files_found(token, [(file_id, Path), ...])`: files listed from one submission,
  in drop order (folders expanded recursively, names in natural order);
- `files_inspected([(file_id, AudioInfo, sha256 or None), ...])`: inspection
  results, in whatever order the workers finish. The SHA-256 of the content
  (of usable audio only) lets the queue flag the same recording dropped twice.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain.audio import AudioInfo, inspect_audio

log = logging.getLogger(__name__)

# Operating-system clutter that every copied folder carries; listing it as
# "rejected" rows would bury the real problems. Hidden files are skipped too,
# and the count of skipped files is reported (files_skipped), never hidden.
_CLUTTER = {"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"}

_NUMBER_RUN = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key so "2 Hours.wav" comes before "10 Closed.wav", as file managers show."""
    parts = _NUMBER_RUN.split(name.casefold())
    return tuple((0, int(p), p) if p.isdigit() else (1, 0, p) for p in parts)


def is_clutter(name: str) -> bool:
    return name.startswith(".") or name.casefold() in _CLUTTER


def list_files(paths: Iterable[Path]) -> tuple[list[Path], int]:
    """Expand folders recursively, keeping the given order.

    Returns the files and how many hidden or system files inside folders were
    left out. Paths given directly are always kept, even if missing, so that the
    user sees a row saying why they cannot be uploaded.
    """
    found: list[Path] = []
    skipped = 0
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            found.append(path)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted((d for d in dirs if not is_clutter(d)), key=natural_key)
            for name in sorted(files, key=natural_key):
                if is_clutter(name):
                    skipped += 1
                else:
                    found.append(Path(root) / name)
    return found, skipped


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content (hashlib releases the GIL on each block)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Found:
    token: int
    chunk: list[tuple[int, Path]]  # (file id, path)


@dataclass(frozen=True)
class _Listed:
    token: int
    skipped: int  # hidden or system files left out


@dataclass(frozen=True)
class _Inspected:
    file_id: int
    info: AudioInfo
    digest: str | None


class Inspector(QObject):
    """Lists and inspects files on worker threads; reports in batches."""

    files_found = Signal(int, list)  # token, [(file_id, Path)]
    files_inspected = Signal(list)  # [(file_id, AudioInfo, sha256 | None)]
    files_skipped = Signal(int, int)  # token, how many hidden/system files were left out
    busy_changed = Signal(bool)

    # Per tick, at most this many results reach the UI thread; the rest wait
    # for the next tick (each one costs a model update and a repaint).
    BATCH_LIMIT = 200
    TICK_MS = 100
    _LIST_CHUNK = 250

    def __init__(self, *, workers: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # One reader by default: reading a header is mostly waiting on the disk, and
        # more Python-busy threads only compete with the UI thread for the GIL.
        workers = workers or 1
        self._lister = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voitex-list")
        self._readers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voitex-inspect")
        # deque.append and popleft are atomic: the workers append, the UI thread pops.
        self._results: deque[_Found | _Listed | _Inspected] = deque()
        self._tokens = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._outstanding = 0  # files found but not yet delivered, plus pending listings
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return self._outstanding > 0 or bool(self._results)

    def submit(self, paths: Iterable[Path]) -> int:
        """Queue paths (files or folders) for listing and inspection; returns a token."""
        if self._closed:
            raise RuntimeError("the inspector has been shut down")
        token = next(self._tokens)
        paths = [Path(p) for p in paths]
        self._outstanding += 1
        self._lister.submit(self._list, token, paths)
        self._start()
        return token

    def reinspect(self, items: Iterable[tuple[int, Path]]) -> None:
        """Inspect files again under ids the caller already holds."""
        if self._closed:
            return
        for file_id, path in items:
            self._outstanding += 1
            self._readers.submit(self._inspect_one, file_id, Path(path))
        self._start()

    def new_file_id(self) -> int:
        return next(self._file_ids)

    def shutdown(self) -> None:
        """Stop the workers; results not yet delivered are dropped."""
        self._closed = True
        self._timer.stop()
        self._lister.shutdown(wait=True, cancel_futures=True)
        self._readers.shutdown(wait=True, cancel_futures=True)
        self._results.clear()
        self._outstanding = 0

    # -- worker threads ----------------------------------------------------------
    def _list(self, token: int, paths: list[Path]) -> None:
        try:
            files, skipped = list_files(paths)
        except Exception:  # a listing bug must not leave the queue waiting forever
            log.exception("listing dropped files failed")
            files, skipped = [p for p in paths], 0
        for start in range(0, len(files), self._LIST_CHUNK):
            chunk = [(next(self._file_ids), p) for p in files[start:start + self._LIST_CHUNK]]
            self._results.append(_Found(token, chunk))
            for file_id, path in chunk:
                try:
                    self._readers.submit(self._inspect_one, file_id, path)
                except RuntimeError:  # shut down meanwhile
                    return
        self._results.append(_Listed(token, skipped))

    def _inspect_one(self, file_id: int, path: Path) -> None:
        try:
            info = inspect_audio(path)
        except Exception as err:  # inspect_audio answers for bad files; this is a bug
            log.exception("inspecting %s failed", path)
            info = AudioInfo(ok=False, reason=f"The file could not be inspected: {err}")
        digest = None
        if info.ok:
            try:
                digest = file_sha256(path)
            except OSError:  # gone or unreadable since: the upload will say so
                digest = None
        self._results.append(_Inspected(file_id, info, digest))

    # -- UI thread -----------------------------------------------------------------
    def _start(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
            self.busy_changed.emit(True)

    def _deliver(self) -> None:
        inspected: list[tuple[int, AudioInfo, str | None]] = []
        budget = self.BATCH_LIMIT
        while budget > 0 and self._results:
            result = self._results.popleft()
            if isinstance(result, _Inspected):
                inspected.append((result.file_id, result.info, result.digest))
                self._outstanding -= 1
                budget -= 1
                continue
            # Found rows must reach the queue before any inspection of them.
            if inspected:
                self.files_inspected.emit(inspected)
                inspected = []
            if isinstance(result, _Found):
                self._outstanding += len(result.chunk)
                self.files_found.emit(result.token, result.chunk)
                # A listed row costs the UI thread half what an inspected one does
                # (a new row, its rules, the table's layout): two chunks a tick at most.
                budget -= len(result.chunk) // 2 + 1
            else:
                self._outstanding -= 1
                if result.skipped:
                    self.files_skipped.emit(result.token, result.skipped)
        if inspected:
            self.files_inspected.emit(inspected)
        if not self.busy:
            self._timer.stop()
            self.busy_changed.emit(False)
