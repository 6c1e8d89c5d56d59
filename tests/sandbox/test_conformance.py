"""The provider's four request samples, sent with curl as an outside client would.

The samples are copied from the provider's documentation with one change: the
stray spaces inside key names ("album_number ", "branch_number ", "from ") are
removed, as the project's API notes decide. Values are kept as written,
including the SMS sample's "8459511000 " and the call sample's phone number in
branch_number. The sandbox runs with the documentation's own key.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from console.sandbox import SandboxServer
from tests.helpers import make_wav

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="curl is not installed; these tests send requests with curl")

DOC_KEY = "1234567890abcdef"


@pytest.fixture
def doc_sandbox(tmp_path):
    with SandboxServer(data_dir=tmp_path / "data", auth_key=DOC_KEY) as server:
        yield server


def _curl(url: str, fields: list[str], *, key: str = DOC_KEY, cwd=None) -> tuple[int, dict]:
    command = [CURL, "--silent", "--show-error", "--max-time", "30", "--write-out", "\n%{http_code}",
               "-H", f"auth_key: {key}"]
    for field in fields:
        command += ["-F", field]
    result = subprocess.run(command + [url], capture_output=True, text=True, cwd=cwd, check=True)
    body, _, status = result.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_upload_recording_sample(doc_sandbox, tmp_path):
    make_wav(tmp_path / "example.wav")
    status, body = _curl(
        f"{doc_sandbox.url}/recordings/upload/index.php",
        ["album_number=1", "upload_file=@example.wav", "sort_number=5", "display_name=Example Recording"],
        cwd=tmp_path,
    )
    assert status == 200
    assert list(body) == ["data", "status", "errors"]
    assert re.fullmatch(r"[0-9]+", body["data"]) and body["status"] == "success" and body["errors"] == []
    (entry,) = doc_sandbox.library()
    assert (entry["album"], entry["sort"], entry["display_name"], entry["filename"]) == (
        1, 5, "Example Recording", "example.wav")


def test_create_tts_sample(doc_sandbox):
    status, body = _curl(
        f"{doc_sandbox.url}/v1/recordings/upload/",
        ["album_number=1", "sort_number=15", "type=tts", "text=This is a test recording created by the TTS API."],
    )
    assert status == 200
    assert list(body) == ["status", "data", "errors"]
    assert body["status"] == "success" and re.fullmatch(r"[0-9]+", body["data"]) and body["errors"] == []
    assert doc_sandbox.library()[0]["text"] == "This is a test recording created by the TTS API."


def test_notification_call_sample(doc_sandbox):
    status, body = _curl(
        f"{doc_sandbox.url}/v1/call/index.php",
        ["cid=8459511000", "to=8455009999", "type=goto", "route_number=8459511000", "branch_number=8459511000"],
    )
    assert status == 200
    assert list(body) == ["status", "reference_id", "errors"]
    assert body["status"] == "success" and body["errors"] == []
    assert re.fullmatch(r"[A-Za-z0-9]{15}", body["reference_id"])
    assert doc_sandbox.outbox()["calls"][0]["reference_id"] == body["reference_id"]


def test_send_sms_sample(doc_sandbox):
    status, body = _curl(
        f"{doc_sandbox.url}/v1/sms/send/index.php",
        ["from=8459511000 ", "to=8451234567", "body=This is a test message body"],
    )
    assert status == 200
    assert list(body) == ["status", "data", "errors"]
    assert body["status"] == "success" and body["errors"] == []
    reference = doc_sandbox.outbox()["sms"][0]["reference_id"]
    # The documentation's response sample, with its reference id ("u7T0um") swapped for this one.
    documented = ('{ "to": "8451234567", "from ": "8459511000 ", "body": "This is a test message body", '
                  '"did_type ": "TN ", "from ": "u7T0um " }')
    assert body["data"] == documented.replace("u7T0um", reference)


def test_a_wrong_key_gets_401_from_curl_too(doc_sandbox):
    status, body = _curl(
        f"{doc_sandbox.url}/v1/sms/send/index.php",
        ["from=8459511000", "to=8451234567", "body=hi"],
        key="not-the-key",
    )
    assert (status, body) == (401, {"status": "error", "errors": ["The auth_key header is missing or not valid."]})
