"""Nothing lost, nothing twice: the real console, killed with SIGKILL mid-upload.

The application runs as a subprocess (`python -m console --upload FILE…`, with
its own VOITEX_CONSOLE_HOME) and uploads to its embedded sandbox, which keeps
what it received under <home>/data/sandbox/state.json. It is killed after
about 2, about half and about all of the files reached the sandbox, started
again each time (`--upload` resumes the queue), and finally left to finish.

Then the user's part: rows that were on the wire at a kill come back as "may
already be in the library" and are never sent by themselves; the test checks
the sandbox's library as a user would and chooses Mark as done or Upload again
(through the queue, in this process, on the same database and sandbox folder).

At the end every file is in the library exactly once (upload_count 1 at its
album and sort, with its content), and before the user's choice no file was
ever received twice.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from tests.jobs.queue_helpers import sha256

FILES = 40
FILE_BYTES = 96 * 1024
ROOT = Path(__file__).resolve().parents[2]


def make_files(folder: Path) -> list[Path]:
    """Small wavs with different content (random samples), named in sort order."""
    folder.mkdir(parents=True)
    files = []
    for n in range(1, FILES + 1):
        path = folder / f"{n:02d} Prompt {n}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(os.urandom(FILE_BYTES))
        files.append(path)
    return files


class Console:
    """The application as a subprocess on one home folder."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def database(self) -> Path:
        return self.home / "data" / "history.sqlite3"

    def start(self, files: list[Path] = ()) -> None:
        env = {**os.environ, "VOITEX_CONSOLE_HOME": str(self.home), "QT_QPA_PLATFORM": "offscreen",
               "QT_API": "pyside6"}
        self.starts += 1
        with open(self.home / f"console-{self.starts}.log", "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "console", "--upload", *map(str, files)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode in (-signal.SIGKILL, 0), self.output()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace")
                         for p in sorted(self.home.glob("console-*.log")))

    def received(self) -> dict[tuple[int, int], int]:
        """(album, sort) -> how many times the sandbox stored a file there."""
        try:
            state = json.loads((self.home / "data" / "sandbox" / "state.json").read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return {(c["album"], c["sort"]): c["count"] for c in state["upload_counts"]}

    def rows(self) -> list[tuple[int, str, int, int]]:
        """(id, status, album, sort) of the queue, read from the database."""
        try:
            with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5) as db:
                return db.execute(
                    "SELECT id, status, album, sort FROM upload_rows ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # not created yet
            return []

    def wait_for(self, condition, what: str, timeout_s: float = 40.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if not self.alive():
                raise AssertionError(f"the console exited while waiting for {what}:\n"
                                     + self.output())
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; received "
                                     f"{sum(self.received().values())}:\n" + self.output()[-3000:])
            time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_mid_upload_loses_nothing_and_sends_nothing_twice(tmp_path, qloop, qtbot):
    home = tmp_path / "home"
    home.mkdir()
    files = make_files(tmp_path / "prompts")
    console = Console(home)
    try:
        run_and_kill(console, files, home, qtbot)
    finally:
        if console.alive():  # a failed check must not leave the console running
            console.kill()


def run_and_kill(console: Console, files: list[Path], home: Path, qtbot) -> None:
    # Killed after ~2 and ~half of the files reached the sandbox, then once the
    # last queued file has left (the rest in flight or done).
    console.start(files)
    for target in (2, FILES // 2):
        console.wait_for(lambda target=target: sum(console.received().values()) >= target,
                         f"{target} files in the sandbox")
        console.kill()
        counts = console.received()
        assert max(counts.values()) == 1, f"a file was received twice: {counts}"
        console.start()  # resumes what is queued, never what may have arrived
    console.wait_for(lambda: (len(console.rows()) == FILES
                              and not any(row[1] == "queued" for row in console.rows())),
                     "the last queued file to leave")
    console.kill()
    counts = console.received()
    assert max(counts.values()) == 1, f"a file was received twice: {counts}"

    # The last start finishes what is queued; nothing is left waiting or on the wire.
    console.start()
    console.wait_for(lambda: (len(console.rows()) == FILES and all(
        status in ("done", "unsure") for _id, status, _a, _s in console.rows())),
        "the queue to settle")
    console.kill()
    received = console.received()
    assert max(received.values()) == 1, f"a file was received twice: {received}"
    rows = console.rows()
    assert [s for _i, _st, _a, s in rows] == list(range(1, FILES + 1))
    for _id, status, album, sort in rows:
        if status == "done":
            assert received.get((album, sort)) == 1, (album, sort)

    # The user's part, for the rows that may already be in the library.
    unsure = [(row_id, album, sort) for row_id, status, album, sort in rows if status == "unsure"]
    resolve_as_a_user(home, qtbot, unsure, received)

    received = console.received()
    albums = {album for _i, _st, album, _s in rows}
    assert len(albums) == 1
    album = albums.pop()
    assert received == {(album, n): 1 for n in range(1, FILES + 1)}
    state = json.loads((home / "data" / "sandbox" / "state.json").read_text())
    content = {(e["album"], e["sort"]): e["sha256"] for e in state["recordings"]}
    assert content == {(album, n): sha256(path) for n, path in enumerate(files, start=1)}
    assert {status for _i, status, _a, _s in console.rows()} == {"done"}
    print(f"kill test: {console.starts} starts, {len(unsure)} rows came back as 'may already be "
          f"in the library' ({sum(1 for _i, a, s in unsure if (a, s) in received)} of them "
          "were there)")


def resolve_as_a_user(home: Path, qtbot, unsure, received) -> None:
    """Mark as done what the library has; Upload again what it lacks."""
    from console.api import VoitexClient
    from console.jobs.uploads import UploadQueue
    from console.sandbox import SandboxServer
    from console.store.journal import Journal
    from tests.console_env import drive
    from tests.helpers import SANDBOX_KEY

    sandbox = SandboxServer(data_dir=home / "data" / "sandbox", auth_key=SANDBOX_KEY)
    sandbox.start()
    journal = Journal(home / "data" / "history.sqlite3")
    clients = []

    def client():
        if not clients:
            clients.append(VoitexClient(base_url=sandbox.url, auth_key=SANDBOX_KEY))
        return clients[0]

    queue = UploadQueue(client_factory=client, journal=journal,
                        state_path=home / "data" / "upload-queue.json",
                        profile=lambda: ("sandbox", "Sandbox"))
    try:
        assert sorted(i.id for i in queue.items() if i.status == "unsure") == [u[0] for u in unsure]
        there = [row_id for row_id, album, sort in unsure if (album, sort) in received]
        missing = [row_id for row_id, album, sort in unsure if (album, sort) not in received]
        assert queue.mark_done(there) == len(there)
        if missing:
            assert queue.retry(missing) == len(missing)
            qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
        queue.flush()
    finally:
        queue.shutdown()
        for c in clients:
            drive(c.aclose())
        sandbox.stop()
        journal.close()
