"""The words the layers share: what a History entry is, how a send ended, a
broadcast row's and run's state, and how loud a message is.

They are `StrEnum`s: each member equals the plain string stored in the history
file and shown to code that still compares strings, so stored data, signals
carrying `str` and the UI keep working while comparisons get checked names.
"""
from __future__ import annotations

import enum


class EntryKind(enum.StrEnum):
    """What a History entry records."""

    SMS = "sms"
    CALL = "call"
    TTS = "tts"
    UPLOAD = "upload"


class Outcome(enum.StrEnum):
    """How a send ended, as History records it."""

    PENDING = "pending"  # written before the request left; no answer yet
    DONE = "done"
    FAILED = "failed"  # provably not acted on
    UNKNOWN = "unknown"  # may have happened: the user decides before sending again

    @property
    def is_final(self) -> bool:
        return self is not Outcome.PENDING


class RowState(enum.StrEnum):
    """A broadcast row's state."""

    QUEUED = "queued"  # waits its turn
    WAITING = "waiting"  # held by quiet hours until not_before
    SENDING = "sending"  # committed just before the request left
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"  # quiet hours, with "skip" chosen
    CANCELLED = "cancelled"  # never sent

    @property
    def is_open(self) -> bool:
        """Still to be sent by the run."""
        return self in (RowState.QUEUED, RowState.WAITING)


class RunState(enum.StrEnum):
    """A broadcast run's state."""

    SCHEDULED = "scheduled"  # waits for its start time
    RUNNING = "running"
    PAUSED = "paused"
    INTERRUPTED = "interrupted"  # the console stopped while it ran; offered for resuming
    CANCELLED = "cancelled"
    FINISHED = "finished"


class MessageLevel(enum.StrEnum):
    """How a message to the user reads: a notice, a warning, or an error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
