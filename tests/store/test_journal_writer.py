"""The journal writer thread: begin/finish off the caller's thread, retries, and the
sidecar file replayed on the next start (real SQLite files, a real lock held by
another connection)."""
from __future__ import annotations

import json
import sqlite3
import threading
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from console.store.journal import Journal, JournalError
from console.store.journal_writer import JournalWriter
from console.store.paths import app_paths

SMS = dict(kind="sms", profile_id="office", profile_name="Office", recipient="8451234567",
           content="Your order is ready",
           request={"to": "8451234567", "body": "Your order is ready"})


@pytest.fixture
def path():
    return app_paths().journal_file


@pytest.fixture
def journal(path):
    j = Journal(path)
    yield j
    j.close()


@pytest.fixture
def writer(journal):
    w = JournalWriter(journal, retry_delays=(0.05, 0.1))
    yield w
    w.close()


def wait_until(condition, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.02)


class Lock:
    """Another program holding the history file's write lock."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None, timeout=0)

    def __enter__(self):
        self.db.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        self.db.execute("ROLLBACK")
        self.db.close()


def test_begin_and_finish_land_from_the_writer_thread(journal):
    changes = []
    threads = set()

    def on_changed():
        changes.append(1)
        threads.add(threading.current_thread().name)

    writer = JournalWriter(journal, on_changed=on_changed)
    try:
        entry_id = writer.begin(**SMS, group_id="run-1").result(timeout=5)
        assert journal.get(entry_id).outcome == "pending"
        assert journal.get(entry_id).group_id == "run-1"
        assert writer.finish(entry_id, outcome="done", result_id="R1").result(timeout=5) is None
        entry = journal.get(entry_id)
        assert (entry.outcome, entry.result_id) == ("done", "R1")
        assert writer.flush(timeout=5) is True
        assert len(changes) == 2 and threads == {"journal-writer"}
    finally:
        writer.close()
    assert not journal.pending_updates_path.exists()


def test_bad_arguments_fail_the_future_or_raise(writer):
    with pytest.raises(ValueError, match="kind"):
        writer.begin(**{**SMS, "kind": "fax"}).result(timeout=5)
    with pytest.raises(ValueError, match="outcome"):
        writer.finish(1, outcome="pending")
    with pytest.raises(JournalError, match="no history entry"):
        writer.finish(12345, outcome="done").result(timeout=5)


def test_begin_on_a_locked_file_fails_with_what_to_do(path, writer):
    with Lock(path):
        with pytest.raises(JournalError) as caught:
            writer.begin(**SMS).result(timeout=10)
    text = str(caught.value)
    assert str(path) in text and "locked by another program" in text and "Close" in text
    # Once the other program lets go, the writer works again.
    assert writer.begin(**SMS).result(timeout=5) >= 1


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet",
                        logger="console.store.journal_writer")
def test_finish_on_a_locked_file_is_kept_and_retried_until_it_lands(path, journal, writer):
    entry_id = writer.begin(**SMS).result(timeout=5)
    with Lock(path):
        landed = writer.finish(entry_id, outcome="done", result_id="R9", messages=["ok"])
        with pytest.raises(FutureTimeout):
            landed.result(timeout=0.6)
        assert writer.flush(timeout=5) is False  # tried, waiting for a retry
        assert writer.retrying == 1
        kept = [json.loads(line) for line in
                journal.pending_updates_path.read_text().splitlines()]
        assert [(k["entry_id"], k["outcome"], k["result_id"]) for k in kept] == [
            (entry_id, "done", "R9")]
        assert journal.get(entry_id).outcome == "pending"  # reads are not blocked
    landed.result(timeout=10)
    entry = journal.get(entry_id)
    assert (entry.outcome, entry.result_id, entry.messages) == ("done", "R9", ["ok"])
    assert not journal.pending_updates_path.exists()
    assert writer.retrying == 0


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet",
                        logger="console.store.journal_writer")
def test_an_update_kept_at_close_is_replayed_by_the_next_start(path):
    first = Journal(path)
    writer = JournalWriter(first, retry_delays=(0.05,))
    delivered = writer.begin(**SMS).result(timeout=5)
    crashed = writer.begin(**{**SMS, "recipient": "8457654321"}).result(timeout=5)
    with Lock(path):
        landed = writer.finish(delivered, outcome="done", result_id="REF-1")
        writer.close()  # the console quits while the file is still locked
        with pytest.raises(JournalError, match="next start"):
            landed.result(timeout=1)
    first.close()
    assert first.pending_updates_path.exists()

    second = Journal(path)  # the next start
    try:
        assert second.replayed == 1
        assert second.mark_crashed_pending_unknown() == 1  # only the one really unknown
        assert (second.get(delivered).outcome, second.get(delivered).result_id) == ("done", "REF-1")
        assert second.get(crashed).outcome == "unknown"
        assert not second.pending_updates_path.exists()
    finally:
        second.close()


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet",
                        logger="console.store.journal_writer")
def test_a_writer_replays_what_the_journal_could_not_at_start(path):
    first = Journal(path)
    writer = JournalWriter(first, retry_delays=(0.05,))
    entry_id = writer.begin(**SMS).result(timeout=5)
    with Lock(path):
        writer.finish(entry_id, outcome="failed", messages=["refused"])
        writer.close()
    first.close()

    with Lock(path):
        second = Journal(path)  # the file is still busy at start: nothing replayed yet
        assert second.replayed == 0
        again = JournalWriter(second, retry_delays=(0.05,))
    try:
        # Tried first thing (maybe while still locked), then retried until it lands.
        wait_until(lambda: second.get(entry_id).outcome == "failed")
        assert again.flush(timeout=5)
        second_entry = second.get(entry_id)
        assert (second_entry.outcome, second_entry.messages) == ("failed", ["refused"])
        assert not second.pending_updates_path.exists()
    finally:
        again.close()
        second.close()


def test_replay_never_overwrites_a_known_outcome(path, journal):
    entry_id = journal.begin(**SMS)
    journal.finish(entry_id, outcome="failed", messages=["to is not valid"])
    journal.pending_updates_path.write_text(
        json.dumps({"entry_id": entry_id, "outcome": "done", "result_id": "X", "messages": []})
        + "\n" + "{torn line\n")
    replayer = Journal(path)
    try:
        assert journal.get(entry_id).outcome == "failed"
        assert not journal.pending_updates_path.exists()
    finally:
        replayer.close()
