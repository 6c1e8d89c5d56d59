"""Checking the four API requests' fields, with messages that name the field.

Field names are taken exactly: "from " (a typo in the provider's samples) is
not "from", so a request that carries only the typo is told "from" is missing.
Every problem of a request is reported at once, in field order.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from console.sandbox.formats import AudioFormat, sniff_audio
from console.sandbox.forms import ReceivedFile

_T = TypeVar("_T")

TTS_MAX_CHARS = 3000
SMS_MAX_CHARS = 1600
# Album and sort numbers become folder and file names; nine digits is plenty.
_MAX_LIBRARY_NUMBER_DIGITS = 9
_PHONE = re.compile(r"[0-9]{10}")
_WHOLE_NUMBER = re.compile(r"[0-9]+")


class RequestRejected(Exception):
    """The request's fields are not acceptable; `messages` says why, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class UploadRequest:
    album: int
    sort: int
    display_name: str | None
    file: ReceivedFile
    format: AudioFormat


@dataclass(frozen=True)
class TtsRequest:
    album: int
    sort: int | None
    text: str


@dataclass(frozen=True)
class CallRequest:
    cid: str
    to: str
    type: str
    sfile_id: str | None
    route_number: str | None
    branch_number: str | None


@dataclass(frozen=True)
class SmsRequest:
    sender: str
    to: str
    body: str


def check_upload(fields: Mapping[str, str], files: Mapping[str, ReceivedFile]) -> UploadRequest:
    check = _Checker(fields)
    album = check.library_number("album_number")
    sort = check.library_number("sort_number")
    upload = _check_upload_file(check, fields, files)
    display_name = fields.get("display_name", "").strip() or None
    check.done()
    return UploadRequest(_given(album), _given(sort), display_name, *_given(upload))


def check_tts(fields: Mapping[str, str]) -> TtsRequest:
    check = _Checker(fields)
    album = check.library_number("album_number")
    text = check.text("text", max_chars=TTS_MAX_CHARS)
    sort = check.library_number("sort_number", required=False)
    kind = fields.get("type", "").strip()
    if kind and kind != "tts":
        check.fail("type must be 'tts'")
    check.done()
    return TtsRequest(_given(album), sort, _given(text))


def check_call(fields: Mapping[str, str]) -> CallRequest:
    check = _Checker(fields)
    cid = check.phone("cid")
    to = check.phone("to")
    kind = fields.get("type", "").strip()
    sfile_id = fields.get("sfile_id", "").strip() or None
    route_number = fields.get("route_number", "").strip() or None
    branch_number = fields.get("branch_number", "").strip() or None
    if not kind:
        check.fail("type is required")
    elif kind == "stream":
        if sfile_id is None:
            check.fail("sfile_id is required when type is 'stream'")
        else:
            check.whole_number("sfile_id")
    elif kind == "goto":
        if route_number is None or branch_number is None:
            check.fail("route_number and branch_number are required when type is 'goto'")
        else:
            check.phone("route_number")
            check.whole_number("branch_number")
    else:
        check.fail("type must be 'stream' or 'goto'")
    check.done()
    return CallRequest(_given(cid), _given(to), kind, sfile_id, route_number, branch_number)


def check_sms(fields: Mapping[str, str]) -> SmsRequest:
    check = _Checker(fields)
    sender = check.phone("from")
    to = check.phone("to")
    body = check.text("body", max_chars=SMS_MAX_CHARS)
    check.done()
    return SmsRequest(_given(sender), _given(to), _given(body))


def _check_upload_file(
    check: _Checker, fields: Mapping[str, str], files: Mapping[str, ReceivedFile]
) -> tuple[ReceivedFile, AudioFormat] | None:
    received = files.get("upload_file")
    if received is None:
        if "upload_file" in fields:
            check.fail("upload_file must be sent as a file, not as a text field")
        else:
            check.fail("upload_file is required")
    elif received.size == 0:
        check.fail("upload_file is empty")
    else:
        audio_format = sniff_audio(received.head)
        if audio_format is not None:
            return received, audio_format
        check.fail("upload_file is not a wav or mp3 recording (its content was checked, not its name)")
    return None


def _given(value: _T | None) -> _T:
    """A value `_Checker` read: its `done()` has raised if the value was missing or wrong."""
    assert value is not None
    return value


class _Checker:
    """Collects the problems of one request; done() raises them all together."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self._fields = fields
        self._messages: list[str] = []

    def fail(self, message: str) -> None:
        self._messages.append(message)

    def done(self) -> None:
        if self._messages:
            raise RequestRejected(self._messages)

    def _present(self, name: str) -> str | None:
        value = self._fields.get(name, "").strip()
        if value:
            return value
        return None

    def whole_number(self, name: str, *, required: bool = True) -> str | None:
        value = self._present(name)
        if value is None:
            if required:
                self.fail(f"{name} is required")
            return None
        if not _WHOLE_NUMBER.fullmatch(value):
            self.fail(f"{name} must be a whole number")
            return None
        return value

    def library_number(self, name: str, *, required: bool = True) -> int | None:
        value = self.whole_number(name, required=required)
        if value is None:
            return None
        if len(value) > _MAX_LIBRARY_NUMBER_DIGITS:
            self.fail(f"{name} must have at most {_MAX_LIBRARY_NUMBER_DIGITS} digits")
            return None
        return int(value)

    def phone(self, name: str) -> str | None:
        value = self._present(name)
        if value is None:
            self.fail(f"{name} is required")
            return None
        if not _PHONE.fullmatch(value):
            self.fail(f"{name} must be a 10-digit phone number")
            return None
        return value

    def text(self, name: str, *, max_chars: int) -> str | None:
        # Sent verbatim: surrounding spaces are part of the message.
        value = self._fields.get(name)
        if value is None:
            self.fail(f"{name} is required")
            return None
        if not value.strip():
            self.fail(f"{name} must not be empty")
            return None
        if len(value) > max_chars:
            self.fail(f"{name} is longer than {max_chars} characters")
            return None
        return value
