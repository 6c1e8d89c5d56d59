"""Request building: paths, form fields and argument checks (pure, no I/O beyond stat).

Follows ``docs/voitex-api-notes.md``: the four paths, field names
exactly as documented (never with the stray spaces of some samples), numbers as
decimal strings, phone numbers as 10 digits. Every check raises
:class:`~console.api.errors.InvalidArgumentError` naming the argument, before
anything is sent.
"""
from __future__ import annotations

import enum
import ipaddress
import os
import re
import stat
from pathlib import Path
from typing import Literal, overload
from urllib.parse import urlsplit

from .errors import InvalidArgumentError

__all__ = [
    "PRODUCTION_BASE_URL",
    "Operation",
    "UPLOAD",
    "TTS",
    "CALL",
    "SMS",
    "PATHS",
    "WHAT",
    "DONE",
    "outcome_note",
    "TTS_MAX_CHARS",
    "CALL_TYPES",
    "check_base_url",
    "is_loopback_host",
    "check_auth_key",
    "normalize_phone",
    "decimal_field",
    "upload_fields",
    "tts_fields",
    "call_fields",
    "sms_fields",
]

PRODUCTION_BASE_URL = "https://api.voitex.com"

class Operation(enum.StrEnum):
    """The four calls; the value is what ``ApiError.operation`` holds."""

    UPLOAD = "upload"
    TTS = "tts"
    CALL = "call"
    SMS = "sms"


UPLOAD = Operation.UPLOAD
TTS = Operation.TTS
CALL = Operation.CALL
SMS = Operation.SMS

#: Path of each call, relative to the base URL (the upload has no /v1, as documented).
PATHS = {
    UPLOAD: "/recordings/upload/index.php",
    TTS: "/v1/recordings/upload/",
    CALL: "/v1/call/index.php",
    SMS: "/v1/sms/send/index.php",
}

#: Each call in words, and what Voitex does with it when it takes it.
WHAT = {UPLOAD: "upload", TTS: "TTS request", CALL: "notification call", SMS: "SMS"}
DONE = {UPLOAD: "stored", TTS: "created", CALL: "placed", SMS: "sent"}


def outcome_note(operation: Operation, *, repeat_safe: bool) -> str:
    """" The SMS may or may not have been sent: check before sending it again." (for a
    repeat-safe call, ending with the full stop: sending it again does no harm)."""
    note = f" The {WHAT[operation]} may or may not have been {DONE[operation]}"
    return note + ("." if repeat_safe else ": check before sending it again.")


TTS_MAX_CHARS = 3000
CALL_TYPES = ("stream", "goto")

Fields = list[tuple[str, str]]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address); never
    for 0.0.0.0 or ::."""
    host = host.strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_base_url(base_url: object) -> str:
    """Return the base URL without a trailing slash, or refuse it.

    Plain ``http://`` is accepted only for a loopback host (the local sandbox):
    anywhere else the auth key would cross the network unencrypted.
    """
    if not isinstance(base_url, str) or not base_url.strip():
        raise InvalidArgumentError("base_url", "base_url must be a URL such as https://api.voitex.com.")
    text = base_url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidArgumentError("base_url", f"base_url {text!r} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgumentError(
            "base_url", f"base_url {text!r} must start with https:// and name a host."
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidArgumentError(
            "base_url", "base_url must not carry a user name or password; the auth key is sent in its own header."
        )
    if parts.query or parts.fragment:
        raise InvalidArgumentError("base_url", f"base_url {text!r} must not have a query or a fragment.")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise InvalidArgumentError(
            "base_url",
            f"Refusing to send the auth key over plain http:// to {parts.hostname}: use https://. "
            "Plain http:// is allowed only for a local server on 127.0.0.1, ::1 or localhost.",
        )
    return text.rstrip("/")


def check_auth_key(auth_key: object) -> str:
    """Check the key can travel in a header. The message never quotes the key."""
    if not isinstance(auth_key, str) or not auth_key.strip():
        raise InvalidArgumentError("auth_key", "auth_key must be a non-empty string.")
    key = auth_key.strip()
    if any(not (0x21 <= ord(ch) <= 0x7E) for ch in key):
        raise InvalidArgumentError(
            "auth_key",
            "auth_key may hold only visible ASCII characters (no spaces, line breaks or accents).",
        )
    return key


# 10-digit North American numbers, optionally with the country code 1, in the
# common written forms: 8459511000, (845) 951-1000, 845.951.1000,
# +1 845 951 1000, 1-845-951-1000. The area code cannot start with 0 or 1.
_PHONE_RE = re.compile(
    r"""^(?:\+?1[\s.-]?)?
        (?:\((?P<a1>[2-9]\d\d)\)|(?P<a2>[2-9]\d\d))[\s.-]?
        (?P<exchange>\d{3})[\s.-]?
        (?P<line>\d{4})$""",
    re.VERBOSE | re.ASCII,
)


def normalize_phone(value: object, *, field: str) -> str:
    """Return a North American phone number as 10 digits, or refuse it naming ``field``."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(field, f"{field} must be a phone number such as 8459511000.")
    text = value.strip()
    match = _PHONE_RE.match(text)
    if match is None:
        raise InvalidArgumentError(
            field,
            f"{field}: {text!r} is not a valid 10-digit North American phone number "
            "(for example 8459511000 or (845) 951-1000).",
        )
    area = match.group("a1") or match.group("a2")
    return area + match.group("exchange") + match.group("line")


_DECIMAL_RE = re.compile(r"^[0-9]+$", re.ASCII)


@overload
def decimal_field(value: object, *, field: str, optional: Literal[False] = False) -> str: ...
@overload
def decimal_field(value: object, *, field: str, optional: bool) -> str | None: ...
def decimal_field(value: object, *, field: str, optional: bool = False) -> str | None:
    """Return a non-negative whole number as a decimal string (``5`` and ``"05"`` give ``"5"``).

    Accepts an int or a string of ASCII digits; None only when ``optional``.
    """
    if value is None:
        if optional:
            return None
        raise InvalidArgumentError(field, f"{field} is required.")
    if isinstance(value, bool):
        raise InvalidArgumentError(field, f"{field} must be a whole number, not {value!r}.")
    if isinstance(value, int):
        if value < 0:
            raise InvalidArgumentError(field, f"{field} must not be negative (got {value}).")
        return str(value)
    if isinstance(value, str) and _DECIMAL_RE.match(value.strip()):
        return str(int(value.strip()))
    raise InvalidArgumentError(field, f"{field} must be a non-negative whole number, not {value!r}.")


def _check_path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise InvalidArgumentError("path", "path must name a wav or mp3 file.")
    file_path = Path(path)
    try:
        mode = file_path.stat().st_mode
    except FileNotFoundError:
        raise InvalidArgumentError("path", f"path: {str(file_path)!r} does not exist.") from None
    except OSError as err:
        raise InvalidArgumentError("path", f"path: {str(file_path)!r} cannot be read ({err.strerror}).") from None
    if not stat.S_ISREG(mode):
        raise InvalidArgumentError("path", f"path: {str(file_path)!r} is not a file.")
    return file_path


def upload_fields(
    path: object, *, album_number: object, sort_number: object, display_name: object = None
) -> tuple[Path, Fields]:
    """Check the upload's arguments; return the file path and the text fields.

    The file travels as the ``upload_file`` part after these fields.
    """
    file_path = _check_path(path)
    fields: Fields = [
        ("album_number", decimal_field(album_number, field="album_number")),
        ("sort_number", decimal_field(sort_number, field="sort_number")),
    ]
    if display_name is not None:
        if not isinstance(display_name, str):
            raise InvalidArgumentError("display_name", "display_name must be text.")
        if display_name.strip():
            fields.append(("display_name", display_name.strip()))
    return file_path, fields


def tts_fields(*, text: object, album_number: object, sort_number: object = None) -> Fields:
    """Check a TTS request; ``type`` is always ``tts``, the only type that exists."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError("text", "text must not be empty.")
    if len(text) > TTS_MAX_CHARS:
        raise InvalidArgumentError(
            "text", f"text is {len(text)} characters long; at most {TTS_MAX_CHARS} are allowed."
        )
    fields: Fields = [("album_number", decimal_field(album_number, field="album_number"))]
    sort = decimal_field(sort_number, field="sort_number", optional=True)
    if sort is not None:
        fields.append(("sort_number", sort))
    fields += [("type", "tts"), ("text", text)]
    return fields


def call_fields(
    *,
    cid: object,
    to: object,
    type: object,
    sfile_id: object = None,
    route_number: object = None,
    branch_number: object = None,
) -> Fields:
    """Check a notification call.

    ``type="stream"`` needs ``sfile_id`` (a library recording id) and takes no
    route; ``type="goto"`` needs ``route_number`` (a hotline number) and
    ``branch_number`` (a branch id) and takes no ``sfile_id``.
    """
    fields: Fields = [
        ("cid", normalize_phone(cid, field="cid")),
        ("to", normalize_phone(to, field="to")),
    ]
    call_type = type.strip().lower() if isinstance(type, str) else None
    if call_type not in CALL_TYPES:
        raise InvalidArgumentError("type", f"type must be 'stream' or 'goto', not {type!r}.")
    fields.append(("type", call_type))
    if call_type == "stream":
        if sfile_id is None:
            raise InvalidArgumentError("sfile_id", "sfile_id is required when type is 'stream'.")
        for name, value in (("route_number", route_number), ("branch_number", branch_number)):
            if value is not None:
                raise InvalidArgumentError(name, f"{name} is used only when type is 'goto'.")
        fields.append(("sfile_id", decimal_field(sfile_id, field="sfile_id")))
    else:
        if sfile_id is not None:
            raise InvalidArgumentError("sfile_id", "sfile_id is used only when type is 'stream'.")
        if route_number is None:
            raise InvalidArgumentError("route_number", "route_number is required when type is 'goto'.")
        if branch_number is None:
            raise InvalidArgumentError("branch_number", "branch_number is required when type is 'goto'.")
        fields.append(("route_number", normalize_phone(route_number, field="route_number")))
        fields.append(("branch_number", decimal_field(branch_number, field="branch_number")))
    return fields


def sms_fields(*, from_number: object, to: object, body: object) -> Fields:
    """Check an SMS. The sender travels as the form field ``from``."""
    fields: Fields = [
        ("from", normalize_phone(from_number, field="from_number")),
        ("to", normalize_phone(to, field="to")),
    ]
    if not isinstance(body, str) or not body.strip():
        raise InvalidArgumentError("body", "body must not be empty.")
    fields.append(("body", body))
    return fields
