"""The whole console on the office database: a real PostgreSQL server behind a TCP proxy
that the test cuts and restores, the real sandbox, the real SMS tab."""
from __future__ import annotations

from PySide6.QtCore import Qt

import pytest

from console.store.office import ENV, OfficeSettings
from tests.console_env import drive
from tests.office.helpers import off_thread
from tests.pg_server import DESK_PASSWORD, DESK_ROLE
from tests.tcp_proxy import TcpProxy


@pytest.fixture
def office_console(qtbot, qloop, memory_keyring, app_home, pg_server, pg_database, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths
    from console.store.secrets import SERVICE

    proxy = TcpProxy(pg_server.port)
    settings = OfficeSettings(host="127.0.0.1", port=proxy.port, dbname=pg_database, user=DESK_ROLE)
    monkeypatch.setenv(ENV, f"postgresql://{DESK_ROLE}@127.0.0.1:{proxy.port}/{pg_database}")
    memory_keyring.set_password(SERVICE, settings.keyring_name, DESK_PASSWORD)
    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    # The reconnect pauses of a test: short.
    app.office.stores.engine._reconnect_delays = (0.05, 0.1)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitUntil(lambda: app.window.painted and app.sandbox.running, timeout=15000)
    yield app, proxy
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)
    proxy.close()


def send_sms(qtbot, app, body):
    tab = app.window.tab("sms")
    app.window.show_tab("sms")
    tab.to_edit.setText("(845) 123-4567")
    tab.body_edit.setPlainText(body)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind in ("ok", "error"), timeout=15_000)
    return tab


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

    proxy.restore()
    qtbot.waitUntil(lambda: any("is back; sending works again" in text for _, text in app.messages.history),
                    timeout=15_000)
    tab.result_label.kind = None
    tab = send_sms(qtbot, app, "Table for two at eight")
    assert tab.result_label.kind == "ok", tab.result_label.text()
    assert [e.content for e in off_thread(app.journal.query)] == ["Table for two at eight",
                                                        "Your order is ready"]
