"""Failures and retries against the sandbox's injected faults.

The outbox and the library are the proof: an SMS or a call is in the outbox at
most once, whatever happened; an upload is stored once after its retries.
"""
from __future__ import annotations

from collections import Counter

import pytest

from console.api import (
    ConnectionFailedError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    UnreadableReplyError,
    VoitexClient,
)
from console.sandbox import FaultRule
from tests.api.conftest import library_entry, make_client, sha256_of
from tests.helpers import SANDBOX_KEY, make_wav, run_async

SMS = {"from_number": "8459511000", "to": "8451234567"}


def send_sms(sandbox, body="hello", **client_settings):
    async def scenario():
        async with make_client(sandbox, **client_settings) as client:
            return await client.send_sms(**SMS, body=body)

    return run_async(scenario())


def sms_error(sandbox, cls, body="hello", **client_settings):
    with pytest.raises(cls) as info:
        send_sms(sandbox, body=body, **client_settings)
    return info.value


def test_429_is_retried_then_succeeds(sandbox):
    sandbox.add_fault(FaultRule(endpoint="sms", kind="http429", count=2, retry_after=0.05))
    result = send_sms(sandbox, body="after 429")
    [sent] = sandbox.outbox()["sms"]
    assert sent["body"] == "after 429" and sent["reference_id"] == result.reference_id


def test_429_that_persists_raises_rate_limited_with_the_wait(sandbox):
    sandbox.add_fault(FaultRule(endpoint="sms", kind="http429", retry_after=0.05))
    err = sms_error(sandbox, RateLimitedError, max_attempts=3)
    assert err.status_code == 429
    assert err.retry_after == pytest.approx(0.05)
    assert err.attempts == 3
    assert err.outcome_unknown is False
    assert sandbox.outbox()["sms"] == []


def test_429_asking_for_longer_than_the_cap_is_reported_at_once(sandbox):
    sandbox.add_fault(FaultRule(endpoint="sms", kind="http429", count=1, retry_after=30))
    err = sms_error(sandbox, RateLimitedError, max_retry_after=5)
    assert err.retry_after == 30
    assert err.attempts == 1
    assert "30 seconds" in str(err)


def test_500_on_sms_is_not_retried_and_outcome_unknown(sandbox):
    # One 500 only: had the client retried, the second attempt would have sent it.
    sandbox.add_fault(FaultRule(endpoint="sms", kind="http500", count=1))
    err = sms_error(sandbox, ServerError)
    assert err.status_code == 500
    assert err.outcome_unknown is True
    assert err.attempts == 1
    assert err.messages  # the sandbox's message, verbatim
    assert sandbox.outbox()["sms"] == []


@pytest.mark.parametrize("endpoint", ["sms", "call"])
def test_dropped_after_acting_is_outcome_unknown_and_never_repeated(sandbox, endpoint):
    sandbox.add_fault(FaultRule(endpoint=endpoint, kind="drop", count=1, acted=True))

    async def scenario():
        async with make_client(sandbox) as client:
            if endpoint == "sms":
                await client.send_sms(**SMS, body="dropped")
            else:
                await client.notification_call(cid="8459511000", to="8455009999", type="stream", sfile_id="1")

    with pytest.raises(OutcomeUnknownError) as info:
        run_async(scenario())
    err = info.value
    assert err.outcome_unknown is True and err.timed_out is False
    assert err.status_code is None
    assert err.attempts == 1
    outbox = sandbox.outbox()
    assert len(outbox["sms" if endpoint == "sms" else "calls"]) == 1


def test_slow_reply_beyond_the_read_timeout_is_outcome_unknown(sandbox):
    sandbox.add_fault(FaultRule(endpoint="sms", kind="slow", count=1, delay=3.0))
    err = sms_error(sandbox, OutcomeUnknownError, body="slow", read_timeout=0.3)
    assert err.timed_out is True
    assert err.attempts == 1
    assert "0.3 seconds" in str(err)
    assert [m["body"] for m in sandbox.outbox()["sms"]] == ["slow"]


def test_html_page_is_unreadable_naming_the_status(sandbox):
    sandbox.add_fault(FaultRule(endpoint="sms", kind="html", count=1))
    err = sms_error(sandbox, UnreadableReplyError)
    assert err.status_code == 502
    assert "HTTP 502" in str(err)
    assert "502 Bad Gateway" in str(err)
    assert err.outcome_unknown is True
    assert err.attempts == 1
    assert sandbox.outbox()["sms"] == []


def test_api_error_is_a_rejection(sandbox):
    sandbox.add_fault(FaultRule(endpoint="sms", kind="api_error", count=1))
    err = sms_error(sandbox, RequestRejectedError)
    assert err.status_code == 200
    assert err.messages and err.messages[0] in str(err)
    assert err.outcome_unknown is False


@pytest.mark.parametrize("call", ["sms", "upload"])
def test_connection_refused_is_retried_then_reported(closed_port, tmp_path, call):
    wav = make_wav(tmp_path / "a.wav")

    async def scenario():
        async with VoitexClient(
            base_url=f"http://127.0.0.1:{closed_port}", auth_key=SANDBOX_KEY, max_attempts=3, backoff_base=0.01
        ) as client:
            if call == "sms":
                await client.send_sms(**SMS, body="nobody home")
            else:
                await client.upload_recording(wav, album_number=1, sort_number=1)

    with pytest.raises(ConnectionFailedError) as info:
        run_async(scenario())
    err = info.value
    assert err.attempts == 3
    assert err.status_code is None
    assert err.outcome_unknown is False
    assert "127.0.0.1" in str(err)
    assert isinstance(err.__cause__, Exception)  # the httpx error, chained, not leaked


@pytest.mark.parametrize(
    "rule",
    [
        FaultRule(endpoint="upload", kind="http500", count=2),
        FaultRule(endpoint="upload", kind="drop", count=2),
        FaultRule(endpoint="upload", kind="html", count=1),
        FaultRule(endpoint="upload", kind="http429", count=1, retry_after=0.05),
    ],
    ids=["http500", "drop", "html", "http429"],
)
def test_upload_retried_and_stored_exactly_once(sandbox, tmp_path, rule):
    wav = make_wav(tmp_path / "a.wav", seconds=0.3)
    sandbox.add_fault(rule)

    async def scenario():
        async with make_client(sandbox) as client:
            return await client.upload_recording(wav, album_number=7, sort_number=3)

    result = run_async(scenario())
    entry = library_entry(sandbox, 7, 3)
    assert entry["recording_id"] == result.recording_id
    assert entry["upload_count"] == 1
    assert entry["sha256"] == sha256_of(wav)


def test_upload_dropped_after_storing_is_retried_and_replaces(sandbox, tmp_path):
    wav = make_wav(tmp_path / "a.wav", seconds=0.3)
    sandbox.add_fault(FaultRule(endpoint="upload", kind="drop", count=1, acted=True))

    async def scenario():
        async with make_client(sandbox) as client:
            return await client.upload_recording(wav, album_number=7, sort_number=4)

    result = run_async(scenario())
    entry = library_entry(sandbox, 7, 4)
    # Stored twice at the same place: one recording, the second one's id.
    assert entry["recording_id"] == result.recording_id
    assert entry["sha256"] == sha256_of(wav)
    assert entry["upload_count"] == 2


def test_upload_server_error_that_persists(sandbox, tmp_path):
    wav = make_wav(tmp_path / "a.wav")
    sandbox.add_fault(FaultRule(endpoint="upload", kind="http500"))

    async def scenario():
        async with make_client(sandbox, max_attempts=3) as client:
            await client.upload_recording(wav, album_number=1, sort_number=1)

    with pytest.raises(ServerError) as info:
        run_async(scenario())
    assert info.value.attempts == 3
    assert info.value.outcome_unknown is False
    assert sandbox.library() == []


def test_tts_with_sort_number_retried_on_500_without_not(sandbox):
    sandbox.add_fault(FaultRule(endpoint="tts", kind="http500", count=1, acted=True))

    async def with_sort():
        async with make_client(sandbox) as client:
            return await client.create_tts(text="Sorted", album_number=5, sort_number=1)

    result = run_async(with_sort())
    assert library_entry(sandbox, 5, 1)["recording_id"] == result.recording_id

    sandbox.add_fault(FaultRule(endpoint="tts", kind="http500", count=1, acted=True))

    async def without_sort():
        async with make_client(sandbox) as client:
            await client.create_tts(text="Unsorted", album_number=5)

    with pytest.raises(ServerError) as info:
        run_async(without_sort())
    assert info.value.outcome_unknown is True
    assert info.value.attempts == 1
    assert [e["text"] for e in sandbox.library() if e["sort"] is None] == ["Unsorted"]


def test_sms_at_most_once_under_random_faults(sandbox):
    for rule in (
        FaultRule(endpoint="sms", kind="drop", probability=0.25, acted=True, seed=11),
        FaultRule(endpoint="sms", kind="drop", probability=0.2, acted=False, seed=12),
        FaultRule(endpoint="sms", kind="http500", probability=0.2, acted=True, seed=13),
        FaultRule(endpoint="sms", kind="http429", probability=0.3, retry_after=0.01, seed=14),
    ):
        sandbox.add_fault(rule)
    bodies = [f"message {i}" for i in range(16)]

    async def scenario():
        outcomes = {}
        async with make_client(sandbox, max_attempts=6) as client:
            for body in bodies:
                try:
                    outcomes[body] = await client.send_sms(**SMS, body=body)
                except (OutcomeUnknownError, ServerError, RateLimitedError) as err:
                    outcomes[body] = err
        return outcomes

    outcomes = run_async(scenario())
    counts = Counter(m["body"] for m in sandbox.outbox()["sms"])
    assert all(count == 1 for count in counts.values())
    succeeded = [b for b, o in outcomes.items() if not isinstance(o, Exception)]
    failed = [b for b, o in outcomes.items() if isinstance(o, Exception)]
    assert succeeded and failed, "the seeds should give both outcomes"
    for body in succeeded:
        assert counts[body] == 1
    for body in failed:
        assert outcomes[body].outcome_unknown or counts[body] == 0


def test_uploads_exactly_once_under_random_faults(sandbox, tmp_path):
    for rule in (
        FaultRule(endpoint="upload", kind="http500", probability=0.3, seed=21),
        FaultRule(endpoint="upload", kind="drop", probability=0.2, seed=22),
        FaultRule(endpoint="upload", kind="http429", probability=0.2, retry_after=0.01, seed=23),
    ):
        sandbox.add_fault(rule)
    files = [make_wav(tmp_path / f"r{i}.wav", seconds=0.05 * (i + 1), tone_hz=300 + 50 * i) for i in range(8)]

    async def scenario():
        async with make_client(sandbox, max_attempts=10) as client:
            return [
                await client.upload_recording(f, album_number=8, sort_number=i) for i, f in enumerate(files)
            ]

    results = run_async(scenario())
    for i, (f, result) in enumerate(zip(files, results, strict=True)):
        entry = library_entry(sandbox, 8, i)
        assert entry["recording_id"] == result.recording_id
        assert entry["upload_count"] == 1
        assert entry["sha256"] == sha256_of(f)
