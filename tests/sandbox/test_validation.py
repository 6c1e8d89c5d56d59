"""Field checks of the four API requests, without a server."""
from __future__ import annotations

from pathlib import Path

import pytest

from console.sandbox.forms import ReceivedFile
from console.sandbox.validation import (
    RequestRejected,
    check_call,
    check_sms,
    check_tts,
    check_upload,
)
from tests.helpers import make_mp3, make_wav
from tests.sandbox.support import GOOD_CALL, GOOD_SMS, GOOD_TTS


def _received(path: Path) -> ReceivedFile:
    data = path.read_bytes()
    return ReceivedFile(path.name, path, len(data), "0" * 64, data[:65536])


def _messages(check, *args) -> list[str]:
    with pytest.raises(RequestRejected) as caught:
        check(*args)
    return caught.value.messages


def test_good_upload(tmp_path):
    wav = _received(make_wav(tmp_path / "a.wav"))
    request = check_upload({"album_number": " 7 ", "sort_number": "005", "display_name": "Welcome"},
                           {"upload_file": wav})
    assert (request.album, request.sort, request.display_name, request.format) == (7, 5, "Welcome", "wav")
    mp3 = _received(make_mp3(tmp_path / "named.wav"))  # the name says wav, the content mp3
    assert check_upload({"album_number": "1", "sort_number": "1"}, {"upload_file": mp3}).format == "mp3"


@pytest.mark.parametrize(
    ("fields", "file_kind", "expected"),
    [
        ({}, "wav", ["album_number is required", "sort_number is required"]),
        ({"album_number": "one", "sort_number": "5"}, "wav", ["album_number must be a whole number"]),
        ({"album_number": "-1", "sort_number": "5"}, "wav", ["album_number must be a whole number"]),
        ({"album_number": "1.0", "sort_number": "5"}, "wav", ["album_number must be a whole number"]),
        ({"album_number": "1", "sort_number": "1234567890"}, "wav", ["sort_number must have at most 9 digits"]),
        ({"album_number ": "1", "sort_number": "5"}, "wav", ["album_number is required"]),
        ({"album_number": "1", "sort_number": "5"}, None, ["upload_file is required"]),
        ({"album_number": "1", "sort_number": "5", "upload_file": "example.wav"}, None,
         ["upload_file must be sent as a file, not as a text field"]),
        ({"album_number": "1", "sort_number": "5"}, "empty", ["upload_file is empty"]),
        ({"album_number": "1", "sort_number": "5"}, "text",
         ["upload_file is not a wav or mp3 recording (its content was checked, not its name)"]),
    ],
)
def test_bad_uploads(tmp_path, fields, file_kind, expected):
    files = {}
    if file_kind == "wav":
        files["upload_file"] = _received(make_wav(tmp_path / "a.wav"))
    elif file_kind == "empty":
        (tmp_path / "e.wav").write_bytes(b"")
        files["upload_file"] = _received(tmp_path / "e.wav")
    elif file_kind == "text":
        (tmp_path / "notes.wav").write_text("just some notes\n")
        files["upload_file"] = _received(tmp_path / "notes.wav")
    assert _messages(check_upload, fields, files) == expected


def test_good_tts_with_and_without_sort():
    assert check_tts(GOOD_TTS).sort == 15
    request = check_tts({"album_number": "2", "text": "  Hi  "})
    assert (request.album, request.sort, request.text) == (2, None, "  Hi  ")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"album_number": None}, ["album_number is required"]),
        ({"album_number": "x1"}, ["album_number must be a whole number"]),
        ({"text": None}, ["text is required"]),
        ({"text": "   "}, ["text must not be empty"]),
        ({"text": "a" * 3001}, ["text is longer than 3000 characters"]),
        ({"sort_number": "fifteen"}, ["sort_number must be a whole number"]),
        ({"type": "wav"}, ["type must be 'tts'"]),
    ],
)
def test_bad_tts(change, expected):
    assert _messages(check_tts, _changed(GOOD_TTS, change)) == expected


def test_tts_text_at_the_limit_is_accepted():
    assert len(check_tts(_changed(GOOD_TTS, {"text": "a" * 3000})).text) == 3000


def test_good_calls():
    stream = check_call(GOOD_CALL)
    assert (stream.type, stream.sfile_id, stream.route_number) == ("stream", "918357", None)
    goto = check_call({"cid": "8459511000", "to": "8455009999", "type": "goto",
                       "route_number": "8459511000", "branch_number": "150"})
    assert (goto.route_number, goto.branch_number) == ("8459511000", "150")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"cid": None}, ["cid is required"]),
        ({"to": "845500999"}, ["to must be a 10-digit phone number"]),
        ({"to": "(845) 500-9999"}, ["to must be a 10-digit phone number"]),
        ({"type": None}, ["type is required"]),
        ({"type": "play"}, ["type must be 'stream' or 'goto'"]),
        ({"sfile_id": None}, ["sfile_id is required when type is 'stream'"]),
        ({"sfile_id": "abc"}, ["sfile_id must be a whole number"]),
        ({"type": "goto", "sfile_id": None}, ["route_number and branch_number are required when type is 'goto'"]),
        ({"type": "goto", "route_number": "8459511000"},
         ["route_number and branch_number are required when type is 'goto'"]),
        ({"type": "goto", "route_number": "12", "branch_number": "150"},
         ["route_number must be a 10-digit phone number"]),
        ({"type": "goto", "route_number": "8459511000", "branch_number": "x"},
         ["branch_number must be a whole number"]),
        ({"cid": "1", "to": None}, ["cid must be a 10-digit phone number", "to is required"]),
    ],
)
def test_bad_calls(change, expected):
    assert _messages(check_call, _changed(GOOD_CALL, change)) == expected


def test_good_sms_keeps_the_body_verbatim():
    request = check_sms({**GOOD_SMS, "from": "8459511000 ", "body": ' He said "hi" '})
    assert (request.sender, request.body) == ("8459511000", ' He said "hi" ')


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"from": None, "from ": "8459511000"}, ["from is required"]),
        ({"to": "84512345678"}, ["to must be a 10-digit phone number"]),
        ({"body": ""}, ["body must not be empty"]),
        ({"body": None}, ["body is required"]),
        ({"body": "x" * 1601}, ["body is longer than 1600 characters"]),
        ({"from": None, "to": None, "body": None}, ["from is required", "to is required", "body is required"]),
    ],
)
def test_bad_sms(change, expected):
    assert _messages(check_sms, _changed(GOOD_SMS, change)) == expected


def _changed(base: dict[str, str], change: dict[str, str | None]) -> dict[str, str]:
    fields = {**base, **change}
    return {name: value for name, value in fields.items() if value is not None}
