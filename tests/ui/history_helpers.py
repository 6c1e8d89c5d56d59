"""Waiting for the History model's reads, which answer on the window's thread later."""
from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEventLoop


def settle(model, timeout: float = 10.0) -> None:
    """Let Qt deliver the model's answers until none is still to come (a condition, not a sleep)."""
    deadline = time.monotonic() + timeout
    while model.busy:
        if time.monotonic() > deadline:
            raise AssertionError("the model's reads did not answer in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def fetch_all(model, timeout: float = 30.0) -> None:
    """Every page, as a view scrolled to the end would fetch them."""
    deadline = time.monotonic() + timeout
    settle(model)
    while model.canFetchMore():
        model.fetchMore()
        settle(model, max(0.1, deadline - time.monotonic()))
