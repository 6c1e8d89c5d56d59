"""Where a queued file is, and what the user may still do with it."""
from __future__ import annotations

import enum


class Status(enum.StrEnum):
    INSPECTING = "inspecting"
    REJECTED = "rejected"
    QUEUED = "queued"
    UPLOADING = "uploading"
    # Every byte has left: only Voitex's reply is missing, so Cancel can no
    # longer undo it (the library will have the file if the request arrived).
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # It was on the wire when the console stopped: the library may have it.
    # Never sent again by itself; the user chooses Upload again or Mark as done.
    UNSURE = "unsure"

    @property
    def can_cancel(self) -> bool:
        return self in _CANCELLABLE

    @property
    def can_retry(self) -> bool:
        return self in _RETRYABLE

    @property
    def can_remove(self) -> bool:
        return self not in _ON_THE_WIRE

    @property
    def can_edit(self) -> bool:
        return self in _EDITABLE

    @property
    def on_the_wire(self) -> bool:
        return self in _ON_THE_WIRE

    @property
    def holds_number(self) -> bool:
        """Will be, is being, or may have been uploaded: its album and sort are taken."""
        return self in _NUMBERED

    @property
    def finished(self) -> bool:
        """Cleared by "Clear finished"."""
        return self in _FINISHED


_CANCELLABLE = frozenset({Status.INSPECTING, Status.QUEUED, Status.UPLOADING, Status.FAILED})
_RETRYABLE = frozenset({Status.FAILED, Status.CANCELLED, Status.UNSURE})
_ON_THE_WIRE = frozenset({Status.UPLOADING, Status.SENT})
_EDITABLE = frozenset({Status.INSPECTING, Status.QUEUED, Status.FAILED, Status.CANCELLED})
_NUMBERED = frozenset({Status.QUEUED, Status.UPLOADING, Status.SENT, Status.FAILED, Status.DONE,
                       Status.UNSURE})
_FINISHED = frozenset({Status.DONE, Status.CANCELLED, Status.REJECTED})
