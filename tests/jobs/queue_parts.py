"""What the upload queue's parts need from a host, for testing each part alone (no Qt).

`Told` records the events a part tells; `HandTimer` is a timer the test fires;
`Later` keeps what a part hands back to its owner's thread until the test runs it.
"""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable

from console.jobs.uploads.events import QueueEvents
from console.jobs.uploads.items import QueueItem


class Told:
    """Every event, in order, as (name, *arguments)."""

    def __init__(self) -> None:
        self.log: list[tuple[object, ...]] = []

    def events(self, **also: Callable[..., None]) -> QueueEvents:
        """Events that are recorded; `also` are called as well, by name."""
        def recorder(name: str) -> Callable[..., None]:
            def record(*args: object) -> None:
                self.log.append((name, *args))
                if name in also:
                    also[name](*args)
            return record

        return QueueEvents(**{f.name: recorder(f.name) for f in dataclasses.fields(QueueEvents)})

    def names(self) -> list[object]:
        return [entry[0] for entry in self.log]

    def messages(self) -> list[str]:
        return [str(entry[2]) for entry in self.log if entry[0] == "message"]


class HandTimer:
    """The parts' Timer (a QTimer in the application), fired by the test."""

    def __init__(self, timeout: Callable[[], None] | None = None, *, single_shot: bool = True) -> None:
        self.timeout = timeout
        self.single_shot = single_shot
        self.active = False
        self.starts = 0

    def start(self) -> None:
        self.active = True
        self.starts += 1

    def stop(self) -> None:
        self.active = False

    def isActive(self) -> bool:  # the Timer protocol's name, after QTimer
        return self.active

    def fire(self) -> None:
        assert self.active, "the timer was not started"
        if self.single_shot:
            self.active = False
        assert self.timeout is not None
        self.timeout()


class Later:
    """Keeps (milliseconds, callable) handed back from any thread; `run_due` runs them."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, Callable[[], None]]] = []
        self.arrived = threading.Event()

    def __call__(self, ms: int, fn: Callable[[], None]) -> None:
        self.calls.append((ms, fn))
        self.arrived.set()

    def run_due(self) -> list[int]:
        """Run what was handed back so far; returns their delays."""
        calls, self.calls = self.calls, []
        self.arrived.clear()
        for _ms, fn in calls:
            fn()
        return [ms for ms, _fn in calls]


class Writes:
    """Rows marked for saving, for the row list alone (the persistence part's side)."""

    def __init__(self) -> None:
        self.dirty: set[int] = set()
        self.deleted: set[int] = set()

    def mark_dirty(self, items: Iterable[QueueItem]) -> None:
        self.dirty.update(i.id for i in items)

    def mark_deleted(self, item_ids: Iterable[int]) -> None:
        ids = set(item_ids)
        self.dirty -= ids
        self.deleted |= ids
