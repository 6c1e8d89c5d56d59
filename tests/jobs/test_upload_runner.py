"""The upload run alone: a plain asyncio loop, no Qt, no adapter (console/jobs/uploads/runner.py).

Real parts around it: the row list, the persistence part on a real SQLite file,
History, a VoitexClient and the sandbox over loopback HTTP.
"""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from console.api import VoitexClient
from console.domain.audio import inspect_audio
from console.jobs.uploads.journal_link import JournalLink
from console.jobs.uploads.persistence import QueuePersistence
from console.jobs.uploads.rows import QueueRows
from console.jobs.uploads.runner import UploadRunner
from console.jobs.uploads.status import Status
from console.store.upload_store import SqliteUploadStore
from tests.helpers import SANDBOX_KEY, run_async
from tests.jobs.queue_helpers import make_prompts, sha256
from tests.jobs.queue_parts import HandTimer, Later, Told


class Run:
    """The runner over real rows and a real store; `ended` is set by the run's summary."""

    def __init__(self, tmp_path, journal, sandbox, files: int) -> None:
        self.ended = asyncio.Event()
        self.told = Told()
        events = self.told.events(message=lambda _level, text: self._maybe_ended(text))
        self.persistence = QueuePersistence(
            SqliteUploadStore(tmp_path / "queue.sqlite3"), lookup=lambda i: self.rows.get(i),
            flush_timer=HandTimer(), later=Later(), message=events.message)
        self.rows = QueueRows(events=events, writes=self.persistence)
        self.ticker = HandTimer(single_shot=False)
        self.client = VoitexClient(base_url=sandbox.url, auth_key=SANDBOX_KEY)
        self.runner = UploadRunner(
            self.rows, writes=self.persistence,
            journal=JournalLink(journal, self.persistence.io, on_written=lambda: None),
            events=events, ticker=self.ticker, client_factory=lambda: self.client,
            profile=lambda: ("sandbox", "Sandbox"), concurrency=2)
        self.ticker.timeout = self.runner.tick
        paths = make_prompts(tmp_path / "p", files)
        self.rows.expect(1, album=7)
        self.rows.on_files_found(1, list(enumerate(paths, start=1)))
        self.rows.on_files_inspected([(n, inspect_audio(p), sha256(p))
                                      for n, p in enumerate(paths, start=1)])

    def _maybe_ended(self, text: str) -> None:
        if "uploaded" in text:
            self.ended.set()

    async def close(self) -> None:
        self.runner.shutdown()
        self.persistence.close()
        await self.client.aclose()


def test_the_runner_uploads_queued_rows_two_at_a_time_and_writes_each_before_it_goes(
        tmp_path, journal, sandbox):
    async def scenario():
        run = Run(tmp_path, journal, sandbox, files=3)
        try:
            assert run.runner.start()
            assert run.ticker.active and run.runner.active_count == 2
            assert [i.status for i in run.rows] == [Status.UPLOADING] * 2 + [Status.QUEUED]
            await asyncio.wait_for(run.ended.wait(), 20)
            assert run.told.messages()[-1] == "3 files uploaded."
            assert not run.runner.has_active_uploads() and not run.ticker.active
            run.persistence.flush()
        finally:
            await run.close()
        return run

    run = run_async(scenario())
    assert [i.status for i in run.rows] == [Status.DONE] * 3
    finished = [entry[1] for entry in run.told.log if entry[0] == "upload_finished"]
    assert sorted(finished) == [1, 2, 3]
    assert sorted(e["sort"] for e in sandbox.library()) == [1, 2, 3]
    assert sorted(e.outcome for e in journal.query(kind="upload")) == ["done"] * 3
    store = SqliteUploadStore(tmp_path / "queue.sqlite3")
    try:
        assert {row.status for row in store.load().rows} == {"done"}
    finally:
        store.close()


@pytest.mark.expect_log("ERROR", r"saving the upload queue failed", logger="console.jobs.uploads.attempt")
@pytest.mark.expect_log("WARNING", r"saving the upload queue failed: database is locked",
                        logger="console.jobs.uploads.persistence")
def test_a_row_that_cannot_be_written_as_on_the_wire_is_not_sent(tmp_path, journal, sandbox):
    async def scenario():
        run = Run(tmp_path, journal, sandbox, files=1)
        run.persistence.flush()
        blocker = sqlite3.connect(tmp_path / "queue.sqlite3", isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another program holds the file
        try:
            assert run.runner.start()
            await asyncio.wait_for(run.ended.wait(), 20)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
            await run.close()
        return run

    run = run_async(scenario())
    item = run.rows.item_at(0)
    assert item.status == Status.FAILED
    assert item.reason is not None and item.reason.startswith("The queue could not be saved")
    assert sandbox.library() == []
    assert [e.outcome for e in journal.query(kind="upload")] == ["failed"]
