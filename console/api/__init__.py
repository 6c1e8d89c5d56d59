"""Asynchronous client for the Voitex API (no Qt; httpx lives only in this package).

::

    from console.api import VoitexClient, ApiError

    async with VoitexClient(base_url="https://api.voitex.com", auth_key=key) as client:
        rec = await client.upload_recording(path, album_number=1, sort_number=5,
                                            display_name="Welcome", on_progress=cb)
        tts = await client.create_tts(text="Hello", album_number=1, sort_number=15)
        call = await client.notification_call(cid="8459511000", to="8455009999",
                                              type="stream", sfile_id="918357")
        sms = await client.send_sms(from_number="8459511000", to="8451234567",
                                    body="Your order is ready")
"""
from typing import TYPE_CHECKING

from .errors import *  # noqa: F403 (the error classes; their list is errors.__all__)
from .errors import __all__ as _errors
from .results import CallResult, RecordingResult, SmsResult
from .wire import PRODUCTION_BASE_URL

if TYPE_CHECKING:
    from .client import VoitexClient

__all__ = [
    "VoitexClient",
    "PRODUCTION_BASE_URL",
    *_errors,
    "RecordingResult",
    "CallResult",
    "SmsResult",
]


def __getattr__(name: str) -> "type[VoitexClient]":
    # The client pulls in httpx (about 50 ms); the errors, results and wire
    # constants do not. Loading it on first use keeps it out of start-up, where
    # the window only needs the error types.
    if name == "VoitexClient":
        from .client import VoitexClient

        return VoitexClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
