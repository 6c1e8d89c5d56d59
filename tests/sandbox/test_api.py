"""The four Voitex calls over real loopback HTTP, as the notes describe them."""
from __future__ import annotations

import asyncio
import hashlib
import re
import tracemalloc

import httpx
import pytest

from console.sandbox import SandboxServer
from tests.helpers import SANDBOX_KEY, make_mp3, make_sized_wav, make_wav, run_async
from tests.sandbox.support import (
    CALL,
    GOOD_CALL,
    GOOD_SMS,
    GOOD_TTS,
    SMS,
    TTS,
    UPLOAD,
    multipart,
    upload_parts,
)


def _error(response: httpx.Response) -> list[str]:
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "error"
    return body["errors"]


# Success replies


def test_upload_wav_stores_the_file(client, sandbox, tmp_path):
    wav = make_wav(tmp_path / "welcome.wav")
    response = client.post(UPLOAD, files=upload_parts(wav, album=1, sort=5, display_name="Welcome"))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "status", "errors"]  # the documentation's key order
    assert body["status"] == "success" and body["errors"] == []
    assert re.fullmatch(r"[0-9]+", body["data"])
    (entry,) = sandbox.library()
    content = wav.read_bytes()
    assert entry["recording_id"] == body["data"]
    assert (entry["kind"], entry["album"], entry["sort"], entry["display_name"]) == ("upload", 1, 5, "Welcome")
    assert (entry["filename"], entry["format"], entry["upload_count"]) == ("welcome.wav", "wav", 1)
    assert entry["size"] == len(content)
    assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert (sandbox.data_dir / "library" / "1" / "5.wav").read_bytes() == content


def test_upload_mp3_is_stored_as_mp3_whatever_its_name(client, sandbox, tmp_path):
    mp3 = make_mp3(tmp_path / "actually-mp3.wav")
    body = client.post(UPLOAD, files=upload_parts(mp3, album=2, sort=1)).json()
    assert body["status"] == "success"
    (entry,) = sandbox.library()
    assert entry["format"] == "mp3"
    assert (sandbox.data_dir / "library" / "2" / "1.mp3").read_bytes() == mp3.read_bytes()


def test_text_file_named_wav_is_rejected_and_nothing_kept(client, sandbox, tmp_path):
    fake = tmp_path / "fake.wav"
    fake.write_text("This is a text file with a .wav name.\n")
    messages = _error(client.post(UPLOAD, files=upload_parts(fake)))
    assert messages == ["upload_file is not a wav or mp3 recording (its content was checked, not its name)"]
    assert sandbox.library() == []
    assert list((sandbox.data_dir / "incoming").iterdir()) == []


def test_same_album_and_sort_replaces_the_file_with_a_new_id(client, sandbox, tmp_path):
    first = make_wav(tmp_path / "first.wav", seconds=0.1)
    second = make_wav(tmp_path / "second.wav", seconds=0.2)
    first_id = client.post(UPLOAD, files=upload_parts(first, album=4, sort=9)).json()["data"]
    second_id = client.post(UPLOAD, files=upload_parts(second, album=4, sort=9)).json()["data"]
    assert first_id != second_id
    (entry,) = sandbox.library()
    assert (entry["recording_id"], entry["filename"], entry["upload_count"]) == (second_id, "second.wav", 2)
    assert (sandbox.data_dir / "library" / "4" / "9.wav").read_bytes() == second.read_bytes()


def test_tts(client, sandbox):
    response = client.post(TTS, files=multipart(GOOD_TTS))
    body = response.json()
    assert list(body) == ["status", "data", "errors"]
    assert body["status"] == "success" and re.fullmatch(r"[0-9]+", body["data"])
    (entry,) = sandbox.library()
    assert (entry["kind"], entry["album"], entry["sort"], entry["text"]) == ("tts", 1, 15, GOOD_TTS["text"])


def test_notification_call_stream_and_goto(client, sandbox):
    stream = client.post(CALL, files=multipart(GOOD_CALL)).json()
    goto = client.post(CALL, files=multipart({"cid": "8459511000", "to": "8455009999", "type": "goto",
                                              "route_number": "8459511000", "branch_number": "150"})).json()
    for body in (stream, goto):
        assert list(body) == ["status", "reference_id", "errors"]
        assert body["status"] == "success" and body["errors"] == []
        assert re.fullmatch(r"[A-Za-z0-9]{15}", body["reference_id"])
    calls = sandbox.outbox()["calls"]
    assert [c["reference_id"] for c in calls] == [stream["reference_id"], goto["reference_id"]]
    assert (calls[0]["type"], calls[0]["sfile_id"]) == ("stream", "918357")
    assert (calls[1]["route_number"], calls[1]["branch_number"]) == ("8459511000", "150")


def test_sms_reply_is_the_documented_pseudo_json_with_the_body_verbatim(client, sandbox):
    body_text = 'He said "hi", then {left}\\ '
    body = client.post(SMS, files=multipart({**GOOD_SMS, "body": body_text})).json()
    assert list(body) == ["status", "data", "errors"]
    assert body["status"] == "success"
    (sent,) = sandbox.outbox()["sms"]
    assert (sent["from"], sent["to"], sent["body"], sent["did_type"]) == ("8459511000", "8451234567", body_text, "TN")
    assert re.fullmatch(r"[A-Za-z0-9]{6}", sent["reference_id"])
    assert body["data"] == (
        '{ "to": "8451234567", "from ": "8459511000 ", "body": "' + body_text + '", '
        '"did_type ": "TN ", "from ": "' + sent["reference_id"] + ' " }'
    )


# Validation


@pytest.mark.parametrize(
    ("path", "fields", "expected"),
    [
        (UPLOAD, {"album_number": "one", "sort_number": "5"}, ["album_number must be a whole number"]),
        (UPLOAD, {"sort_number": "5"}, ["album_number is required"]),
        (TTS, {"album_number": "1"}, ["text is required"]),
        (TTS, {"album_number": "1", "text": ""}, ["text must not be empty"]),
        (TTS, {"album_number": "1", "text": "x" * 3001}, ["text is longer than 3000 characters"]),
        (TTS, {"album_number ": "1", "text": "hi"}, ["album_number is required"]),
        (CALL, {**GOOD_CALL, "to": "555-1234"}, ["to must be a 10-digit phone number"]),
        (CALL, {**GOOD_CALL, "type": "ring"}, ["type must be 'stream' or 'goto'"]),
        (CALL, {"cid": "8459511000", "to": "8455009999", "type": "stream"},
         ["sfile_id is required when type is 'stream'"]),
        (CALL, {"cid": "8459511000", "to": "8455009999", "type": "goto", "route_number": "8459511000",
                "branch_number ": "150"}, ["route_number and branch_number are required when type is 'goto'"]),
        (SMS, {"from ": "8459511000", "to": "8451234567", "body": "hi"}, ["from is required"]),
        (SMS, {**GOOD_SMS, "body": "   "}, ["body must not be empty"]),
    ],
)
def test_validation_failures_name_the_field(client, sandbox, tmp_path, path, fields, expected):
    files = {"upload_file": ("a.wav", make_wav(tmp_path / "a.wav").read_bytes())} if path == UPLOAD else None
    response = client.post(path, files=multipart(fields, files))
    assert response.json() == {"status": "error", "data": "", "errors": expected}
    assert sandbox.library() == [] and sandbox.outbox() == {"sms": [], "calls": []}


def test_urlencoded_body_is_refused(client):
    assert _error(client.post(SMS, data=GOOD_SMS)) == ["The request body must be multipart/form-data."]


def test_malformed_multipart_is_refused(client):
    headers = {"content-type": "multipart/form-data; boundary=xyz"}
    truncated = b'--xyz\r\nContent-Disposition: form-data; name="to"\r\n\r\n8451234567'
    messages = _error(client.post(SMS, content=truncated, headers=headers))
    assert messages == ["The multipart/form-data body ends before its closing boundary."]


def test_a_part_without_a_name_is_refused(client):
    headers = {"content-type": "multipart/form-data; boundary=xyz"}
    body = b'--xyz\r\nContent-Disposition: form-data\r\n\r\n8451234567\r\n--xyz--\r\n'
    [message] = _error(client.post(SMS, content=body, headers=headers))
    assert message.startswith("The multipart/form-data body could not be read:")
    assert "name" in message


def test_a_repeated_part_keeps_its_last_value_and_no_spooled_file_is_left(client, sandbox, tmp_path):
    first, second = make_wav(tmp_path / "a.wav"), make_wav(tmp_path / "b.wav", tone_hz=300)
    request = httpx.Request("POST", "http://x/", files=[
        ("album_number", (None, "1")), ("sort_number", (None, "9")), ("sort_number", (None, "5")),
        ("upload_file", ("a.wav", first.read_bytes())), ("upload_file", ("b.wav", second.read_bytes()))])
    reply = client.post(UPLOAD, content=request.read(),
                        headers={"content-type": request.headers["content-type"]})
    assert reply.json()["status"] == "success"
    [entry] = sandbox.library()
    assert entry["sort"] == 5
    assert entry["sha256"] == hashlib.sha256(second.read_bytes()).hexdigest()
    assert list((sandbox.data_dir / "incoming").iterdir()) == []


def test_upload_file_sent_as_a_text_field_is_refused(client):
    fields = {"album_number": "1", "sort_number": "5", "upload_file": "example.wav"}
    assert _error(client.post(UPLOAD, files=multipart(fields))) == [
        "upload_file must be sent as a file, not as a text field"
    ]


# Authentication


@pytest.mark.parametrize(("method", "path"), [("POST", SMS), ("POST", UPLOAD), ("GET", "/sandbox/library"),
                                              ("GET", "/sandbox/outbox"), ("GET", "/sandbox/faults"),
                                              ("POST", "/sandbox/reset")])
def test_missing_or_wrong_key_is_401(sandbox, method, path):
    for headers in ({}, {"auth_key": "wrong-key"}, {"auth_key": SANDBOX_KEY + "x"}, {"Auth-Key": SANDBOX_KEY}):
        with httpx.Client(base_url=sandbox.url, headers=headers) as http:
            response = http.request(method, path, files=multipart(GOOD_SMS) if method == "POST" else None)
        assert response.status_code == 401, headers
        assert response.json() == {"status": "error", "errors": ["The auth_key header is missing or not valid."]}
    assert sandbox.outbox()["sms"] == []


def test_401_arrives_after_a_large_upload_body(sandbox, tmp_path):
    big = make_sized_wav(tmp_path / "big.wav", 8 * 1024 * 1024)
    with httpx.Client(base_url=sandbox.url, headers={"auth_key": "wrong"}) as http:
        response = http.post(UPLOAD, files=upload_parts(big))
    assert response.status_code == 401


def test_health_needs_no_key(sandbox):
    with httpx.Client(base_url=sandbox.url) as http:
        assert http.get("/sandbox/health").json() == {"status": "ok"}


# Controls


def test_library_and_outbox_views_match_the_python_api(client, sandbox, tmp_path):
    client.post(UPLOAD, files=upload_parts(make_wav(tmp_path / "a.wav")))
    client.post(TTS, files=multipart(GOOD_TTS))
    client.post(SMS, files=multipart(GOOD_SMS))
    client.post(CALL, files=multipart(GOOD_CALL))
    assert client.get("/sandbox/library").json() == {"recordings": sandbox.library()}
    assert client.get("/sandbox/outbox").json() == sandbox.outbox()
    assert len(sandbox.library()) == 2
    assert [len(v) for v in sandbox.outbox().values()] == [1, 1]


def test_reset_empties_library_and_outbox(client, sandbox, tmp_path):
    client.post(UPLOAD, files=upload_parts(make_wav(tmp_path / "a.wav")))
    client.post(SMS, files=multipart(GOOD_SMS))
    assert client.post("/sandbox/reset").json() == {"status": "ok"}
    assert client.get("/sandbox/library").json() == {"recordings": []}
    assert client.get("/sandbox/outbox").json() == {"sms": [], "calls": []}
    assert list((sandbox.data_dir / "library").iterdir()) == []


def test_fault_control_endpoints(client, sandbox):
    rule = {"endpoint": "sms", "kind": "http429", "count": 2, "retry_after": 3}
    listed = client.post("/sandbox/faults", json=rule).json()["faults"]
    assert listed == client.get("/sandbox/faults").json()["faults"] == sandbox.faults()
    (entry,) = listed
    assert (entry["endpoint"], entry["kind"], entry["count"], entry["remaining"], entry["acted"]) == (
        "sms", "http429", 2, 2, False)

    assert client.post(SMS, files=multipart(GOOD_SMS)).status_code == 429
    assert client.get("/sandbox/faults").json()["faults"][0]["remaining"] == 1

    assert client.delete("/sandbox/faults").json() == {"faults": []}
    assert client.post(SMS, files=multipart(GOOD_SMS)).json()["status"] == "success"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"endpoint": "sms", "kind": "boom"}, "kind must be one of"),
        ({"endpoint": "sms"}, "kind is required"),
        ({"endpoint": "sms", "kind": "slow", "delay": "5"}, "delay must be a number"),
    ],
)
def test_bad_fault_rule_is_a_400_with_the_reason(client, payload, message):
    response = client.post("/sandbox/faults", json=payload)
    assert response.status_code == 400
    assert message in response.json()["errors"][0]
    assert client.get("/sandbox/faults").json() == {"faults": []}


def test_fault_rule_body_that_is_not_json_is_a_400(client):
    response = client.post("/sandbox/faults", content=b"sms:http500", headers={"content-type": "text/plain"})
    assert response.status_code == 400


# Persistence, concurrency, streaming


def test_restarted_sandbox_keeps_library_and_outbox(tmp_path):
    data_dir = tmp_path / "restart"
    wav = make_wav(tmp_path / "a.wav")
    with SandboxServer(data_dir=data_dir, auth_key="k") as first:
        with httpx.Client(base_url=first.url, headers={"auth_key": "k"}) as http:
            http.post(UPLOAD, files=upload_parts(wav, album=3, sort=7))
            http.post(SMS, files=multipart(GOOD_SMS))
            http.post(CALL, files=multipart(GOOD_CALL))
            http.post(TTS, files=multipart(GOOD_TTS))
        library, outbox = first.library(), first.outbox()
    with SandboxServer(data_dir=data_dir, auth_key="k") as second:
        with httpx.Client(base_url=second.url, headers={"auth_key": "k"}) as http:
            assert http.get("/sandbox/library").json() == {"recordings": library}
            assert http.get("/sandbox/outbox").json() == outbox
    assert len(library) == 2 and len(outbox["sms"]) == len(outbox["calls"]) == 1


def test_concurrent_uploads_each_arrive_exactly_once(sandbox, tmp_path):
    files = [make_wav(tmp_path / f"r{i}.wav", seconds=0.05 * (i + 1)) for i in range(12)]

    async def upload_all():
        async with httpx.AsyncClient(base_url=sandbox.url, headers={"auth_key": SANDBOX_KEY}) as http:
            async def one(sort, path):
                return await http.post(UPLOAD, files=upload_parts(path, album=8, sort=sort))

            return await asyncio.gather(*(one(i, f) for i, f in enumerate(files)))

    responses = run_async(upload_all())
    assert {r.json()["status"] for r in responses} == {"success"}
    library = sandbox.library()
    assert [(e["sort"], e["upload_count"]) for e in library] == [(i, 1) for i in range(12)]
    assert len({e["recording_id"] for e in library}) == 12
    for entry, path in zip(library, files, strict=True):
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_large_upload_is_streamed_not_held_in_memory(sandbox, tmp_path):
    big = make_sized_wav(tmp_path / "big.wav", 32 * 1024 * 1024)
    tracemalloc.start()
    try:
        with httpx.Client(base_url=sandbox.url, headers={"auth_key": SANDBOX_KEY}, timeout=60) as http:
            with big.open("rb") as source:
                parts = multipart({"album_number": "9", "sort_number": "1"}, {"upload_file": ("big.wav", source)})
                response = http.post(UPLOAD, files=parts)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.json()["status"] == "success"
    # Client and server together; a buffered body would be 32 MiB on its own.
    assert peak < 8 * 1024 * 1024
    (entry,) = sandbox.library()
    assert entry["size"] == big.stat().st_size
    assert entry["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
