"""The whole console on the office database: a real PostgreSQL server behind a TCP proxy
that the test cuts and restores, the real sandbox, the real SMS tab."""
from __future__ import annotations

import pytest

from tests.office.helpers import off_thread
from tests.office_desk import close_desk, open_desk, send_sms


@pytest.fixture
def office_console(qtbot, qloop, memory_keyring, app_home, pg_server, pg_database, monkeypatch):
    app, proxy = open_desk(qtbot, memory_keyring, pg_server, pg_database, monkeypatch)
    yield app, proxy
    close_desk(app, proxy)


@pytest.mark.expect_log("ERROR", r"office database .* cannot be reached", logger="console.messages")
@pytest.mark.expect_log("ERROR", r"Nothing was sent", logger="console.messages")
def test_a_desk_on_the_office_database_sends_stops_while_it_is_away_and_goes_on_when_back(
        qtbot, office_console):
    app, proxy = office_console
    assert type(app.journal).__name__ == "PgJournal"
    tab = send_sms(qtbot, app, "Your order is ready")
    assert tab.result_label.kind == "ok"
    [entry] = off_thread(app.journal.query)
    assert entry.outcome == "done" and entry.desk == app.office.settings.desk_name
    assert entry.operator == app.journal.operator

    proxy.cut()
    tab.result_label.kind = None
    tab = send_sms(qtbot, app, "Table for two at eight")
    assert tab.result_label.kind == "error"
    assert tab.result_label.text().startswith("Nothing was sent")
    assert tab.body_edit.toPlainText() == "Table for two at eight"  # kept
    assert len(app.sandbox.server.outbox()["sms"]) == 1
    qtbot.waitUntil(lambda: any("cannot be reached" in text for level, text in app.messages.history
                                if level == "error"), timeout=10_000)
    # Said plainly at the top of the window, for as long as it is so.
    qtbot.waitUntil(app.office_banner.isVisible, timeout=10_000)
    assert "cannot be reached" in app.office_banner.text()
    assert app.office.settings.where in app.office_banner.text()

    proxy.restore()
    qtbot.waitUntil(lambda: any("is back; sending works again" in text for _, text in app.messages.history),
                    timeout=15_000)
    assert not app.office_banner.isVisible()
    tab.result_label.kind = None
    tab = send_sms(qtbot, app, "Table for two at eight")
    assert tab.result_label.kind == "ok", tab.result_label.text()
    assert [e.content for e in off_thread(app.journal.query)] == ["Table for two at eight",
                                                        "Your order is ready"]
