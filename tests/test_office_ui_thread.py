"""Issue 21: the window's thread never waits for the office database.

The engine says so whenever the window's thread waits for a job (a WARNING, which
fails any test, and a count). Here a desk on a real PostgreSQL server is driven as
a user drives it: History searched, scrolled and a row opened, the Library searched,
an SMS sent, a broadcast started and watched to its end; the count stays zero.
"""
from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

import pytest

from console.domain.vocabulary import EntryKind, Outcome
from console.store.catalogue import NewRecording
from console.ui.history_model import PAGE_SIZE
from tests.office.helpers import off_thread
from tests.office_desk import close_desk, open_desk, send_sms
from tests.ui.history_helpers import fetch_all, settle


@pytest.fixture
def desk(qtbot, qloop, memory_keyring, app_home, pg_server, pg_database, monkeypatch):
    app, proxy = open_desk(qtbot, memory_keyring, pg_server, pg_database, monkeypatch)
    yield app
    close_desk(app, proxy)


def _fill(app, entries: int) -> None:
    """What other desks wrote earlier: a History longer than a page, two recordings."""
    profile = app.session.profile

    def write() -> None:
        for i in range(entries):
            entry_id = app.journal.begin(kind=EntryKind.SMS, profile_id=profile.id,
                                         profile_name=profile.name, recipient=f"212555{i:04d}",
                                         content=f"Reminder number {i}")
            app.journal.finish(entry_id, outcome=Outcome.DONE, result_id=f"m{i}")
        for sort, name in enumerate(("Welcome", "After hours"), start=1):
            app.catalogue.record(NewRecording(
                profile_id=profile.id, album=1, sort=sort, display_name=name,
                recording_id=f"rec-{sort}", kind="upload",
                created_at="2026-12-07T10:00:00+00:00")).result(10)

    off_thread(write, timeout=60)


def test_the_window_never_waits_for_the_office_database(qtbot, desk):
    app = desk
    engine = app.office.stores.engine
    assert engine._forbidden is not None  # the window's thread is watched
    _fill(app, PAGE_SIZE + 30)

    # History: the first page, a search, every page scrolled in, a row opened.
    app.window.show_tab("history")
    history = app.window.tab("history")
    history.refresh()
    settle(history.model)
    fetch_all(history.model)
    assert history.model.rowCount() == PAGE_SIZE + 30
    history.search_edit.setText("number 7")
    qtbot.keyClick(history.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not history.model.busy and 0 < history.model.rowCount() < 30,
                    timeout=10_000)
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: "Reminder number 7" in history.detail.toPlainText(), timeout=10_000)

    # The Library: both recordings, then a search.
    app.window.show_tab("library")
    library = app.window.tab("library")
    qtbot.waitUntil(lambda: not library.model.busy and library.model.rowCount() == 2, timeout=10_000)
    library.search_edit.setText("after")
    library.apply_filter()
    qtbot.waitUntil(lambda: not library.model.busy and library.model.rowCount() == 1, timeout=10_000)

    # A one-off SMS.
    tab = send_sms(qtbot, app, "Your order is ready", to="(845) 123-4567")
    assert tab.result_label.kind == "ok", tab.result_label.text()

    # A broadcast, watched to its end.
    app.window.show_tab("broadcast")
    broadcast = app.window.tab("broadcast")
    runner = app.broadcast_runner
    # Noon in New York whatever the real time: this test is not about calling hours.
    runner._clock = broadcast._clock = lambda: datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    broadcast.load_pasted_text("name\tphone\nAnn\t3125550001\nBob\t3125550002\n")
    broadcast.body_edit.setPlainText("Hello {name}, the office is closed tomorrow.")
    broadcast.per_second_spin.setValue(20)
    broadcast.recompute()  # checked off the window's thread, even two rows
    qtbot.waitUntil(lambda: not broadcast.check_busy and broadcast.start_button.isEnabled(),
                    timeout=10_000)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        qtbot.mouseClick(broadcast.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "2 sent" in broadcast.progress_label.text(), timeout=10_000)
    sent = [m["to"] for m in app.sandbox.server.outbox()["sms"]]
    assert sorted(sent) == ["3125550001", "3125550002", "8451234567"]

    assert engine.waits_on_forbidden == 0
