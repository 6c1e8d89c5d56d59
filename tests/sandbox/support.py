"""Paths and request builders shared by the sandbox tests."""
from __future__ import annotations

import time
from typing import Any

UPLOAD = "/recordings/upload/index.php"
TTS = "/v1/recordings/upload/"
CALL = "/v1/call/index.php"
SMS = "/v1/sms/send/index.php"

GOOD_SMS = {"from": "8459511000", "to": "8451234567", "body": "Your order is ready"}
GOOD_CALL = {"cid": "8459511000", "to": "8455009999", "type": "stream", "sfile_id": "918357"}
GOOD_TTS = {"album_number": "1", "sort_number": "15", "type": "tts", "text": "Hello from the sandbox."}


def multipart(fields: dict[str, str], files: dict[str, Any] | None = None) -> dict[str, Any]:
    """An httpx `files=` argument sending every field as multipart/form-data.

    httpx would send plain `data=` urlencoded; the API takes multipart only.
    """
    parts: dict[str, Any] = {name: (None, value) for name, value in fields.items()}
    parts.update(files or {})
    return parts


def upload_parts(path, album: int | str = 1, sort: int | str = 5, **fields: str) -> dict[str, Any]:
    return multipart(
        {"album_number": str(album), "sort_number": str(sort), **fields},
        {"upload_file": (path.name, path.read_bytes())},
    )


def wait_until_faults_handled(sandbox, fired: int = 1, timeout: float = 10.0) -> None:
    """Wait until the fault rules fired `fired` times and no request is being handled any more.

    A request can only have an effect while its handler runs, so a test showing
    that something did not happen waits for this instead of sleeping past a
    delay. A rule fires when a handler starts carrying out its request; uvicorn's
    server state keeps one task per request being handled.
    """
    tasks = sandbox._server.server_state.tasks
    deadline = time.monotonic() + timeout
    while sum(rule["fired"] for rule in sandbox.faults()) < fired or tasks:
        if time.monotonic() > deadline:
            raise AssertionError(f"the fault rules fired {sandbox.faults()}; "
                                 f"{len(tasks)} requests still being handled")
        time.sleep(0.01)
