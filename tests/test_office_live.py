"""Issue 21, live across desks: what another desk writes (a send, a recording, an opt-out, a
broadcast and its progress) shows on this desk's History, Library, do-not-contact list and
Broadcast tab without a restart or a click. This desk is the whole console on a real
PostgreSQL server; the other desk is a second set of stores (its own engine) on the same
database. The test waits on what the views show (news is LISTEN/NOTIFY, the poll a backstop)."""
from __future__ import annotations

import pytest

from console.domain.vocabulary import EntryKind, Outcome, RowState, RunState
from console.store.broadcast_dnc import DncRecord
from console.store.catalogue import NewRecording
from tests.jobs.broadcast_helpers import make_run
from tests.office.helpers import off_thread
from tests.office_desk import close_desk, open_desk
from tests.store.backends import PgBackend

SHOWN_S = 10_000  # ms: a bound for a loaded machine; the 2 s target is measured in bench/


@pytest.fixture
def desks(qtbot, qloop, memory_keyring, app_home, pg_server, pg_database, monkeypatch, tmp_path):
    app, proxy = open_desk(qtbot, memory_keyring, pg_server, pg_database, monkeypatch)
    other = PgBackend(pg_server, pg_database, tmp_path / "front-desk")
    yield app, other
    close_desk(app, proxy)
    other.close()


def test_another_desks_work_shows_here_without_a_click(qtbot, desks):
    app, other = desks
    profile = app.session.profile
    journal = other.journal(desk="Front desk")
    store = other.broadcast_store(desk="Front desk")

    # History: the other desk's SMS.
    app.window.show_tab("history")
    history = app.window.tab("history")
    qtbot.waitUntil(lambda: not history.model.busy, timeout=SHOWN_S)
    assert history.model.rowCount() == 0

    def sms() -> None:
        entry_id = journal.begin(kind=EntryKind.SMS, profile_id=profile.id,
                                 profile_name=profile.name, recipient="8451234567",
                                 content="Sent at the front desk")
        journal.finish(entry_id, outcome=Outcome.DONE, result_id="r1")

    off_thread(sms)
    qtbot.waitUntil(lambda: history.model.rowCount() == 1, timeout=SHOWN_S)
    assert history.model.entry(0).desk == "Front desk"

    # The Library: the other desk's upload.
    app.window.show_tab("library")
    library = app.window.tab("library")
    qtbot.waitUntil(lambda: not library.model.busy, timeout=SHOWN_S)
    assert library.model.rowCount() == 0
    catalogue = other.catalogue()
    off_thread(lambda: catalogue.record(NewRecording(
        profile_id=profile.id, album=1, sort=1, display_name="Welcome", recording_id="rec-1",
        kind="upload", created_at="2026-12-07T10:00:00+00:00")).result(10))
    qtbot.waitUntil(lambda: library.model.rowCount() == 1, timeout=SHOWN_S)

    # The do-not-contact list, open here while the other desk adds an opt-out.
    app.window.show_tab("broadcast")
    broadcast = app.window.tab("broadcast")
    broadcast.on_dnc_clicked()
    dialog = broadcast.dnc_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=SHOWN_S)
    assert dialog.table.rowCount() == 0
    off_thread(lambda: store.add_do_not_contact(
        [DncRecord("2125550001", "reply STOP", "2026-12-07", "at the front desk")]))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=SHOWN_S)
    assert dialog.table.item(0, 0).text() == "(212) 555-0001"
    dialog.close()

    # A broadcast the other desk started, then its progress.
    run_id = off_thread(lambda: make_run(store, to=["2125550002", "2125550003"]))
    panel = broadcast.runs
    qtbot.waitUntil(lambda: panel.current_run_id() == run_id, timeout=SHOWN_S)

    def one_sent() -> None:
        store.set_run_state(run_id, RunState.RUNNING)
        first = store.rows(run_id)[0]
        store.mark_sending(run_id, first.position)
        store.finish_row(run_id, first.position, state=RowState.SENT, result_id="m1")

    off_thread(one_sent)
    qtbot.waitUntil(lambda: panel.progress_label.text().startswith("1 sent"), timeout=SHOWN_S)
    assert "1 to send" in panel.progress_label.text()
