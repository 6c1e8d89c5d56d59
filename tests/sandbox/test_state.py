"""The library and outbox, and how they survive a restart (no server needed)."""
from __future__ import annotations

import hashlib
import json
import logging
import shutil

import pytest

from console.sandbox.forms import ReceivedFile
from console.sandbox.state import SandboxState
from console.sandbox.validation import CallRequest, SmsRequest, TtsRequest, UploadRequest
from tests.helpers import make_mp3, make_wav


def _upload(state: SandboxState, source, album: int = 1, sort: int = 5, audio_format: str = "wav"):
    # As the form reader leaves it: a temporary file in the spool folder.
    spooled = state.spool_dir / f"{source.name}.part"
    shutil.copyfile(source, spooled)
    data = spooled.read_bytes()
    received = ReceivedFile(source.name, spooled, len(data), hashlib.sha256(data).hexdigest(), data[:65536])
    return state.store_upload(UploadRequest(album, sort, None, received, audio_format))


def test_upload_is_moved_into_the_library(tmp_path):
    state = SandboxState(tmp_path / "data")
    wav = make_wav(tmp_path / "hello.wav")
    entry = _upload(state, wav, album=3, sort=12)
    stored = tmp_path / "data" / "library" / "3" / "12.wav"
    assert stored.read_bytes() == wav.read_bytes()
    assert entry["path"] == "library/3/12.wav"
    assert list(state.spool_dir.iterdir()) == []
    (listed,) = state.library()
    assert listed == {**entry, "upload_count": 1}


def test_same_album_and_sort_replaces_with_a_new_id_and_counts(tmp_path):
    state = SandboxState(tmp_path / "data")
    first = _upload(state, make_wav(tmp_path / "a.wav", seconds=0.1))
    second = _upload(state, make_mp3(tmp_path / "b.mp3"), audio_format="mp3")
    (listed,) = state.library()
    assert int(second["recording_id"]) > int(first["recording_id"])
    assert (listed["recording_id"], listed["format"], listed["upload_count"]) == (second["recording_id"], "mp3", 2)
    album_dir = tmp_path / "data" / "library" / "1"
    assert sorted(p.name for p in album_dir.iterdir()) == ["5.mp3"]  # the old wav is gone


def test_tts_replaces_at_its_sort_and_stacks_without_one(tmp_path):
    state = SandboxState(tmp_path / "data")
    _upload(state, make_wav(tmp_path / "a.wav"), album=1, sort=15)
    state.add_tts(TtsRequest(1, 15, "Now a TTS"))
    state.add_tts(TtsRequest(1, None, "Loose one"))
    state.add_tts(TtsRequest(1, None, "Loose two"))
    library = state.library()
    assert [(e["kind"], e["sort"], e["text"]) for e in library] == [
        ("tts", 15, "Now a TTS"),
        ("tts", None, "Loose one"),
        ("tts", None, "Loose two"),
    ]
    assert [e["upload_count"] for e in library] == [2, 1, 1]
    assert not (tmp_path / "data" / "library" / "1" / "15.wav").exists()


def test_everything_survives_a_restart(tmp_path):
    state = SandboxState(tmp_path / "data")
    _upload(state, make_wav(tmp_path / "a.wav"))
    state.add_tts(TtsRequest(2, 1, "Hello"))
    sms = state.record_sms(SmsRequest("8459511000", "8451234567", 'Quote " and ünïcode'))
    call = state.record_call(CallRequest("8459511000", "8455009999", "goto", None, "8459511000", "150"))
    library, outbox = state.library(), state.outbox()

    reopened = SandboxState(tmp_path / "data")
    assert reopened.library() == library
    assert reopened.outbox() == outbox == {"sms": [sms], "calls": [call]}
    # Ids keep counting up rather than starting over.
    newest = reopened.add_tts(TtsRequest(9, None, "After restart"))
    assert int(newest["recording_id"]) > max(int(e["recording_id"]) for e in library)


def test_state_file_is_complete_json_and_no_temporary_is_left(tmp_path):
    state = SandboxState(tmp_path / "data")
    state.record_sms(SmsRequest("8459511000", "8451234567", "one"))
    saved = json.loads((tmp_path / "data" / "state.json").read_text(encoding="utf-8"))
    assert saved["sms"][0]["body"] == "one"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["incoming", "library", "state.json"]


def test_sms_from_a_toll_free_number_is_tf(tmp_path):
    state = SandboxState(tmp_path / "data")
    assert state.record_sms(SmsRequest("8005551234", "8451234567", "hi"))["did_type"] == "TF"
    assert state.record_sms(SmsRequest("8455551234", "8451234567", "hi"))["did_type"] == "TN"


def test_reset_empties_library_files_and_outbox(tmp_path):
    state = SandboxState(tmp_path / "data")
    _upload(state, make_wav(tmp_path / "a.wav"))
    state.record_sms(SmsRequest("8459511000", "8451234567", "one"))
    state.reset()
    assert state.library() == []
    assert state.outbox() == {"sms": [], "calls": []}
    assert list((tmp_path / "data" / "library").iterdir()) == []
    assert SandboxState(tmp_path / "data").library() == []


def test_leftover_partial_uploads_are_cleared_at_start(tmp_path):
    (tmp_path / "data" / "incoming").mkdir(parents=True)
    (tmp_path / "data" / "incoming" / "tmpabc.part").write_bytes(b"half an upload")
    state = SandboxState(tmp_path / "data")
    assert list(state.spool_dir.iterdir()) == []


@pytest.mark.expect_log("WARNING", r"Sandbox state .* could not be read", logger="console.sandbox.state")
def test_a_damaged_state_file_is_set_aside_and_the_sandbox_starts_empty(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir()
    (data / "state.json").write_text('{"recordings": [', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="console.sandbox.state"):
        state = SandboxState(data)
    assert state.library() == []
    broken = [p.name for p in data.iterdir() if p.name.startswith("state.json.broken-")]
    assert len(broken) == 1
    assert "could not be read" in caplog.text
    state.record_sms(SmsRequest("8459511000", "8451234567", "works again"))
    assert SandboxState(data).outbox()["sms"][0]["body"] == "works again"


@pytest.mark.expect_log("WARNING", r"Sandbox state .* could not be read", logger="console.sandbox.state")
def test_entries_that_parse_are_salvaged_from_a_damaged_state_file(tmp_path):
    data = tmp_path / "data"
    state = SandboxState(data)
    _upload(state, make_wav(tmp_path / "a.wav"), album=1, sort=1)
    _upload(state, make_wav(tmp_path / "b.wav"), album=1, sort=2)
    state.record_sms(SmsRequest("8459511000", "8451234567", "one"))
    state.record_sms(SmsRequest("8459511000", "8451234567", "two"))
    saved = json.loads((data / "state.json").read_text(encoding="utf-8"))
    saved["recordings"][1]["album"] = "one"  # a wrongly typed field spoils that entry only
    saved["sms"][0] = None
    (data / "state.json").write_text(json.dumps(saved), encoding="utf-8")

    again = SandboxState(data)
    assert [(e["album"], e["sort"]) for e in again.library()] == [(1, 1)]
    assert [m["body"] for m in again.outbox()["sms"]] == ["two"]
    assert again.damage.saved == "1 of 2 library entries, 1 of 2 SMS and 0 of 0 calls"
    assert json.loads(again.damage.kept_as.read_text())["sms"][0] is None
    # A new recording never reuses an id handed out before the damage.
    new = again.add_tts(TtsRequest(2, 1, "after"))
    assert int(new["recording_id"]) > int(saved["recordings"][1]["recording_id"])
    assert SandboxState(data).damage is None


@pytest.mark.expect_log("WARNING", r"Sandbox state .* could not be read", logger="console.sandbox.state")
def test_a_cut_off_state_file_keeps_the_entries_before_the_cut(tmp_path):
    data = tmp_path / "data"
    state = SandboxState(data)
    for body in ("one", "two", "three"):
        state.record_sms(SmsRequest("8459511000", "8451234567", body))
    text = (data / "state.json").read_text(encoding="utf-8")
    (data / "state.json").write_text(text[: text.index('"three"')], encoding="utf-8")
    again = SandboxState(data)
    assert [m["body"] for m in again.outbox()["sms"]] == ["one", "two"]
    assert "ends too early" in again.damage.problem


@pytest.mark.expect_log("WARNING", r"Sandbox state .* could not be read", logger="console.sandbox.state")
def test_a_library_path_outside_the_library_is_never_trusted(tmp_path):
    data = tmp_path / "data"
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    state = SandboxState(data)
    _upload(state, make_wav(tmp_path / "a.wav"), album=1, sort=1)
    saved = json.loads((data / "state.json").read_text(encoding="utf-8"))
    saved["recordings"][0]["path"] = "../precious.txt"
    (data / "state.json").write_text(json.dumps(saved), encoding="utf-8")
    again = SandboxState(data)
    assert again.library() == []
    _upload(again, make_wav(tmp_path / "b.wav"), album=1, sort=1)
    assert victim.read_text() == "keep me"
