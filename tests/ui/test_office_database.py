"""File ▸ Office database…: the dialog against a real PostgreSQL server (tests/pg_server.py)."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt

import pytest

from console.store import office
from console.store.journal import Journal
from console.store.paths import app_paths
from console.store.secrets import SERVICE, SecretStore
from console.ui.messages import MessageBridge
from console.ui.office_database import OfficeDatabaseDialog
from tests.pg_server import DESK_PASSWORD, DESK_ROLE


@pytest.fixture
def dialog(qtbot, qloop, memory_keyring, pg_server, pg_database):
    paths = app_paths()
    made = OfficeDatabaseDialog(config_dir=paths.config_dir, secrets=SecretStore.create(),
                                sqlite_path=paths.journal_file, in_use=None,
                                messages=MessageBridge())
    qtbot.addWidget(made)
    made.show()
    made.host_edit.setText("127.0.0.1")
    made.port_spin.setValue(pg_server.port)
    made.database_edit.setText(pg_database)
    made.user_edit.setText(DESK_ROLE)
    made.desk_edit.setText("Front desk")
    return made


def click_and_wait(qtbot, dialog, button):
    seen = []  # every busy state the dialog went through
    original = dialog._set_busy

    def recording(busy):
        seen.append((busy, button.isEnabled()))
        original(busy)
        seen.append((busy, button.isEnabled()))

    dialog._set_busy = recording
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: seen[-1:] == [(False, True)], timeout=20_000)
    finally:
        dialog._set_busy = original
    assert (True, False) in seen  # disabled while it ran
    return dialog.status.text()


def test_test_says_which_step_failed_then_that_all_pass(qtbot, dialog):
    dialog.password_edit.setText("not the password")
    text = click_and_wait(qtbot, dialog, dialog.test_button)
    assert "✓ Reachable" in text and "✗ Password" in text and "refused the password" in text
    dialog.password_edit.setText(DESK_PASSWORD)
    text = click_and_wait(qtbot, dialog, dialog.test_button)
    assert "✗" not in text and "✓ Schema version" in text


def test_an_empty_field_is_named_and_focused(qtbot, dialog):
    dialog.database_edit.clear()
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Database: this field is empty"))
    assert dialog.focusWidget() is dialog.database_edit


def test_the_import_runs_once_and_use_keeps_the_password_in_the_keyring(qtbot, dialog,
                                                                         memory_keyring):
    journal = Journal(app_paths().journal_file)
    for n in range(3):
        journal.begin(kind="sms", profile_id="office", profile_name="Office",
                      recipient=f"845123456{n}", content=f"Message {n}")
    journal.close()
    dialog.password_edit.setText(DESK_PASSWORD)
    assert "3 History entries and 0 Library recordings imported" in click_and_wait(
        qtbot, dialog, dialog.import_button)
    text = click_and_wait(qtbot, dialog, dialog.import_button)
    assert "0 History entries" in text and "3 rows were imported before" in text

    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    saved = office.load(app_paths().config_dir, environ={})
    assert (saved.host, saved.desk_name, saved.user) == ("127.0.0.1", "Front desk", DESK_ROLE)
    assert memory_keyring.passwords[(SERVICE, saved.keyring_name)] == DESK_PASSWORD
    stored = (app_paths().config_dir / office.FILE_NAME).read_text()
    assert DESK_PASSWORD not in stored and json.loads(stored)["dbname"] == saved.dbname
    assert any("from the next start" in text for _, text in dialog.messages.history)


def test_settings_from_the_environment_cannot_be_changed_here(qtbot, qloop, memory_keyring):
    paths = app_paths()
    made = OfficeDatabaseDialog(config_dir=paths.config_dir, secrets=SecretStore.create(),
                                sqlite_path=paths.journal_file, in_use=None,
                                environ={office.ENV: "postgresql://it@db.office.lan/voitex"})
    qtbot.addWidget(made)
    assert made.host_edit.text() == "db.office.lan" and not made.host_edit.isEnabled()
    assert made.password_edit.isEnabled() and made.desk_edit.isEnabled()
    assert office.ENV in made.status.text()
    assert made.host_edit.accessibleName() == "Host"
