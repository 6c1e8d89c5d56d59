"""Reading Voitex replies (pure): status, errors, ids, and the SMS echo.

As ``voitex-api-notes.md`` says: ``status`` ``success`` in any case is success,
anything else (or none) is failure; ``errors`` are kept verbatim; keys and
values the API returns are trimmed; the SMS ``data`` is accepted as an object,
as a JSON string, or as the documentation's invalid pseudo-JSON string
(read in :mod:`console.api.sms_echo`).

:data:`HTTP_STATUS_ERRORS` is the one table mapping HTTP statuses to error
classes; :func:`check_reply` applies it.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypedDict, cast

from .errors import (
    ApiError,
    KeyRefusedError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    UnreadableReplyError,
)
from .results import CallResult, RecordingResult, SmsResult
from .retry import parse_retry_after
from .sms_echo import PairsDict, load_json, pairs_of, pseudo_json_pairs, read_sms_data, scalar_text
from .wire import CALL, WHAT, Operation, outcome_note

__all__ = [
    "PREVIEW_CHARS",
    "ANY_BODY",
    "JSON_BODY",
    "HTTP_STATUS_ERRORS",
    "PairsDict",
    "error_class_for_status",
    "body_preview",
    "load_json",
    "scrub",
    "reply_messages",
    "is_success",
    "check_reply",
    "unusable_reply_error",
    "recording_result",
    "call_result",
    "sms_result",
    "read_sms_data",
    "pseudo_json_pairs",
]

PREVIEW_CHARS = 200
HIDDEN = "[auth key hidden]"

ANY_BODY = "any body"
JSON_BODY = "JSON object"

#: The one table mapping HTTP outcomes to errors: status range (inclusive),
#: the error, and whether it holds for any body or only when the body is a
#: JSON object. First match wins. Whatever matches no row (a body that is not
#: a JSON object where one is needed, an unexpected status) raises
#: UnreadableReplyError naming the status and quoting the body. For 2xx the
#: class is None: the body's ``status`` decides. A 3xx is not followed (the key
#: must not go wherever a redirect points); it is reported as a rejection.
HTTP_STATUS_ERRORS: tuple[tuple[int, int, type[ApiError] | None, str], ...] = (
    (401, 401, KeyRefusedError, ANY_BODY),
    (403, 403, KeyRefusedError, ANY_BODY),
    (429, 429, RateLimitedError, ANY_BODY),
    (300, 399, RequestRejectedError, ANY_BODY),
    (400, 499, RequestRejectedError, JSON_BODY),
    (500, 599, ServerError, JSON_BODY),
    (200, 299, None, JSON_BODY),
)



def error_class_for_status(status_code: int, *, json_object: bool = True) -> type[ApiError] | None:
    """The error an HTTP outcome raises, or None when the reply's ``status`` decides (2xx)."""
    for low, high, cls, needs in HTTP_STATUS_ERRORS:
        if low <= status_code <= high and (needs == ANY_BODY or json_object):
            return cls
    return UnreadableReplyError


class _Where(TypedDict):
    """The HTTP status and the call, carried by every error of one reply."""
    status_code: int
    operation: Operation


def scrub(value: Any, secret: str | None) -> Any:
    """``value`` with every occurrence of ``secret`` in its strings replaced."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, HIDDEN) if secret in value else value
    if isinstance(value, dict):
        pairs = [(scrub(k, secret), scrub(v, secret)) for k, v in pairs_of(value)]
        return PairsDict.from_pairs(pairs)
    if isinstance(value, list):
        return [scrub(v, secret) for v in value]
    return value


def body_preview(content: bytes, *, secret: str | None = None, limit: int = PREVIEW_CHARS) -> str:
    """The start of a body for an error message: decoded, whitespace folded, truncated."""
    text = content.decode("utf-8", errors="replace")
    text = scrub(text, secret)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return text


def _field(body: dict[str, Any], name: str) -> Any:
    """A top-level value by its trimmed, case-folded key (first occurrence)."""
    for key, value in pairs_of(body):
        if isinstance(key, str) and key.strip().lower() == name:
            return value
    return None


def reply_messages(body: dict[str, Any]) -> list[str]:
    """The reply's ``errors``, verbatim (empty ones dropped)."""
    errors = _field(body, "errors")
    if errors is None:
        errors = _field(body, "error")
    if isinstance(errors, dict):
        errors = list(errors.values())
    if not isinstance(errors, list):
        errors = [errors]
    return [m if isinstance(m, str) else json.dumps(m) for m in errors if m is not None and str(m).strip()]


def is_success(body: dict[str, Any]) -> bool:
    status = _field(body, "status")
    return isinstance(status, str) and status.strip().lower() == "success"


def _unknown_note(operation: Operation) -> str:
    return outcome_note(operation, repeat_safe=False)


def _join(messages: list[str]) -> str:
    return " ".join(m.strip() if m.strip().endswith((".", "!", "?")) else m.strip() + "." for m in messages)


def check_reply(
    *,
    operation: Operation,
    status_code: int,
    content: bytes,
    retry_after: str | None = None,
    repeat_safe: bool,
    secret: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return the reply's JSON object when the call succeeded; otherwise raise.

    ``repeat_safe`` (see :mod:`console.api.retry`) decides ``outcome_unknown``
    of a server error or an unreadable reply: True when the call must not be
    repeated blindly. ``secret`` (the auth key) is removed from everything
    that ends up in an error or a result.
    """
    what = WHAT[operation]
    may_have_acted = not repeat_safe
    common: _Where = {"status_code": status_code, "operation": operation}
    try:
        body: Any = scrub(load_json(content.decode("utf-8")), secret)
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = None
    is_object = isinstance(body, dict)
    messages = reply_messages(body) if is_object else []
    cls = error_class_for_status(status_code, json_object=is_object)
    preview = body_preview(content, secret=secret)
    detail = _join(messages) if messages else (f"Reply: {preview!r}." if not is_object else "")

    if cls is KeyRefusedError:
        parts = (f"Voitex refused the auth key (HTTP {status_code}).", detail, "Check the key of this account.")
        raise KeyRefusedError(
            " ".join(part for part in parts if part),
            messages=messages,
            **common,
        )
    if cls is RateLimitedError:
        wait = parse_retry_after(retry_after, now=now)
        when = f"try again in {round(wait, 1):g} seconds" if wait is not None else "try again later"
        raise RateLimitedError(
            f"Voitex is limiting the request rate (HTTP 429): {when}.",
            retry_after=wait,
            messages=messages,
            **common,
        )
    if cls is UnreadableReplyError:
        # A 4xx says the request was refused, whatever the page looks like.
        acted = may_have_acted and not 400 <= status_code <= 499
        raise UnreadableReplyError(
            f"Voitex answered the {what} with HTTP {status_code} and a reply that is not "
            f"a JSON object: {preview!r}." + (_unknown_note(operation) if acted else ""),
            outcome_unknown=acted,
            **common,
        )
    if cls is ServerError:
        raise ServerError(
            f"The Voitex server failed (HTTP {status_code}) while handling the {what}. {detail}".rstrip()
            + (_unknown_note(operation) if may_have_acted else ""),
            messages=messages,
            outcome_unknown=may_have_acted,
            **common,
        )
    if cls is RequestRejectedError:
        if 300 <= status_code <= 399:
            # The request did reach a server, which may have acted on it.
            text = (
                f"Voitex answered the {what} with a redirect (HTTP {status_code}), which the client "
                "does not follow; check the base URL."
            ) + (_unknown_note(operation) if may_have_acted else "")
            raise RequestRejectedError(text, messages=messages, outcome_unknown=may_have_acted,
                                       **common)
        else:
            text = f"Voitex rejected the {what} (HTTP {status_code}). {detail}".rstrip()
        raise RequestRejectedError(text, messages=messages, **common)
    if not is_success(body):
        if messages:
            text = f"Voitex rejected the {what}: {_join(messages)}"
        else:
            status = _field(body, "status")
            text = f"Voitex rejected the {what} without giving a reason (status {status!r})."
        raise RequestRejectedError(text, messages=messages, **common)
    # load_json makes every JSON object a PairsDict, and is_object held.
    return cast(dict[str, Any], body)


def unusable_reply_error(
    *, operation: Operation, status_code: int, problem: str, repeat_safe: bool
) -> UnreadableReplyError:
    """The error for a reply whose body was not read whole (too large, or an
    encoding the client cannot read); ``problem`` completes "a reply ...".

    Never a success: an SMS or a call may have been acted on, so its outcome is
    unknown unless the status says the request was refused (4xx).
    """
    acted = not repeat_safe and not 400 <= status_code <= 499
    return UnreadableReplyError(
        f"Voitex answered the {WHAT[operation]} with HTTP {status_code} and a reply {problem}."
        + (_unknown_note(operation) if acted else ""),
        status_code=status_code,
        operation=operation,
        outcome_unknown=acted,
    )


def recording_result(body: dict[str, Any], *, operation: Operation, status_code: int,
                     repeat_safe: bool) -> RecordingResult:
    """An upload's or TTS reply: ``data`` is the recording id."""
    recording_id = scalar_text(_field(body, "data"))
    if recording_id is None:
        raise UnreadableReplyError(
            f"Voitex reported the {WHAT[operation]} a success but sent no recording id "
            f"(data: {_field(body, 'data')!r}).",
            status_code=status_code,
            operation=operation,
            outcome_unknown=not repeat_safe,
        )
    return RecordingResult(recording_id=recording_id, raw=body)


def call_result(body: dict[str, Any], *, status_code: int) -> CallResult:
    """A notification call's reply: ``reference_id``."""
    reference_id = scalar_text(_field(body, "reference_id"))
    if reference_id is None:
        raise UnreadableReplyError(
            "Voitex reported the notification call a success but sent no reference id; "
            "the call was probably placed.",
            status_code=status_code,
            operation=CALL,
            outcome_unknown=True,
        )
    return CallResult(reference_id=reference_id, raw=body)


def sms_result(body: dict[str, Any]) -> SmsResult:
    """An SMS reply. Never fails: the API said the message went out."""
    reference_id, did_type, data = read_sms_data(_field(body, "data"))
    return SmsResult(reference_id=reference_id, did_type=did_type, data=data, raw=body)
