"""The standalone sandbox, started as an outside user would start it."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from console.sandbox.cli import main
from tests.sandbox.support import GOOD_SMS, SMS, multipart

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Voitex sandbox listening on (http://127\.0\.0\.1:\d+) \(key: (.+)\)")

posix_only = pytest.mark.skipif(os.name == "nt", reason="sends POSIX signals to the sandbox process")


class _Sandbox:
    """`python -m console.sandbox.cli ...` with its output read line by line."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-W", "error", "-m", "console.sandbox.cli", *args],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def next_line(self) -> str:
        return self.lines.get(timeout=30)

    def stop(self, signum: int) -> tuple[int, str]:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        self._reader.join(30)
        stderr = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return code, stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
            self._reader.join(30)
        for pipe in (self.process.stdout, self.process.stderr):
            if not pipe.closed:
                pipe.close()


@posix_only
def test_cli_prints_its_address_answers_and_stops_on_ctrl_c(tmp_path):
    key = "cli-secret-key-42"
    sandbox = _Sandbox(["--port", "0", "--key", key, "--data-dir", str(tmp_path / "data"),
                        "--fault", "sms:http500:count=1"])
    try:
        match = LISTENING.fullmatch(sandbox.next_line().strip())
        assert match, sandbox.output
        url, key_source = match.groups()
        assert key_source == "from --key"
        with httpx.Client(base_url=url, headers={"auth_key": key}) as http:
            assert http.get("/sandbox/health").json() == {"status": "ok"}
            assert http.post(SMS, files=multipart(GOOD_SMS)).status_code == 500
            assert http.post(SMS, files=multipart(GOOD_SMS)).json()["status"] == "success"
        code, stderr = sandbox.stop(signal.SIGINT)
    finally:
        sandbox.kill()
    assert code == 0, stderr
    assert stderr == ""
    assert "Voitex sandbox stopped." in sandbox.output[-1]
    assert not any(key in line for line in sandbox.output)
    assert (tmp_path / "data" / "state.json").exists()


@posix_only
def test_cli_takes_the_key_from_the_environment_and_stops_on_sigterm(tmp_path):
    sandbox = _Sandbox(["--data-dir", str(tmp_path / "data")], env={"VOITEX_SANDBOX_KEY": "env-key-7"})
    try:
        match = LISTENING.fullmatch(sandbox.next_line().strip())
        assert match, sandbox.output
        url, key_source = match.groups()
        assert key_source == "from VOITEX_SANDBOX_KEY"
        with httpx.Client(base_url=url, headers={"auth_key": "env-key-7"}) as http:
            assert http.get("/sandbox/outbox").status_code == 200
        code, stderr = sandbox.stop(signal.SIGTERM)
    finally:
        sandbox.kill()
    assert (code, stderr) == (0, "")
    assert not any("env-key-7" in line for line in sandbox.output)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data-dir", "x", "--fault", "sms"], "must start with ENDPOINT:KIND"),
        (["--data-dir", "x", "--fault", "sms:melt"], "kind must be one of"),
        (["--data-dir", "x", "--key", ""], "must not be empty"),
        ([], "--data-dir"),
    ],
)
def test_cli_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_cli_refuses_the_default_key_on_an_address_other_than_loopback(capsys, tmp_path, monkeypatch, host):
    monkeypatch.delenv("VOITEX_SANDBOX_KEY", raising=False)
    code = main(["--host", host, "--data-dir", str(tmp_path / "data")])
    assert code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "choose a key with --key" in err
    assert not (tmp_path / "data").exists()  # refused before anything started


def test_cli_refuses_the_default_key_even_when_given_with_key(capsys, tmp_path):
    assert main(["--host", "0.0.0.0", "--key", "sandbox", "--data-dir", str(tmp_path / "d")]) == 2
    assert "choose a key with --key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("::ffff:127.0.0.1", True), ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("myhost", False)],
)
def test_loopback_hosts(host, loopback):
    from console.sandbox.cli import is_loopback_host

    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf"])
def test_cli_max_upload_must_be_positive(capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", "x", "--max-upload-mib", value])
    assert exited.value.code == 2
    assert "--max-upload-mib" in capsys.readouterr().err
