"""The auth key never reaches a log, an error or a result."""
from __future__ import annotations

import logging

import pytest

from console.api import ApiError, InvalidArgumentError, VoitexClient
from console.sandbox import FaultRule
from tests.api.conftest import make_client
from tests.helpers import SANDBOX_KEY, make_wav, run_async

SMS = {"from_number": "8459511000", "to": "8451234567"}


def test_key_absent_from_debug_logs_errors_and_results(sandbox, tmp_path, caplog, closed_port):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "console.api", "console.api.client", "console.api.failures"):
        caplog.set_level(logging.DEBUG, logger=name)
    wav = make_wav(tmp_path / "a.wav")
    errors: list[ApiError] = []
    results: list[object] = []

    async def scenario():
        async with make_client(sandbox, read_timeout=0.3, max_retry_after=1) as client:
            results.append(await client.upload_recording(wav, album_number=1, sort_number=1, display_name="W"))
            results.append(await client.create_tts(text="Hello", album_number=1, sort_number=2))
            results.append(await client.notification_call(cid="8459511000", to="8455009999", type="stream",
                                                          sfile_id="1"))
            results.append(await client.send_sms(**SMS, body="hello"))
            for kind in ("http500", "http429", "drop", "slow", "html", "api_error"):
                sandbox.add_fault(FaultRule(endpoint="sms", kind=kind, count=1, retry_after=30, delay=2.0))
                try:
                    results.append(await client.send_sms(**SMS, body=kind))
                except ApiError as err:
                    errors.append(err)
                sandbox.clear_faults()
            try:
                await client.send_sms(**SMS, body="")
            except ApiError as err:
                errors.append(err)
        async with make_client(sandbox, auth_key=SANDBOX_KEY + "x") as wrong:
            try:
                await wrong.send_sms(**SMS, body="wrong key")
            except ApiError as err:
                errors.append(err)
        async with VoitexClient(base_url=f"http://127.0.0.1:{closed_port}", auth_key=SANDBOX_KEY, max_attempts=2,
                                backoff_base=0.01) as client:
            try:
                await client.send_sms(**SMS, body="nobody")
            except ApiError as err:
                errors.append(err)

    run_async(scenario())

    # The logs did capture the HTTP traffic at the lowest level, so a header
    # printed anywhere would be there.
    assert "send_request_headers.started" in caplog.text and "receive_response_headers.complete" in caplog.text
    assert "HTTP Request: POST" in caplog.text
    assert "retrying in" in caplog.text
    assert SANDBOX_KEY not in caplog.text
    for record in caplog.records:
        assert SANDBOX_KEY not in record.getMessage()
        assert SANDBOX_KEY not in repr(record.args)

    assert len(errors) == 9
    for err in errors:
        for text in (str(err), repr(err), *err.messages, repr(err.__dict__)):
            assert SANDBOX_KEY not in text
    assert len(results) == 4
    for result in results:
        assert SANDBOX_KEY not in repr(result) and SANDBOX_KEY not in repr(result.raw)


@pytest.mark.parametrize("url", ["http://api.voitex.com", "http://10.1.2.3:8765", "http://sandbox.example.org"])
def test_key_never_sent_in_clear_to_a_remote_host(url, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InvalidArgumentError) as info:
        VoitexClient(base_url=url, auth_key=SANDBOX_KEY)
    assert info.value.field == "base_url"
    assert "https://" in str(info.value)
    assert SANDBOX_KEY not in str(info.value) + repr(info.value) + caplog.text
