"""The queue's persistence part alone: a real SQLite file, no Qt, no rows object, no run."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from console.jobs.uploads.items import QueueItem
from console.jobs.uploads.persistence import QueuePersistence
from console.jobs.uploads.status import Status
from console.store.upload_store import SqliteUploadStore, StoredRow
from tests.jobs.queue_parts import HandTimer, Later


class Parts:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[int, QueueItem] = {}
        self.messages: list[tuple[str, str]] = []
        self.timer = HandTimer()
        self.later = Later()
        self.persistence = QueuePersistence(
            SqliteUploadStore(path), lookup=self.rows.get, flush_timer=self.timer,
            later=self.later, message=lambda level, text: self.messages.append((level, text)))
        self.timer.timeout = self.persistence.flush_writes

    def add(self, item_id: int, status: Status = Status.QUEUED, **fields) -> QueueItem:
        item = QueueItem(id=item_id, path=self.path.parent / f"{item_id}.wav", status=status,
                         album=1, sort=item_id, display_name=f"file {item_id}", **fields)
        self.rows[item_id] = item
        return item

    def on_disk(self) -> dict[int, str]:
        store = SqliteUploadStore(self.path)
        try:
            return {row.id: row.status for row in store.load().rows}
        finally:
            store.close()


@pytest.fixture
def parts(tmp_path):
    made = Parts(tmp_path / "history.sqlite3")
    yield made
    made.persistence.close()


def test_edits_are_coalesced_into_one_write_a_moment_later(parts):
    first, second = parts.add(1), parts.add(2)
    parts.persistence.mark_dirty([first])
    parts.persistence.mark_dirty([second])
    parts.persistence.save_settings({"next_sort": 3})
    assert parts.timer.starts == 1 and parts.on_disk() == {}
    parts.timer.fire()
    parts.persistence.flush()
    assert parts.on_disk() == {1: "queued", 2: "queued"}

    del parts.rows[2]
    parts.persistence.mark_deleted([2])
    parts.persistence.flush()
    assert parts.on_disk() == {1: "queued"}


def test_a_write_before_the_wire_is_committed_when_its_future_settles(parts):
    item = parts.add(1, Status.UPLOADING, entry_id=5)
    parts.persistence.mark_dirty([parts.add(2)])
    parts.persistence.write_now([item], durable=True).result(timeout=10)
    assert not parts.timer.isActive()  # the pending edit went with it
    assert parts.on_disk() == {1: "uploading", 2: "queued"}


@pytest.mark.expect_log("WARNING", r"saving the upload queue failed: database is locked",
                        logger="console.jobs.uploads.persistence")
def test_a_failed_write_is_kept_retried_and_told_once(parts):
    blocker = sqlite3.connect(parts.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        parts.persistence.mark_dirty([parts.add(1)])
        parts.timer.fire()
        assert parts.later.arrived.wait(10)
        assert parts.later.run_due() == [0]  # back on the owner's thread at once
        assert parts.later.calls[0][0] == 2000  # and written again two seconds later
        assert [text for _level, text in parts.messages] == [
            "The upload queue could not be saved just now (is another program using the History "
            "file?). The console keeps trying."]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    parts.later.run_due()
    parts.persistence.flush()
    assert parts.on_disk() == {1: "queued"}
    assert len(parts.messages) == 1


def test_start_up_settles_rows_that_were_on_the_wire_by_what_history_knows(parts):
    store = SqliteUploadStore(parts.path)
    store.write([StoredRow(id=1, path="/a.wav", status="sent", album=1, sort=1, entry_id=10),
                 StoredRow(id=2, path="/b.wav", status="uploading", album=1, sort=2, entry_id=11),
                 StoredRow(id=3, path="/c.wav", status="failed", album=1, sort=3,
                           info={"ok": True, "size": 10})],
                settings={"numbering": "filename"})
    store.close()
    history = {10: ("done", "REC-10"), 11: ("pending", None)}
    loaded = parts.persistence.load(history.get)
    assert [(i.id, i.status) for i in loaded.items] == [
        (1, Status.DONE), (2, Status.UNSURE), (3, Status.FAILED)]
    assert loaded.items[0].recording_id == "REC-10"
    assert loaded.changed == loaded.items[:2] and loaded.max_id == 3
    assert loaded.settings == {"numbering": "filename"}
    assert loaded.notice == (
        "From last time: 1 file is waiting for Upload, 1 file was being uploaded when the console "
        "stopped and may already be in the library (select it: Upload again or Mark as done) and "
        "1 upload that History confirms was marked as done.")
