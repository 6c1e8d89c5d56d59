"""The office database away and back, shared by desks: a real server behind a TCP proxy that
the tests cut and restore (tests/tcp_proxy.py)."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest

from console.store.journal import CRASH_MESSAGE, JournalError
from console.store.journal_writer import JournalWriter
from console.store.migrations import SCHEMA_VERSION
from console.store.pg.engine import PgEngine
from console.store.pg.journal import PgJournal
from tests.pg_server import DESK_PASSWORD, DESK_ROLE, free_port
from tests.store.backends import PgBackend
from tests.tcp_proxy import TcpProxy

SMS = dict(kind="sms", profile_id="office", profile_name="Office", recipient="8451234567",
           content="Your order is ready", request={"to": "8451234567"})


@pytest.fixture
def backend(pg_server, pg_database, tmp_path):
    opened = PgBackend(pg_server, pg_database, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def proxy(pg_server):
    forwarder = TcpProxy(pg_server.port)
    yield forwarder
    forwarder.close()


def journal_through(proxy, backend, tmp_path, **engine_options):
    conninfo = backend.server.conninfo(backend.dbname, tcp=True, user=DESK_ROLE,
                                       password=DESK_PASSWORD).replace(
        f"port={backend.server.port}", f"port={proxy.port}")
    engine = PgEngine(conninfo, where="voitex on the test proxy", timeout_s=5,
                      reconnect_delays=(0.05, 0.1, 0.2), **engine_options)
    journal = PgJournal(engine, folder=tmp_path / "office", desk="Front desk", operator="anna")
    return engine, journal


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.02)


def test_a_database_that_is_not_there_fails_at_once_and_says_so(tmp_path):
    engine = PgEngine(f"host=127.0.0.1 port={free_port()} dbname=voitex user=desk password=s3cret-pw",
                      where="voitex on 127.0.0.1", timeout_s=5, reconnect_delays=(5.0,))
    journal = PgJournal(engine, folder=tmp_path / "office", desk="Front desk", operator="anna")
    try:
        for _ in range(3):  # after the first answer, no call waits for the network again
            started = time.monotonic()
            with pytest.raises(JournalError) as caught:
                journal.begin(**SMS)
            assert time.monotonic() - started < 4
        text = str(caught.value)
        assert "voitex on 127.0.0.1 cannot be reached" in text and "kept" in text
        assert "s3cret-pw" not in text
        assert not engine.reachable
    finally:
        journal.close()


def test_the_network_goes_away_and_comes_back_without_a_restart(proxy, backend, tmp_path):
    engine, journal = journal_through(proxy, backend, tmp_path)
    changes = []
    engine.add_listener(changes.append)
    try:
        first = journal.begin(**SMS)
        proxy.cut()
        with pytest.raises(JournalError, match="cannot be reached"):
            journal.begin(**SMS)
        assert changes == [False]
        proxy.restore()
        wait_for(lambda: changes == [False, True])
        second = journal.begin(**SMS)
        assert [e.id for e in journal.query()] == [second, first]
    finally:
        journal.close()


@pytest.mark.expect_log("WARNING", r"history update for entry \d+ not written yet.*cannot be reached",
                        logger="console.store.journal_writer")
def test_an_outcome_written_while_the_database_is_away_lands_when_it_is_back(proxy, backend, tmp_path):
    engine, journal = journal_through(proxy, backend, tmp_path)
    writer = JournalWriter(journal, retry_delays=(0.05, 0.1, 0.2))
    try:
        entry_id = writer.begin(**SMS).result(10)
        proxy.cut()
        landed = writer.finish(entry_id, outcome="done", result_id="R1")
        wait_for(lambda: journal.pending_updates_path.exists())  # kept on this desk meanwhile
        assert not landed.done()
        proxy.restore()
        landed.result(15)
        assert journal.get(entry_id).outcome == "done"
    finally:
        writer.close()
        journal.close()


def test_a_desk_turns_only_its_own_leftover_pending_entries_into_unknown(backend):
    front = backend.journal(desk="Front desk")
    back = backend.journal(desk="Back office")
    left_by_front = front.begin(**SMS)
    on_the_wire_at_back = back.begin(**SMS)
    restarted = backend.journal(desk="Front desk")
    begun_before_recovery = restarted.begin(**SMS)  # the database was away at start, say
    assert restarted.mark_crashed_pending_unknown() == 1
    assert restarted.get(left_by_front).outcome == "unknown"
    assert restarted.get(left_by_front).messages == [CRASH_MESSAGE]
    assert restarted.get(on_the_wire_at_back).outcome == "pending"
    assert restarted.get(begun_before_recovery).outcome == "pending"


def test_a_change_committed_late_is_not_stepped_over(backend):
    journal = backend.journal()
    start = journal.last_change()
    with psycopg.connect(backend.conninfo) as other:  # another desk, slow to commit
        slow = other.execute(
            "INSERT INTO entries (created_at, updated_at, kind, profile_id, profile_name, recipient,"
            " content, request, outcome, messages) VALUES ('2026-01-01T00:00:00.000+00:00',"
            " '2026-01-01T00:00:00.000+00:00', 'sms', 'p', 'P', 'r', 'slow', '{}', 'pending', '[]')"
            " RETURNING id").fetchone()[0]
        quick = journal.begin(**SMS)
        mark, changed = journal.changed_since(start)
        assert changed == [quick]
        other.commit()
    _, changed = journal.changed_since(mark)
    assert slow in changed


def test_a_table_held_by_another_desk_fails_soon_as_busy(backend):
    journal = backend.journal()
    assert journal.count() == 0  # the database is prepared
    with psycopg.connect(backend.conninfo) as other:
        other.execute("LOCK TABLE entries IN EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(JournalError, match="busy") as caught:
            journal.begin(**SMS)
        assert time.monotonic() - started < 5
        assert getattr(caught.value.__cause__, "busy", False)
    assert journal.begin(**SMS)


def test_a_database_from_a_newer_console_is_refused_not_called_unreachable(backend):
    backend.journal().begin(**SMS)  # prepares the database
    backend.sql("UPDATE voitex_schema SET version = 99")
    journal = backend.journal()
    with pytest.raises(JournalError, match="newer version of Voitex Console") as caught:
        journal.get(1)
    assert "99" in str(caught.value)
    assert journal.engine.reachable


def test_desks_starting_together_migrate_the_database_once(backend):
    journals = [backend.journal(desk=f"Desk {n}") for n in range(4)]
    errors = []

    def start(journal):
        try:
            journal.begin(**SMS)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=start, args=(j,)) for j in journals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert backend.sql("SELECT version FROM voitex_schema") == [(SCHEMA_VERSION,)]
    assert journals[0].count() == 4
