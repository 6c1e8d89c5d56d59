"""What a successful Voitex call returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RecordingResult", "CallResult", "SmsResult"]


@dataclass(frozen=True)
class RecordingResult:
    """A recording stored by an upload or created by TTS.

    Attributes:
        recording_id: the backend recording id Voitex assigned (the reply's
            ``data``), trimmed, e.g. ``"918357"``.
        raw: the parsed reply body as received.
    """

    recording_id: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class CallResult:
    """A notification call Voitex accepted.

    Attributes:
        reference_id: the reply's ``reference_id``, trimmed.
        raw: the parsed reply body as received.
    """

    reference_id: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class SmsResult:
    """An SMS Voitex accepted.

    The API echoes the message in ``data``, documented as a string that looks
    like JSON but is not (see ``voitex-api-notes.md``); the client reads what it
    can and never fails a send that the API reported as a success.

    Attributes:
        reference_id: the reference id from the echo (the second ``"from "``
            key of the documented form, or a ``reference_id`` key), or None
            when the echo holds none.
        did_type: ``"TN"`` (telephone number) or ``"TF"`` (toll-free) as the
            echo says, or None.
        data: the echo as a dict with trimmed keys and values when it could be
            read as an object (the first of duplicate keys wins, and a
            reference id found under a second ``from`` is added as
            ``reference_id``); otherwise the echo's text, trimmed.
        raw: the parsed reply body as received.
    """

    reference_id: str | None
    did_type: str | None
    data: dict[str, Any] | str
    raw: dict[str, Any] = field(repr=False)
