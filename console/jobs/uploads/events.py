"""What the queue's parts need from whoever hosts them: events to tell, timers, a way back.

The parts (`rows.py`, `runner.py`, `persistence.py`) import no Qt. They tell
what happened through `QueueEvents` (the Qt adapter, `queue.py`, emits a signal
for each), start and stop `Timer`s (a `QTimer` is one), and hand work back to
their owner's thread with `Later`. A test builds them with plain callables.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


def _ignore(*_args: object) -> None:
    return None


@dataclass
class QueueEvents:
    """One callable per event; an event nobody listens to does nothing."""

    # Row changes, for a table model (first, last are inclusive row numbers).
    rows_about_to_be_inserted: Callable[[int, int], None] = _ignore
    rows_inserted: Callable[[], None] = _ignore
    rows_about_to_be_removed: Callable[[int, int], None] = _ignore
    rows_removed: Callable[[], None] = _ignore
    items_changed: Callable[[int, int], None] = _ignore
    # Only the upload percentage of these rows changed.
    progress_rows_changed: Callable[[int, int], None] = _ignore
    progress_changed: Callable[[], None] = _ignore
    # Running, pausing, paused, idle, inspecting or problems changed.
    state_changed: Callable[[], None] = _ignore
    # Numbering, the next sort number or the concurrency changed (and is to be saved).
    settings_changed: Callable[[], None] = _ignore
    message: Callable[[str, str], None] = _ignore  # level (a MessageLevel), text
    upload_finished: Callable[[int, str], None] = _ignore  # item id, recording id
    # A History update did not land. Called on the I/O thread: the host hands it on.
    journal_failed: Callable[[str], None] = _ignore


class Timer(Protocol):
    """A repeating or single-shot timer whose timeout the host connects (a QTimer)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def isActive(self) -> bool: ...  # QTimer's name


# Run a callable on the owner's thread after some milliseconds; safe from any thread.
Later = Callable[[int, Callable[[], None]], None]
