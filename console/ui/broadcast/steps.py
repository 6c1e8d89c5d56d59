"""The tab's five steps, as one value for the presenters that read across them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.ui.broadcast.message import MessagePanel
    from console.ui.broadcast.sending import SendingBox
    from console.ui.broadcast.timing import TimingPanel
    from console.ui.broadcast_list import ListPicker
    from console.ui.broadcast_runs import RunsPanel

__all__ = ["Steps"]


@dataclass(frozen=True)
class Steps:
    recipients: ListPicker  # 1. the list and its columns
    message: MessagePanel  # 2. the SMS or the call
    timing: TimingPanel  # 3. when and how fast
    sending: SendingBox  # 4. the check, the test and Start
    runs: RunsPanel  # 5. the runs and their report
