"""The sandbox refuses a request body over its limit, before keeping any of it on disk."""
from __future__ import annotations

import httpx
import pytest

from console.api import RequestRejectedError
from console.sandbox import SandboxServer
from console.sandbox.forms import DEFAULT_MAX_UPLOAD_BYTES
from tests.api.conftest import make_client
from tests.helpers import SANDBOX_KEY, make_sized_wav, run_async
from tests.sandbox.support import UPLOAD, upload_parts

# Above the 1 MiB the sandbox buffers before its first write to disk.
LIMIT = 3 * 1024 * 1024 // 2


@pytest.fixture
def small_sandbox(tmp_path):
    server = SandboxServer(data_dir=tmp_path / "data", auth_key=SANDBOX_KEY, max_upload_bytes=LIMIT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def http(small_sandbox):
    with httpx.Client(base_url=small_sandbox.url, headers={"auth_key": SANDBOX_KEY}, timeout=30) as client:
        yield client


def spooled(server) -> list:
    return sorted((server.data_dir / "incoming").iterdir())


def test_the_default_limit_is_100_mib():
    assert DEFAULT_MAX_UPLOAD_BYTES == 100 * 1024 * 1024


def test_an_upload_under_the_limit_is_stored(small_sandbox, http, tmp_path):
    path = make_sized_wav(tmp_path / "ok.wav", LIMIT // 2)
    reply = http.post(UPLOAD, files=upload_parts(path))
    assert reply.json()["status"] == "success"
    assert len(small_sandbox.library()) == 1


def test_a_declared_oversized_upload_is_refused_without_touching_the_disk(small_sandbox, http, tmp_path):
    # The spool folder replaced by a plain file: any attempt to write the
    # upload would fail with a server error instead of the refusal.
    incoming = small_sandbox.data_dir / "incoming"
    incoming.rmdir()
    incoming.write_bytes(b"")
    path = make_sized_wav(tmp_path / "big.wav", LIMIT * 3)
    reply = http.post(UPLOAD, files=upload_parts(path))
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == "error"
    assert body["errors"] == ["The request is larger than the 1.5 MiB this sandbox accepts; send a smaller file."]
    assert small_sandbox.library() == []


def test_an_oversized_body_without_a_length_is_refused_while_streaming(small_sandbox, http, tmp_path):
    path = make_sized_wav(tmp_path / "big.wav", LIMIT * 3)
    request = http.build_request("POST", UPLOAD, files=upload_parts(path))
    body = request.read()

    def chunks():
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    # A generator body goes out chunked: the limit is found by counting.
    reply = http.post(UPLOAD, content=chunks(), headers={"Content-Type": request.headers["Content-Type"]})
    assert reply.json()["status"] == "error"
    assert "this sandbox accepts" in reply.json()["errors"][0]
    assert small_sandbox.library() == []
    assert spooled(small_sandbox) == []  # what was spooled before the count passed is gone
    # The connection is still good for the next request.
    small = make_sized_wav(tmp_path / "small.wav", 4096)
    assert http.post(UPLOAD, files=upload_parts(small)).json()["status"] == "success"


def test_the_client_sees_a_rejection_it_does_not_retry(small_sandbox, tmp_path):
    path = make_sized_wav(tmp_path / "big.wav", LIMIT * 4)

    async def scenario():
        async with make_client(small_sandbox) as client:
            await client.upload_recording(path, album_number=1, sort_number=1)

    with pytest.raises(RequestRejectedError) as info:
        run_async(scenario())
    assert info.value.attempts == 1
    assert "this sandbox accepts" in str(info.value)
    assert small_sandbox.library() == []
