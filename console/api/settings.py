"""Checking the client's settings and arguments that are not fields of a request (pure).

Each refusal is an :class:`~console.api.errors.InvalidArgumentError` naming
the setting, raised before anything is sent.
"""
from __future__ import annotations

import inspect
import math
from pathlib import Path

import httpx

from .errors import InvalidArgumentError
from .wire import UPLOAD

__all__ = ["whole", "seconds", "http_timeouts", "check_progress", "upload_deadline"]


def whole(value: object, field: str, *, minimum: int) -> int:
    """``value`` when it is an int of at least ``minimum`` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgumentError(field, f"{field} must be a whole number of at least {minimum}, not {value!r}.")
    return value


def seconds(value: object, field: str, *, zero_ok: bool = False) -> float:
    """``value`` as a float when it is a finite number of seconds above 0 (or 0 with ``zero_ok``)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not zero_ok)
    ):
        least = "0 or more" if zero_ok else "more than 0"
        raise InvalidArgumentError(field, f"{field} must be a number of seconds, {least}, not {value!r}.")
    return float(value)


def http_timeouts(
    *, connect_timeout: object, read_timeout: object, upload_read_timeout: object, upload_write_timeout: object
) -> dict[str, httpx.Timeout]:
    """httpx timeouts for the upload and (``"default"``) for the other calls."""
    connect = seconds(connect_timeout, "connect_timeout")
    read = seconds(read_timeout, "read_timeout")
    return {
        "default": httpx.Timeout(connect=connect, read=read, write=read, pool=None),
        UPLOAD: httpx.Timeout(
            connect=connect,
            read=seconds(upload_read_timeout, "upload_read_timeout"),
            write=seconds(upload_write_timeout, "upload_write_timeout"),
            pool=None,
        ),
    }


def check_progress(on_progress: object) -> None:
    """An upload's ``on_progress`` is None or a plain (not async) callable."""
    if on_progress is not None and (not callable(on_progress) or inspect.iscoroutinefunction(on_progress)):
        raise InvalidArgumentError(
            "on_progress", "on_progress must be a plain (not async) callable taking (sent, total)."
        )


def upload_deadline(file_path: Path, *, deadline: float, rate: float) -> float:
    """Seconds one attempt of uploading ``file_path`` may take: ``deadline`` plus its size at ``rate``."""
    try:
        size = file_path.stat().st_size
    except OSError:
        size = 0  # opening it for the upload reports it
    return deadline + size / rate
