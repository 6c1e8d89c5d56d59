"""The client against the real sandbox over loopback: every call, progress, refusals."""
from __future__ import annotations

import asyncio

import pytest

from console.api import (
    PRODUCTION_BASE_URL,
    CallResult,
    InvalidArgumentError,
    KeyRefusedError,
    RecordingResult,
    RequestRejectedError,
    SmsResult,
    VoitexClient,
)
from tests.api.conftest import library_entry, make_client, sha256_of
from tests.helpers import SANDBOX_KEY, make_mp3, make_sized_wav, make_wav, run_async


def test_public_names():
    import console.api as api

    for name in (
        "VoitexClient", "ApiError", "KeyRefusedError", "RequestRejectedError", "RateLimitedError",
        "ServerError", "ConnectionFailedError", "OutcomeUnknownError", "UnreadableReplyError",
        "InvalidArgumentError", "RecordingResult", "CallResult", "SmsResult", "PRODUCTION_BASE_URL",
    ):
        assert hasattr(api, name), name
    assert PRODUCTION_BASE_URL == "https://api.voitex.com"


def test_configuration_is_keyword_only():
    with pytest.raises(TypeError):
        VoitexClient("https://api.voitex.com", "key")  # type: ignore[misc]


def test_base_url_property_and_repr():
    client = VoitexClient(base_url="https://api.voitex.com/", auth_key="secret-abc-123")
    assert client.base_url == "https://api.voitex.com"
    assert "secret-abc-123" not in repr(client)
    assert VoitexClient(auth_key="k").base_url == PRODUCTION_BASE_URL


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base_url": "http://api.voitex.com"}, "base_url"),
        ({"base_url": "http://192.168.0.10:8000"}, "base_url"),
        ({"auth_key": ""}, "auth_key"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"read_timeout": 0}, "read_timeout"),
        ({"connect_timeout": -1}, "connect_timeout"),
        ({"upload_write_timeout": float("nan")}, "upload_write_timeout"),
        ({"chunk_size": 10}, "chunk_size"),
        ({"backoff_base": "1"}, "backoff_base"),
        ({"max_retry_after": -1}, "max_retry_after"),
    ],
)
def test_bad_configuration_refused(kwargs, field):
    settings = {"base_url": "https://api.voitex.com", "auth_key": "k", **kwargs}
    with pytest.raises(InvalidArgumentError) as info:
        VoitexClient(**settings)
    assert info.value.field == field


def test_every_call(sandbox, tmp_path):
    wav = make_wav(tmp_path / "welcome.wav", seconds=0.5)
    mp3 = make_mp3(tmp_path / "music.mp3")

    async def scenario():
        async with make_client(sandbox) as client:
            rec = await client.upload_recording(wav, album_number=1, sort_number=5, display_name="Welcome")
            rec_mp3 = await client.upload_recording(str(mp3), album_number="1", sort_number="6")
            tts = await client.create_tts(text="Hello", album_number=1, sort_number=15)
            tts_unsorted = await client.create_tts(text="Hello again", album_number=2)
            stream = await client.notification_call(
                cid="(845) 951-1000", to="845.500.9999", type="stream", sfile_id=rec.recording_id
            )
            goto = await client.notification_call(
                cid="8459511000", to="+1 845 500 9999", type="goto", route_number="8459511000", branch_number="150"
            )
            sms = await client.send_sms(from_number="1-845-951-1000", to="8451234567", body="Your order is ready")
            return rec, rec_mp3, tts, tts_unsorted, stream, goto, sms

    rec, rec_mp3, tts, tts_unsorted, stream, goto, sms = run_async(scenario())

    assert isinstance(rec, RecordingResult) and rec.recording_id.isdigit()
    assert rec.raw["status"] == "success" and rec.raw["data"] == rec.recording_id
    uploaded = library_entry(sandbox, 1, 5)
    assert uploaded["recording_id"] == rec.recording_id
    assert uploaded["display_name"] == "Welcome"
    assert uploaded["filename"] == "welcome.wav"
    assert uploaded["sha256"] == sha256_of(wav)
    assert uploaded["format"] == "wav"
    assert library_entry(sandbox, 1, 6)["sha256"] == sha256_of(mp3)
    assert library_entry(sandbox, 1, 6)["recording_id"] == rec_mp3.recording_id

    tts_entry = library_entry(sandbox, 1, 15)
    assert (tts_entry["kind"], tts_entry["text"], tts_entry["recording_id"]) == ("tts", "Hello", tts.recording_id)
    assert any(e["recording_id"] == tts_unsorted.recording_id and e["album"] == 2 for e in sandbox.library())

    outbox = sandbox.outbox()
    assert isinstance(stream, CallResult) and isinstance(goto, CallResult)
    calls = {c["reference_id"]: c for c in outbox["calls"]}
    assert calls[stream.reference_id]["type"] == "stream"
    assert calls[stream.reference_id]["sfile_id"] == rec.recording_id
    assert calls[stream.reference_id]["cid"] == "8459511000"
    assert calls[stream.reference_id]["to"] == "8455009999"
    assert calls[goto.reference_id]["route_number"] == "8459511000"
    assert calls[goto.reference_id]["branch_number"] == "150"
    assert stream.raw["reference_id"] == stream.reference_id

    assert isinstance(sms, SmsResult)
    [sent] = outbox["sms"]
    assert (sent["from"], sent["to"], sent["body"]) == ("8459511000", "8451234567", "Your order is ready")
    assert sms.reference_id == sent["reference_id"]
    assert sms.did_type == sent["did_type"] == "TN"
    assert sms.data["body"] == "Your order is ready"
    assert isinstance(sms.raw["data"], str)


def test_sms_body_with_quotes_and_braces(sandbox):
    body = 'He said "see you at 5", then {left}: ok?'

    async def scenario():
        async with make_client(sandbox) as client:
            return await client.send_sms(from_number="8459511000", to="8451234567", body=body)

    sms = run_async(scenario())
    [sent] = sandbox.outbox()["sms"]
    assert sms.reference_id == sent["reference_id"]
    assert sms.data["body"] == body == sent["body"]


def test_upload_progress_is_monotonic_and_ends_at_total(sandbox, tmp_path):
    wav = make_sized_wav(tmp_path / "big.wav", 3 * 1024 * 1024 + 123)
    size = wav.stat().st_size
    calls: list[tuple[int, int]] = []

    async def scenario():
        async with make_client(sandbox, chunk_size=64 * 1024) as client:
            return await client.upload_recording(
                wav, album_number=3, sort_number=1, on_progress=lambda sent, total: calls.append((sent, total))
            )

    run_async(scenario())
    assert calls[0] == (0, size)
    assert calls[-1] == (size, size)
    sent = [s for s, _ in calls]
    assert sent == sorted(sent)
    assert {t for _, t in calls} == {size}
    assert 10 < len(calls) <= 102
    assert library_entry(sandbox, 3, 1)["sha256"] == sha256_of(wav)


def test_upload_replaces_same_album_and_sort(sandbox, tmp_path):
    first = make_wav(tmp_path / "a.wav", seconds=0.1)
    second = make_wav(tmp_path / "b.wav", seconds=0.2, tone_hz=880)

    async def scenario():
        async with make_client(sandbox) as client:
            a = await client.upload_recording(first, album_number=4, sort_number=1)
            b = await client.upload_recording(second, album_number=4, sort_number=1)
            return a, b

    a, b = run_async(scenario())
    entry = library_entry(sandbox, 4, 1)
    assert entry["recording_id"] == b.recording_id != a.recording_id
    assert entry["sha256"] == sha256_of(second)


def test_wrong_key_is_refused(sandbox, tmp_path):
    wav = make_wav(tmp_path / "a.wav")

    async def scenario():
        errors = []
        async with make_client(sandbox, auth_key="wrong-key-000") as client:
            for call in (
                client.send_sms(from_number="8459511000", to="8451234567", body="hi"),
                client.upload_recording(wav, album_number=1, sort_number=1),
            ):
                with pytest.raises(KeyRefusedError) as info:
                    await call
                errors.append(info.value)
        return errors

    for err in run_async(scenario()):
        assert err.status_code == 401
        assert err.messages == ["The auth_key header is missing or not valid."]
        assert err.outcome_unknown is False
        assert err.attempts == 1
        assert "wrong-key-000" not in str(err) and "wrong-key-000" not in repr(err)
    assert sandbox.outbox()["sms"] == [] and sandbox.library() == []


def test_sandbox_validation_is_a_rejection_with_its_messages(sandbox, tmp_path):
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio at all")

    async def scenario():
        async with make_client(sandbox) as client:
            with pytest.raises(RequestRejectedError) as upload_info:
                await client.upload_recording(not_audio, album_number=1, sort_number=1)
            with pytest.raises(RequestRejectedError) as sms_info:
                await client.send_sms(from_number="8459511000", to="8451234567", body="x" * 5000)
            return upload_info.value, sms_info.value

    upload_err, sms_err = run_async(scenario())
    for err, word in ((upload_err, "upload_file"), (sms_err, "body")):
        assert err.status_code == 200
        assert len(err.messages) == 1 and word in err.messages[0]
        assert err.messages[0] in str(err)
        assert err.outcome_unknown is False
        assert err.attempts == 1
    assert sandbox.library() == [] and sandbox.outbox()["sms"] == []


def test_invalid_arguments_refused_before_anything_is_sent(sandbox, tmp_path):
    wav = make_wav(tmp_path / "a.wav")

    async def async_progress(sent, total):
        return None

    async def scenario():
        async with make_client(sandbox) as client:
            cases = [
                (client.send_sms(from_number="8459511000", to="555-1234", body="hi"), "to"),
                (client.send_sms(from_number="8459511000", to="8451234567", body=""), "body"),
                (client.notification_call(cid="8459511000", to="8455009999", type="stream"), "sfile_id"),
                (client.notification_call(cid="8459511000", to="8455009999", type="goto", branch_number="1"),
                 "route_number"),
                (client.create_tts(text="x" * 3001, album_number=1), "text"),
                (client.create_tts(text="hi", album_number=-1), "album_number"),
                (client.upload_recording(tmp_path / "missing.wav", album_number=1, sort_number=1), "path"),
                (client.upload_recording(tmp_path, album_number=1, sort_number=1), "path"),
                (client.upload_recording(wav, album_number=1, sort_number=1, on_progress=async_progress),
                 "on_progress"),
                (client.upload_recording(wav, album_number=1, sort_number=1, on_progress="print"), "on_progress"),
            ]
            fields = []
            for call, field in cases:
                with pytest.raises(InvalidArgumentError) as info:
                    await call
                assert info.value.attempts == 0
                fields.append((info.value.field, field))
            return fields

    for got, expected in run_async(scenario()):
        assert got == expected
    assert sandbox.outbox() == {"sms": [], "calls": []}
    assert sandbox.library() == []


def test_client_belongs_to_one_loop_and_refuses_use_after_close(sandbox):
    client = make_client(sandbox)

    async def send(body):
        return await client.send_sms(from_number="8459511000", to="8451234567", body=body)

    async def close_and_send():
        await client.aclose()
        await client.aclose()  # idempotent
        with pytest.raises(RuntimeError, match="closed"):
            await send("three")

    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        first.run_until_complete(send("one"))
        with pytest.raises(RuntimeError, match="another event loop"):
            second.run_until_complete(send("two"))
        first.run_until_complete(close_and_send())
    finally:
        first.close()
        second.close()
    assert [m["body"] for m in sandbox.outbox()["sms"]] == ["one"]


def test_plain_http_to_a_remote_host_is_refused():
    with pytest.raises(InvalidArgumentError) as info:
        VoitexClient(base_url="http://api.voitex.com", auth_key=SANDBOX_KEY)
    assert info.value.field == "base_url"
    assert "http://" in str(info.value)
    assert SANDBOX_KEY not in str(info.value) and SANDBOX_KEY not in repr(info.value)


def test_one_http_client_reused_across_calls(sandbox):
    async def scenario():
        async with make_client(sandbox) as client:
            await client.send_sms(from_number="8459511000", to="8451234567", body="one")
            first = client._http
            await client.send_sms(from_number="8459511000", to="8451234567", body="two")
            assert client._http is first and first is not None
        assert client._http is None and client.closed
        return True

    assert run_async(scenario())
