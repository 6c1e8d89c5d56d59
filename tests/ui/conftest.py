"""Fixtures shared by the UI tests."""
from __future__ import annotations

import pytest

from tests.jobs.broadcast_helpers import NOON_NEW_YORK, FixedClock
from tests.ui.broadcast_harness import Harness


@pytest.fixture
def harness(qtbot, console_env, tmp_path):
    """The Broadcast tab alone, at noon in New York, answering every confirmation with yes."""
    from tests.console_env import ConfirmRecorder

    h = Harness(qtbot, console_env, FixedClock(NOON_NEW_YORK), ConfirmRecorder(True), tmp_path)
    yield h
    h.close(qtbot)
