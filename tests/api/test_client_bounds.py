"""Bounds on the wire: an overall deadline per request and a cap on the reply's size.

The servers are small asyncio programs on loopback (tests/api/loopback.py)
that trickle, flood or send a gzip bomb. A trickle outlasts the test's
deadline and then closes: a client without a deadline would end with a lost
connection (``timed_out`` False) instead of the timeout asserted here.
"""
from __future__ import annotations

import asyncio
import tracemalloc

import pytest

from console.api import InvalidArgumentError, OutcomeUnknownError, UnreadableReplyError, VoitexClient
from console.api.bounded import ReplyTooLarge, UnknownEncoding, read_capped
from tests.api import loopback
from tests.helpers import make_sized_wav, run_async

KEY = "bounds-key-0123456789"
SMS = {"from_number": "8459511000", "to": "8451234567", "body": "hi"}
CALL = {"cid": "8459511000", "to": "8451234567", "type": "stream", "sfile_id": "918357"}
MIB = 1024 * 1024


def client_for(url: str, **settings) -> VoitexClient:
    return VoitexClient(base_url=url, auth_key=KEY, backoff_base=0.01, backoff_cap=0.02, **settings)


async def _one(url: str, operation: str, tmp_path, **settings):
    async with client_for(url, **settings) as client:
        if operation == "sms":
            return await client.send_sms(**SMS)
        if operation == "call":
            return await client.notification_call(**CALL)
        if operation == "tts":
            return await client.create_tts(text="Hello", album_number=1, sort_number=2)
        path = make_sized_wav(tmp_path / "a.wav", 2048)
        return await client.upload_recording(path, album_number=1, sort_number=1)


def outcome(handler, operation: str, tmp_path, **settings):
    """Run one call against a loopback server; return the error it raised."""

    async def scenario():
        async with loopback.serve(handler) as url:
            return await _one(url, operation, tmp_path, **settings)

    with pytest.raises(Exception) as info:
        run_async(scenario())
    return info.value


# --- the deadline ---------------------------------------------------------


@pytest.mark.parametrize("operation", ["sms", "call", "tts", "upload"])
@pytest.mark.parametrize("handler", [loopback.trickle_headers, loopback.trickle_body], ids=["headers", "body"])
def test_a_trickling_server_hits_the_deadline(handler, operation, tmp_path):
    # The read timeout (30 s) never fires: a byte comes every 20 ms.
    err = outcome(handler, operation, tmp_path, deadline=0.3)
    assert isinstance(err, OutcomeUnknownError), repr(err)
    assert err.timed_out is True
    assert err.outcome_unknown is True
    assert err.operation == operation
    assert err.attempts == 1  # a timeout is never retried automatically
    assert "No complete reply from Voitex within" in str(err)


@pytest.mark.parametrize("operation", ["sms", "call"])
def test_past_the_deadline_an_sms_or_call_says_check_before_sending_again(operation, tmp_path):
    err = outcome(loopback.trickle_body, operation, tmp_path, deadline=0.3)
    assert "0.3 seconds" in str(err)
    assert "check before sending it again" in str(err)


def test_an_uploads_deadline_grows_with_the_files_size(tmp_path):
    path = make_sized_wav(tmp_path / "a.wav", 2048)
    size = path.stat().st_size

    async def scenario():
        async with loopback.serve(loopback.trickle_body) as url:
            async with client_for(url, deadline=0.2, upload_deadline_rate=4096) as client:
                await client.upload_recording(path, album_number=1, sort_number=1)

    with pytest.raises(OutcomeUnknownError) as info:
        run_async(scenario())
    assert f"within {0.2 + size / 4096:.3g} seconds" in str(info.value)


@pytest.mark.parametrize(
    "setting, value",
    [("deadline", 0), ("deadline", -1), ("deadline", float("inf")), ("upload_deadline_rate", 0),
     ("max_reply_bytes", 10), ("max_reply_bytes", 1.5)],
)
def test_bounds_settings_are_checked(setting, value):
    with pytest.raises(InvalidArgumentError) as info:
        VoitexClient(base_url="http://127.0.0.1:9", auth_key=KEY, **{setting: value})
    assert info.value.field == setting


# --- the reply size cap ---------------------------------------------------

BIG_REPLIES = [
    pytest.param(loopback.flood(declare_length=True), id="flood-declared"),
    pytest.param(loopback.flood(declare_length=False), id="flood-until-close"),
    pytest.param(loopback.gzip_bomb("gzip"), id="gzip-bomb"),
    pytest.param(loopback.gzip_bomb("deflate"), id="deflate-bomb"),
]


@pytest.mark.parametrize("operation", ["sms", "call"])
@pytest.mark.parametrize("handler", BIG_REPLIES)
def test_a_huge_reply_to_an_sms_or_call_is_unreadable_and_outcome_unknown(handler, operation, tmp_path):
    err = outcome(handler, operation, tmp_path)
    assert isinstance(err, UnreadableReplyError), repr(err)
    assert err.outcome_unknown is True
    assert err.status_code == 200
    assert err.attempts == 1
    assert "longer than 1 MiB" in str(err)
    assert "check before sending it again" in str(err)


@pytest.mark.parametrize("handler", BIG_REPLIES)
def test_a_huge_reply_to_an_upload_is_unreadable_not_success(handler, tmp_path):
    err = outcome(handler, "upload", tmp_path, max_reply_bytes=64 * 1024)
    assert isinstance(err, UnreadableReplyError), repr(err)
    assert "longer than 64 KiB" in str(err)
    assert err.attempts == 1  # a 200 is not a server error: not retried


@pytest.mark.parametrize("handler", BIG_REPLIES)
def test_a_huge_reply_costs_a_few_mib_at_most(handler, tmp_path):
    loopback.bomb_body("gzip")  # built before measuring
    loopback.bomb_body("deflate")

    async def scenario():
        async with loopback.serve(handler) as url:
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                with pytest.raises(UnreadableReplyError):
                    await _one(url, "sms", tmp_path)
                return tracemalloc.get_traced_memory()[1] - before
            finally:
                tracemalloc.stop()

    growth = run_async(scenario())
    assert growth < 20 * MIB, f"peak memory grew by {growth / MIB:.1f} MiB"


def test_a_reply_right_under_the_cap_is_read(tmp_path):
    body = b'{"status": "success", "reference_id": "55", "errors": [], "pad": "' + b" " * 5000 + b'"}'

    async def scenario(limit):
        async with loopback.serve(loopback.reply(body)) as url:
            async with client_for(url, max_reply_bytes=limit) as client:
                return await client.notification_call(**CALL)

    assert run_async(scenario(len(body))).reference_id == "55"
    with pytest.raises(UnreadableReplyError):
        run_async(scenario(len(body) - 1))


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_reply_is_read(encoding, tmp_path):
    async def scenario():
        async with loopback.serve(loopback.compressed(loopback.SUCCESS_SMS, encoding)) as url:
            async with client_for(url) as client:
                return await client.send_sms(**SMS)

    result = run_async(scenario())
    assert result.reference_id == "77"


def test_a_reply_in_an_unoffered_encoding_is_unreadable_and_outcome_unknown(tmp_path):
    handler = loopback.reply(b"\x00\x01", headers={"Content-Encoding": "br"})
    err = outcome(handler, "sms", tmp_path)
    assert isinstance(err, UnreadableReplyError)
    assert err.outcome_unknown is True
    assert "encoding" in str(err)


def test_a_damaged_gzip_reply_is_unreadable(tmp_path):
    handler = loopback.reply(b"\x1f\x8b\x08\x00garbage-not-gzip", headers={"Content-Encoding": "gzip"})
    err = outcome(handler, "call", tmp_path)
    assert isinstance(err, UnreadableReplyError)
    assert err.outcome_unknown is True


def test_a_huge_401_is_still_a_refused_key(tmp_path):
    from console.api import KeyRefusedError

    handler = loopback.reply(b"x" * (2 * MIB), status="401 Unauthorized")
    err = outcome(handler, "sms", tmp_path)
    assert isinstance(err, KeyRefusedError)


# --- read_capped on its own -----------------------------------------------


async def _chunks(*parts: bytes):
    for part in parts:
        yield part


@pytest.mark.parametrize(
    "parts, encoding, length, limit, expected",
    [
        ((b"abc", b"def"), "", None, 6, b"abcdef"),
        ((b"abc", b"def"), "identity", "6", 6, b"abcdef"),
        ((b"abc", b"defg"), "", None, 6, ReplyTooLarge),
        ((b"a",), "", "7", 6, ReplyTooLarge),  # refused on the declared length alone
        ((b"abc",), "", "junk", 6, b"abc"),
        ((b"x",), "br", None, 6, UnknownEncoding),
        ((b"x",), "gzip, gzip", None, 6, UnknownEncoding),
    ],
)
def test_read_capped_table(parts, encoding, length, limit, expected):
    async def run():
        return await read_capped(_chunks(*parts), content_encoding=encoding, content_length=length, limit=limit)

    if isinstance(expected, bytes):
        assert asyncio.run(run()) == expected
    else:
        with pytest.raises(expected):
            asyncio.run(run())


def test_read_capped_can_truncate_instead():
    async def run(parts, encoding="", length=None):
        return await read_capped(_chunks(*parts), content_encoding=encoding, content_length=length, limit=4,
                                 truncate=True)

    assert asyncio.run(run((b"abc", b"defg"), length="7")) == b"abcd"
    import gzip

    assert asyncio.run(run((gzip.compress(b"x" * 100000),), encoding="gzip")) == b"xxxx"


def test_the_branch_tester_reads_a_gzip_bomb_only_up_to_its_cap(tmp_path):
    from console.api.branch_endpoint import MAX_REPLY_BYTES, post_branch_request

    async def scenario():
        async with loopback.serve(loopback.gzip_bomb("gzip")) as url:
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                reply = await post_branch_request(url + "/branch", {"call_id": "1"}, budget_s=20)
                return reply, tracemalloc.get_traced_memory()[1] - before
            finally:
                tracemalloc.stop()

    reply, growth = run_async(scenario())
    assert reply.status_code == 200
    assert len(reply.text) == MAX_REPLY_BYTES
    assert growth < 20 * MIB, f"peak memory grew by {growth / MIB:.1f} MiB"
