"""The run's figures: bytes sent lately, the rate, the time left, the totals shown.

`RunMeter` keeps the samples and the last shown time left (smoothed by
`rules.smooth_eta`); `figures` adds up the rows into a `QueueProgress`. No Qt.
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable

from console.jobs.uploads import rules
from console.jobs.uploads.items import QueueItem, QueueProgress
from console.jobs.uploads.status import Status

_RATE_WINDOW_S = 15.0


class RunMeter:
    def __init__(self) -> None:
        self._samples: deque[tuple[float, int]] = deque()
        self._transferred = 0
        self._eta: float | None = None
        self._eta_at = 0.0

    def reset(self) -> None:
        """A new run: no rate, no time left yet."""
        self._samples.clear()
        self._eta = None

    def sent(self, count: int) -> None:
        """`count` more bytes have left."""
        if count > 0:
            self._transferred += count

    def sample(self) -> None:
        """Note the bytes sent so far, now (on every progress tick)."""
        now = time.monotonic()
        samples = self._samples
        samples.append((now, self._transferred))
        while len(samples) > 2 and now - samples[0][0] > _RATE_WINDOW_S:
            samples.popleft()

    def rate(self) -> float | None:
        samples = self._samples
        if len(samples) < 2:
            return None
        (t0, b0), (t1, b1) = samples[0], samples[-1]
        if t1 - t0 < 1.0 or b1 <= b0:
            return None
        return (b1 - b0) / (t1 - t0)

    def figures(self, items: Iterable[QueueItem], *, busy: bool) -> QueueProgress:
        """The totals of `items`; a time left only while `busy` (a run on or uploads under way)."""
        files_total = files_done = files_failed = files_uploading = 0
        bytes_total = bytes_done = 0
        remaining = 0
        for item in items:
            status = item.status
            if not status.holds_number:
                continue
            files_total += 1
            bytes_total += item.size
            if status == Status.DONE or status == Status.SENT:
                files_done += status == Status.DONE
                files_uploading += status == Status.SENT
                bytes_done += item.size
            elif status == Status.UPLOADING:
                files_uploading += 1
                sent = min(item.sent, item.size)
                bytes_done += sent
                remaining += item.size - sent
            elif status == Status.FAILED:
                files_failed += 1
            elif status == Status.QUEUED and not item.problem:
                remaining += item.size
        rate = self.rate()
        eta = None
        if busy:
            raw = remaining / rate if rate else None
            now = time.monotonic()
            eta = rules.smooth_eta(self._eta, raw, now - self._eta_at)
            self._eta, self._eta_at = eta, now
        else:
            self._eta = None
        return QueueProgress(files_total, files_done, files_failed, files_uploading,
                             bytes_total, bytes_done, eta, rate)
