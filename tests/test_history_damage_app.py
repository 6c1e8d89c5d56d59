"""A damaged or locked history file as the whole console meets it at start and at send."""
from __future__ import annotations

import random

import pytest

from tests.console_env import drive


def _start():
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    app.window.show()
    return app


def _stop(app) -> None:
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)
    app.window.deleteLater()


@pytest.mark.expect_log("WARNING", r"requests? (was|were) still running when the console last closed",
                        logger="console.messages")
@pytest.mark.expect_log("WARNING", r"damaged state file: History \(history.sqlite3\)", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"History \(history.sqlite3\): SQLite could not read all of it",
                        logger="console.messages")
def test_a_damaged_history_is_listed_in_the_start_up_notice(qtbot, qloop, memory_keyring):
    from console.store.journal import Journal
    from console.store.paths import app_paths

    path = app_paths().data_dir / "history.sqlite3"
    journal = Journal(path)
    with journal.batch():
        for n in range(300):
            journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox",
                          recipient=f"845{n:07d}", content=f"Message {n} " + "x" * 60)
    journal.close()
    data = bytearray(path.read_bytes())
    # The page that holds entry 150's row: some entries are lost, not all.
    middle = data.index(b"Message 150 ") // 4096 * 4096
    data[middle:middle + 4096] = random.Random(7).randbytes(4096)
    path.write_bytes(bytes(data))

    app = _start()
    try:
        qtbot.waitUntil(lambda: app._after_paint is not None and app._after_paint.done(),
                        timeout=15000)
        [notice] = app.messages.notices.about(path)
        assert notice.kept_as.exists() and notice.kept_as.name.startswith("history.sqlite3.broken-")
        assert f"{app.journal.count():,} readable rows" in notice.saved
        dialog = app.window.startup_notices
        assert dialog is not None and dialog.isVisible()
        assert "history.sqlite3" in dialog.text() and str(notice.kept_as) in dialog.text()
        assert 0 < app.journal.count() < 300
    finally:
        _stop(app)
