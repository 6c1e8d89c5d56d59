"""The whole console on the office database, for the tests: a real PostgreSQL server behind a
TCP proxy that a test cuts and restores, the real embedded sandbox, the real window."""
from __future__ import annotations

from PySide6.QtCore import Qt

from console.store.office import ENV, OfficeSettings
from tests.console_env import drive
from tests.pg_server import DESK_PASSWORD, DESK_ROLE
from tests.tcp_proxy import TcpProxy


def open_desk(qtbot, memory_keyring, pg_server, pg_database, monkeypatch):
    """(app, proxy): a ConsoleApp on the office database, painted, its sandbox running."""
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
    return app, proxy


def close_desk(app, proxy) -> None:
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)
    proxy.close()


def send_sms(qtbot, app, body, to="(845) 123-4567"):
    tab = app.window.tab("sms")
    app.window.show_tab("sms")
    tab.to_edit.setText(to)
    tab.body_edit.setPlainText(body)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind in ("ok", "error"), timeout=15_000)
    return tab
