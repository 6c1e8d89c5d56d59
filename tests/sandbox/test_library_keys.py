"""Several keys, each with a library of its own, listed for the calling key."""
from __future__ import annotations

import httpx
import pytest

from console.sandbox import SandboxServer
from console.sandbox.cli import _parser
from tests.helpers import make_wav
from tests.sandbox.support import TTS, UPLOAD, multipart, upload_parts

FIRST, SECOND = "first-key-0123", "second-key-4567"


@pytest.fixture
def two_key_sandbox(tmp_path):
    server = SandboxServer(data_dir=tmp_path / "data", auth_key=[FIRST, SECOND])
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _client(server, key):
    return httpx.Client(base_url=server.url, headers={"auth_key": key}, timeout=30)


def test_each_key_has_its_own_library_listed_for_the_calling_key(two_key_sandbox, tmp_path):
    one = make_wav(tmp_path / "one.wav")
    two = make_wav(tmp_path / "two.wav", seconds=0.2)
    with _client(two_key_sandbox, FIRST) as first, _client(two_key_sandbox, SECOND) as second:
        a = first.post(UPLOAD, files=upload_parts(one, album=1, sort=5)).json()["data"]
        # The same album and sort under another key replaces nothing of the first's.
        b = second.post(UPLOAD, files=upload_parts(two, album=1, sort=5)).json()["data"]
        c = second.post(TTS, files=multipart({"album_number": "2", "text": "Hello"})).json()["data"]
        listed_first = first.get("/sandbox/library").json()["recordings"]
        listed_second = second.get("/sandbox/library").json()["recordings"]
        assert httpx.get(f"{two_key_sandbox.url}/sandbox/library").status_code == 401

    assert [r["recording_id"] for r in listed_first] == [a]
    assert sorted(r["recording_id"] for r in listed_second) == sorted([b, c])
    assert [r["recording_id"] for r in two_key_sandbox.library()] == [a]
    assert {r["recording_id"] for r in two_key_sandbox.library(SECOND)} == {b, c}
    # Both files are kept; the second key's under a folder of its own, named without the key.
    stored = {r["recording_id"]: r["path"] for r in listed_first + listed_second if r["path"]}
    assert (two_key_sandbox.data_dir / stored[a]).read_bytes() == one.read_bytes()
    assert (two_key_sandbox.data_dir / stored[b]).read_bytes() == two.read_bytes()
    assert stored[a] != stored[b]
    for path in stored.values():
        assert FIRST not in path and SECOND not in path
    state = (two_key_sandbox.data_dir / "state.json").read_text(encoding="utf-8")
    assert FIRST not in state and SECOND not in state


def test_a_restarted_sandbox_keeps_each_keys_library(tmp_path):
    wav = make_wav(tmp_path / "w.wav")
    with SandboxServer(data_dir=tmp_path / "data", auth_key=[FIRST, SECOND]) as server:
        with _client(server, SECOND) as second:
            rid = second.post(UPLOAD, files=upload_parts(wav, album=3, sort=1)).json()["data"]
    with SandboxServer(data_dir=tmp_path / "data", auth_key=[FIRST, SECOND]) as server:
        assert [r["recording_id"] for r in server.library(SECOND)] == [rid]
        assert server.library() == []
        with pytest.raises(KeyError):
            server.library("not-a-key")


def test_the_command_takes_the_key_more_than_once():
    args = _parser().parse_args(["--data-dir", "d", "--key", "a", "--key", "b"])
    assert args.key == ["a", "b"]
