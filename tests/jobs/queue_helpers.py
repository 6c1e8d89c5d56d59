"""Building upload queues for tests: real queue, real journal, real sandbox client."""
from __future__ import annotations

import hashlib
from pathlib import Path

from tests.console_env import drive
from tests.helpers import SANDBOX_KEY, make_wav


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_prompts(folder: Path, count: int, *, start: int = 1, seconds: float = 0.05) -> list[Path]:
    """`count` small wav files with different content, named "01 Prompt.wav"…"""
    return [make_wav(folder / f"{n:02d} Prompt {n}.wav", seconds=seconds, tone_hz=200 + 10 * n)
            for n in range(start, start + count)]


class QueueFactory:
    """Makes UploadQueues wired to a journal and (lazily) to a sandbox client.

    The client is created on first use, inside the running test loop, as the
    application's session does; everything is shut down and closed at the end.
    """

    def __init__(self, tmp_path: Path, journal, sandbox=None, **client_options) -> None:
        self.tmp_path = tmp_path
        self.journal = journal
        self.sandbox = sandbox
        self.client_options = {"backoff_base": 0.01, "backoff_cap": 0.05,
                               "max_retry_after": 0.2, **client_options}
        self.clients: list = []
        self.queues: list = []
        self.factory_calls = 0

    @property
    def state_path(self) -> Path:
        """The JSON file of earlier versions (migrated when present)."""
        return self.tmp_path / "data" / "upload-queue.json"

    @property
    def database(self) -> Path:
        return self.tmp_path / "data" / "history.sqlite3"

    def client(self):
        from console.api import VoitexClient

        self.factory_calls += 1
        if not self.clients:
            self.clients.append(VoitexClient(base_url=self.sandbox.url, auth_key=SANDBOX_KEY,
                                             **self.client_options))
        return self.clients[0]

    def __call__(self, *, concurrency: int = 4, client_factory=None):
        from console.jobs.uploads import UploadQueue

        queue = UploadQueue(client_factory=client_factory or self.client, journal=self.journal,
                            state_path=self.state_path,
                            profile=lambda: ("sandbox", "Sandbox"), concurrency=concurrency)
        self.queues.append(queue)
        return queue

    def close(self) -> None:
        for queue in self.queues:
            queue.shutdown()
        for client in self.clients:
            drive(client.aclose())
