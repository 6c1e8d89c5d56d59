"""Reply parsing (pure tables)."""
from __future__ import annotations

import json

import pytest

from console.api import (
    KeyRefusedError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    UnreadableReplyError,
)
from console.api.parse import (
    ANY_BODY,
    HTTP_STATUS_ERRORS,
    body_preview,
    call_result,
    check_reply,
    error_class_for_status,
    read_sms_data,
    recording_result,
    reply_messages,
    sms_result,
)

# The SMS reply's data exactly as the provider's documentation prints it.
DOC_SMS_DATA = (
    '{ "to": "8451234567", "from ": "8459511000 ", "body": "This is a test message body", '
    '"did_type ": "TN ", "from ": "u7T0um " }'
)


def _json(obj) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("status", "json_object", "cls"),
    [
        (200, True, None),
        (201, True, None),
        (299, True, None),
        (200, False, UnreadableReplyError),
        (401, True, KeyRefusedError),
        (401, False, KeyRefusedError),
        (403, False, KeyRefusedError),
        (429, True, RateLimitedError),
        (429, False, RateLimitedError),
        (400, True, RequestRejectedError),
        (404, True, RequestRejectedError),
        (422, True, RequestRejectedError),
        (404, False, UnreadableReplyError),
        (500, True, ServerError),
        (503, True, ServerError),
        (599, True, ServerError),
        (502, False, UnreadableReplyError),
        (301, True, RequestRejectedError),
        (302, False, RequestRejectedError),
        (101, True, UnreadableReplyError),
        (600, True, UnreadableReplyError),
    ],
)
def test_status_table(status, json_object, cls):
    assert error_class_for_status(status, json_object=json_object) is cls


def test_status_table_rows_do_not_shadow_each_other():
    seen = []
    for low, high, _cls, needs in HTTP_STATUS_ERRORS:
        for earlier_low, earlier_high, earlier_needs in seen:
            covered = earlier_low <= low and high <= earlier_high
            assert not (covered and earlier_needs in (needs, ANY_BODY)), "row shadowed"
        seen.append((low, high, needs))


@pytest.mark.parametrize("status", ["success", "SUCCESS", "Success", " success ", "success\n"])
def test_success_in_any_case(status):
    body = check_reply(
        operation="upload",
        status_code=200,
        content=_json({"data": "918357", "status": status, "errors": []}),
        repeat_safe=True,
    )
    assert recording_result(body, operation="upload", status_code=200, repeat_safe=True).recording_id == "918357"


@pytest.mark.parametrize(
    ("reply", "messages"),
    [
        ({"status": "error", "data": "", "errors": ["album_number is required"]}, ["album_number is required"]),
        ({"status": "failed", "errors": ["a", "b"]}, ["a", "b"]),
        ({"status": "error", "errors": "one message"}, ["one message"]),
        ({"status": "error", "errors": ["  spaced  "]}, ["  spaced  "]),
        ({"status": "error", "errors": ["", None, "kept"]}, ["kept"]),
        ({"errors": ["no status at all"]}, ["no status at all"]),
        ({"status": None, "errors": []}, []),
        ({"status": "succes", "errors": []}, []),
        ({"status ": "error", "errors ": ["trimmed keys"]}, ["trimmed keys"]),
        ({"status": "error", "errors": [{"code": 7}]}, ['{"code": 7}']),
    ],
)
def test_status_not_success_is_a_rejection_with_verbatim_messages(reply, messages):
    with pytest.raises(RequestRejectedError) as info:
        check_reply(operation="sms", status_code=200, content=_json(reply), repeat_safe=False)
    err = info.value
    assert err.messages == messages
    assert err.status_code == 200
    assert err.outcome_unknown is False
    for message in messages:
        assert message.strip() in str(err)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"errors": ["x"]}, ["x"]),
        ({"errors": []}, []),
        ({}, []),
        ({"error": "single"}, ["single"]),
        ({"errors": {"to": "bad number"}}, ["bad number"]),
    ],
)
def test_reply_messages(body, expected):
    assert reply_messages(body) == expected


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, KeyRefusedError), (403, KeyRefusedError)],
)
def test_key_refused(status, cls):
    reply = {"status": "error", "errors": ["The auth_key header is missing or not valid."]}
    with pytest.raises(cls) as info:
        check_reply(operation="sms", status_code=status, content=_json(reply), repeat_safe=False)
    assert info.value.status_code == status
    assert info.value.messages == ["The auth_key header is missing or not valid."]
    assert f"HTTP {status}" in str(info.value)


@pytest.mark.parametrize(
    ("header", "wait"),
    [("3", 3.0), ("0", 0.0), (None, None), ("soon", None)],
)
def test_rate_limited_carries_the_wait(header, wait):
    with pytest.raises(RateLimitedError) as info:
        check_reply(operation="sms", status_code=429, content=b"", retry_after=header, repeat_safe=False)
    assert info.value.retry_after == wait
    assert info.value.status_code == 429
    assert info.value.outcome_unknown is False


@pytest.mark.parametrize(
    ("operation", "repeat_safe", "unknown"),
    [("sms", False, True), ("call", False, True), ("tts", False, True), ("tts", True, False), ("upload", True, False)],
)
def test_server_error_outcome_unknown_for_calls_that_must_not_repeat(operation, repeat_safe, unknown):
    with pytest.raises(ServerError) as info:
        check_reply(operation=operation, status_code=500, content=b'{"status":"error","errors":["boom"]}',
                    repeat_safe=repeat_safe)
    assert info.value.outcome_unknown is unknown
    assert info.value.messages == ["boom"]
    assert info.value.status_code == 500
    assert "HTTP 500" in str(info.value)
    assert ("may or may not" in str(info.value)) is unknown


@pytest.mark.parametrize(
    ("operation", "repeat_safe", "unknown"), [("sms", False, True), ("upload", True, False)]
)
def test_gateway_html_page_is_unreadable_naming_the_status(operation, repeat_safe, unknown):
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with pytest.raises(UnreadableReplyError) as info:
        check_reply(operation=operation, status_code=502, content=html, repeat_safe=repeat_safe)
    assert "HTTP 502" in str(info.value)
    assert "502 Bad Gateway" in str(info.value)
    assert info.value.status_code == 502
    assert info.value.messages == []
    assert info.value.outcome_unknown is unknown


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>",
        b"",
        b"   ",
        b"null",
        b'"a string"',
        b"[1, 2]",
        b"\xff\xfe\x00garbage",
        b'{"status": "success", ',
    ],
)
@pytest.mark.parametrize(("operation", "repeat_safe"), [("sms", False), ("upload", True)])
def test_unreadable_reply_names_status_and_body(content, operation, repeat_safe):
    with pytest.raises(UnreadableReplyError) as info:
        check_reply(operation=operation, status_code=200, content=content, repeat_safe=repeat_safe)
    err = info.value
    assert err.status_code == 200
    assert "HTTP 200" in str(err)
    assert repr(body_preview(content)) in str(err)
    assert err.outcome_unknown is (not repeat_safe)


def test_unreadable_reply_preview_is_truncated():
    content = b"<html>" + b"x" * 5000 + b"</html>"
    with pytest.raises(UnreadableReplyError) as info:
        check_reply(operation="sms", status_code=200, content=content, repeat_safe=False)
    text = str(info.value)
    assert "<html>xxx" in text
    assert len(text) < 500
    assert "</html>" not in text


def test_4xx_page_is_unreadable_but_not_outcome_unknown():
    with pytest.raises(UnreadableReplyError) as info:
        check_reply(operation="call", status_code=404, content=b"<h1>Not Found</h1>", repeat_safe=False)
    assert "HTTP 404" in str(info.value)
    assert "Not Found" in str(info.value)
    assert info.value.outcome_unknown is False


def test_4xx_json_is_a_rejection_with_messages():
    with pytest.raises(RequestRejectedError) as info:
        check_reply(operation="call", status_code=400, content=b'{"status":"error","errors":["to is missing"]}',
                    repeat_safe=False)
    assert info.value.messages == ["to is missing"]
    assert "HTTP 400" in str(info.value)


def test_redirect_is_not_followed_and_says_so():
    with pytest.raises(RequestRejectedError) as info:
        check_reply(operation="sms", status_code=301, content=b"", repeat_safe=False)
    assert "redirect" in str(info.value)
    assert "base URL" in str(info.value)
    # The SMS reached a server, which may have sent it.
    assert info.value.outcome_unknown


def test_redirect_on_an_upload_is_a_plain_rejection():
    with pytest.raises(RequestRejectedError) as info:
        check_reply(operation="upload", status_code=302, content=b"", repeat_safe=True)
    assert not info.value.outcome_unknown


def test_secret_never_reaches_errors_or_results():
    key = "secret-key-123456"
    for status in (200, 401, 500):
        content = _json({"status": "error", "errors": [f"bad key {key}"]}).replace(b"bad", b"bad")
        with pytest.raises(Exception) as info:
            check_reply(operation="sms", status_code=status, content=content, repeat_safe=False, secret=key)
        assert key not in str(info.value) and key not in repr(info.value)
        assert all(key not in m for m in info.value.messages)
    with pytest.raises(UnreadableReplyError) as info:
        check_reply(operation="sms", status_code=200, content=f"<p>{key}</p>".encode(), repeat_safe=False, secret=key)
    assert key not in str(info.value)
    body = check_reply(
        operation="sms",
        status_code=200,
        content=_json({"status": "success", "data": {"echo": key, key: 1}, "errors": []}),
        repeat_safe=False,
        secret=key,
    )
    result = sms_result(body)
    assert key not in repr(result.raw) and key not in repr(result.data)


@pytest.mark.parametrize(
    ("data", "recording_id"),
    [("918357", "918357"), (" 918357 ", "918357"), (915863, "915863")],
)
def test_recording_id(data, recording_id):
    body = {"status": "success", "data": data, "errors": []}
    result = recording_result(body, operation="tts", status_code=200, repeat_safe=True)
    assert result.recording_id == recording_id
    assert result.raw is body


@pytest.mark.parametrize("data", ["", "  ", None, True, {"id": 1}, [1]])
def test_recording_without_id_is_unreadable(data):
    with pytest.raises(UnreadableReplyError) as info:
        recording_result({"status": "success", "data": data}, operation="upload", status_code=200, repeat_safe=True)
    assert "recording id" in str(info.value)


def test_call_result():
    body = {"status": "success", "reference_id": " Sz1gt0IqgVV7HHs ", "errors": []}
    result = call_result(body, status_code=200)
    assert result.reference_id == "Sz1gt0IqgVV7HHs"
    assert result.raw is body


def test_call_success_without_reference_is_outcome_unknown():
    with pytest.raises(UnreadableReplyError) as info:
        call_result({"status": "success", "errors": []}, status_code=200)
    assert info.value.outcome_unknown is True


def test_documented_sms_sample_verbatim():
    reference_id, did_type, data = read_sms_data(DOC_SMS_DATA)
    assert reference_id == "u7T0um"
    assert did_type == "TN"
    assert data == {
        "to": "8451234567",
        "from": "8459511000",
        "body": "This is a test message body",
        "did_type": "TN",
        "reference_id": "u7T0um",
    }


def test_documented_sms_reply_as_a_whole():
    # The reply as the sandbox sends it: data is a JSON string holding the pseudo-JSON.
    content = json.dumps({"status": "success", "data": DOC_SMS_DATA, "errors": []}).encode()
    body = check_reply(operation="sms", status_code=200, content=content, repeat_safe=False)
    result = sms_result(body)
    assert (result.reference_id, result.did_type) == ("u7T0um", "TN")
    assert result.raw["data"] == DOC_SMS_DATA


@pytest.mark.parametrize(
    ("data", "reference_id", "did_type", "body"),
    [
        # A body with quotes, commas, colons and braces, inserted unescaped.
        (
            '{ "to": "8451234567", "from ": "8459511000 ", "body": "He said "hi", then: {ok}, "to": 1", '
            '"did_type ": "TF ", "from ": "Ab12Cd " }',
            "Ab12Cd",
            "TF",
            'He said "hi", then: {ok}, "to": 1',
        ),
        # Empty body.
        ('{ "to": "8451234567", "from ": "8459511000 ", "body": "", "did_type ": "TN ", "from ": "x1 " }',
         "x1", "TN", ""),
        # A body with a line break.
        ('{ "to": "8451234567", "from ": "8459511000 ", "body": "a\nb", "did_type ": "TN ", "from ": "x2 " }',
         "x2", "TN", "a\nb"),
        # Valid JSON string with duplicate keys: the second "from" is still the reference.
        ('{"to": "8451234567", "from": "8459511000", "body": "hi", "did_type": "TN", "from": "r3"}', "r3", "TN", "hi"),
        # Valid JSON with an explicit reference id.
        ('{"to": "8451234567", "from": "8459511000", "body": "hi", "did_type": "TF", "reference_id": "r4"}',
         "r4", "TF", "hi"),
        # No reference id at all.
        ('{ "to": "8451234567", "from ": "8459511000 ", "body": "hi", "did_type ": "TN " }', None, "TN", "hi"),
    ],
)
def test_sms_data_variants(data, reference_id, did_type, body):
    got_reference, got_did, got_data = read_sms_data(data)
    assert got_reference == reference_id
    assert got_did == did_type
    assert isinstance(got_data, dict)
    assert got_data["body"] == body
    assert got_data["from"] == "8459511000"


def test_sms_data_as_object():
    reference_id, did_type, data = read_sms_data(
        {"to ": "8451234567 ", "from": "8459511000", "body": " hi ", "did_type": "TN", "reference_id": " z9 "}
    )
    assert (reference_id, did_type) == ("z9", "TN")
    assert data == {"to": "8451234567", "from": "8459511000", "body": "hi", "did_type": "TN", "reference_id": "z9"}


def test_sms_data_object_with_duplicate_keys_in_the_reply():
    content = (
        b'{"status": "success", "errors": [], "data": '
        b'{"to": "8451234567", "from": "8459511000", "body": "hi", "did_type": "TN", "from": "dup9"}}'
    )
    body = check_reply(operation="sms", status_code=200, content=content, repeat_safe=False)
    result = sms_result(body)
    assert result.reference_id == "dup9"
    assert result.data["from"] == "8459511000"


@pytest.mark.parametrize(
    ("data", "reference_id", "did_type", "kept"),
    [
        ("Message queued", None, None, "Message queued"),
        ("  ", None, None, ""),
        ("", None, None, ""),
        (None, None, None, ""),
        ('garbage "did_type": "TF" more', None, "TF", 'garbage "did_type": "TF" more'),
        ("[1, 2]", None, None, "[1, 2]"),
    ],
)
def test_sms_data_unreadable_kept_as_text(data, reference_id, did_type, kept):
    assert read_sms_data(data) == (reference_id, did_type, kept)


def test_sms_reply_never_fails_on_odd_data():
    for data in ("nonsense", 42, None, [1], {"x": 1}):
        result = sms_result({"status": "success", "data": data})
        assert result.reference_id is None


def test_body_preview_folds_whitespace():
    assert body_preview(b"<h1>\n  Oops \n</h1>") == "<h1> Oops </h1>"
