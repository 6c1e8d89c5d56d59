"""Desks and runners of one office as separate processes, for the multi-desk tests.

`Office` starts them against one PostgreSQL database and one sandbox: a desk
is tests/office/desk_child.py, the runner the real ``voitex-console broadcast
run`` command (tests/office/runner_child.py). Each process gets a home of its
own (``VOITEX_CONSOLE_HOME``), as desks on different computers have; the
database password comes through ``PGPASSWORD`` (libpq's own), the account key
through ``VOITEX_AUTH_KEY``; the keyring is the null backend (a desk-less
server has none).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DONE_STATES = ("sent", "failed", "skipped", "unknown", "cancelled")


@dataclass
class Child:
    name: str
    kind: str  # "desk" or "runner"
    proc: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        if self.proc.stdin is not None:
            self.proc.stdin.close()

    def tail(self, chars: int = 1500) -> str:
        return f"--- {self.name} ({self.kind}, pid {self.proc.pid}) ---\n" + (
            self.log.read_text(errors="replace")[-chars:] if self.log.exists() else "")


class Office:
    """One database (`database_url`, `password`) and one sandbox (`base_url`, `key`)."""

    def __init__(self, *, folder: Path, database_url: str, password: str, base_url: str,
                 key: str, run_id: int, lease_s: float) -> None:
        self.folder = folder
        self.database_url = database_url
        self.password = password
        self.base_url = base_url
        self.key = key
        self.run_id = run_id
        self.lease_s = lease_s
        self.children: list[Child] = []

    def _env(self, home: Path) -> dict[str, str]:
        home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update({"VOITEX_CONSOLE_HOME": str(home), "VOITEX_CONSOLE_DATABASE": self.database_url,
                    "PGPASSWORD": self.password, "VOITEX_AUTH_KEY": self.key,
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                    "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1",
                    "PYTHONFAULTHANDLER": "1"})
        return env

    def start(self, name: str, kind: str) -> Child:
        """A desk (its home: folder/name) or the runner, taking part in the run from now on."""
        if kind == "desk":
            argv = ["-m", "tests.office.desk_child", "--run", str(self.run_id), "--desk", name,
                    "--base-url", self.base_url, "--lease", str(self.lease_s)]
        else:
            argv = ["-m", "tests.office.runner_child", "broadcast", "--database",
                    self.database_url, "run", str(self.run_id), "--desk", name,
                    "--base-url", self.base_url, "--lease", str(self.lease_s)]
        return self.spawn(name, kind, argv)

    def spawn(self, name: str, kind: str, argv: list[str], *, stdin: bool = False) -> Child:
        """``python ARGV`` in the home folder/name; its output goes to a log (`Child.tail`)."""
        home = self.folder / "homes" / name.replace(" ", "-")
        log = self.folder / f"{name.replace(' ', '-')}-{len(self.children) + 1}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, *argv], cwd=REPO, env=self._env(home),
                                    stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        child = Child(name, kind, proc, log)
        self.children.append(child)
        return child

    def check(self) -> bool:
        """True while someone takes part; an AssertionError (with the logs) once nobody does."""
        if not self.running():
            raise AssertionError("every participant has exited:\n" + self.logs())
        return True

    def running(self) -> list[Child]:
        return [c for c in self.children if c.alive()]

    def wait_all(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for child in self.children:
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise AssertionError("a participant did not finish in time:\n"
                                     + "\n".join(c.tail() for c in self.running())) from None

    def close(self) -> None:
        for child in self.children:
            child.kill()

    def logs(self) -> str:
        return "\n".join(c.tail(600) for c in self.children[-6:])


def database_url(db: Any) -> str:
    """The office database of a tests/store/backends.py PgBackend, as IT gives it (no password)."""
    from tests.pg_server import DESK_ROLE

    return f"postgresql://{DESK_ROLE}@127.0.0.1:{db.server.port}/{db.dbname}"


def rows_done(db: Any, run_id: int) -> int:
    found = db.sql("SELECT count(*) FROM broadcast_rows WHERE run_id = %s AND state = ANY(%s)",
                   (run_id, list(DONE_STATES)))
    return int(found[0][0])


def wait_for(condition: Callable[[], Any], *, timeout_s: float, every_s: float = 0.02,
             what: str = "the condition") -> Any:
    """Poll `condition` until it is truthy (its value) or the deadline passes (AssertionError)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s} s")
        time.sleep(every_s)
