"""File ▸ Office database…: connect this desk to the office's shared PostgreSQL database.

Host, port, database, user and password (kept in the keyring, never in a file),
the desk's name, a Test that says which step failed (console/store/office_probe.py),
and a one-time import of this desk's own History and Library into the office
database (console/store/office_import.py; running it twice imports nothing
twice). Everything that touches the network or the keyring runs off the UI
thread; the buttons are disabled while it runs.

Where IT set the database with ``VOITEX_CONSOLE_DATABASE``, the address fields
show it and cannot be changed here; the password and the desk's name can.
The console switches between its own file and the office database at the next
start.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from qasync import asyncSlot

from console.store import office
from console.store.identity import clean_desk_name, machine_name
from console.store.office import OfficeSettings, OfficeSettingsError
from console.store.secrets import SecretStore
from console.ui.layout import column, push_button, row, wrapped_label
from console.ui.widgets import add_row

if TYPE_CHECKING:
    from console.ui.messages import MessageBridge


class OfficeDatabaseDialog(QDialog):
    """`secrets` is the console's SecretStore (get_key/set_key, called on a worker thread);
    `sqlite_path` this desk's own history file (what the import reads)."""

    def __init__(self, *, config_dir: Path, secrets: SecretStore, sqlite_path: Path,
                 in_use: OfficeSettings | None, messages: MessageBridge | None = None,
                 environ: dict[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Office database")
        self.setAccessibleName("Office database")
        self.config_dir = config_dir
        self.secrets = secrets
        self.sqlite_path = sqlite_path
        self.in_use = in_use
        self.messages = messages
        try:
            self.loaded = office.load(config_dir, environ=environ)
            problem = None
        except OfficeSettingsError as err:
            self.loaded, problem = None, str(err)

        intro = wrapped_label("Desks of one office can share History, the Library and the "
                              "upload records in one PostgreSQL database. IT sets it up and "
                              "gives you these details; the password is kept in this computer's "
                              "keyring.")
        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("db.office.lan")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(office.DEFAULT_PORT)
        self.database_edit = QLineEdit()
        self.database_edit.setPlaceholderText("voitex")
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Leave empty to keep the saved password")
        self.desk_edit = QLineEdit()
        self.desk_edit.setPlaceholderText(machine_name())
        form = QFormLayout()
        add_row(form, "&Host:", self.host_edit, "Host",
                help_text="The database server's name or address, as IT gave it.")
        add_row(form, "P&ort:", self.port_spin, "Port", help_text="PostgreSQL's usual port is 5432.")
        add_row(form, "&Database:", self.database_edit, "Database")
        add_row(form, "&User:", self.user_edit, "User")
        add_row(form, "Pass&word:", self.password_edit, "Password",
                help_text="Kept in this computer's password keyring, never in a file.")
        add_row(form, "Des&k name:", self.desk_edit, "Desk name",
                help_text="How History names this desk to the others (default: this computer's name).")

        self.status = wrapped_label(problem or self._state_text(), "Office database status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.hide()

        self.test_button = push_button("&Test", "Test the connection")
        self.test_button.clicked.connect(self.on_test_clicked)
        self.import_button = push_button(
            "&Import this desk's history", "Import this desk's history into the office database",
            "Copies this desk's own History and Library into the office database once; running "
            "it again adds nothing twice.")
        self.import_button.clicked.connect(self.on_import_clicked)
        self.use_button = QPushButton("&Use the office database")
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(self.on_use_clicked)
        self.own_file_button = QPushButton("Use this desk's own &file")
        self.own_file_button.clicked.connect(self.on_own_file_clicked)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        column(intro, form, row(self.test_button, self.import_button, 1), self.status,
               self.progress, row(self.own_file_button, 1, self.use_button, self.close_button),
               parent=self)
        self._fill()
        self._busy = False

    # -- the fields ------------------------------------------------------------------
    def _fill(self) -> None:
        saved = self.loaded
        if saved is not None:
            self.host_edit.setText(saved.host)
            self.port_spin.setValue(saved.port)
            self.database_edit.setText(saved.dbname)
            self.user_edit.setText(saved.user)
            self.desk_edit.setText(saved.desk)
        else:
            self.desk_edit.setText(office.load_desk(self.config_dir))
        self._enable_fields()

    def _enable_fields(self) -> None:
        saved = self.loaded
        from_env = saved is not None and saved.from_environment
        for field in (self.host_edit, self.port_spin, self.database_edit, self.user_edit):
            field.setEnabled(not from_env)
            if from_env:
                field.setToolTip(f"Set by IT with {office.ENV}.")
        self.own_file_button.setEnabled(not from_env)

    def _state_text(self) -> str:
        if self.in_use is not None:
            return f"This desk uses the office database {self.in_use.where}."
        if self.loaded is not None and self.loaded.from_environment:
            return f"IT set the office database with {office.ENV}."
        return "This desk keeps History and the Library in its own file."

    def settings(self) -> OfficeSettings:
        """What the fields say (the address from the environment when IT set it there)."""
        desk = clean_desk_name(self.desk_edit.text())
        if self.loaded is not None and self.loaded.from_environment:
            return office.with_desk(self.loaded, desk)
        extra = self.loaded.extra if self.loaded is not None else {}
        return OfficeSettings(host=self.host_edit.text().strip(), port=self.port_spin.value(),
                              dbname=self.database_edit.text().strip(),
                              user=self.user_edit.text().strip(), desk=desk, extra=extra)

    def _checked(self) -> OfficeSettings | None:
        settings = self.settings()
        problems = settings.problems()
        if problems:
            self.status.setText("\n".join(problems))
            field = {"Host": self.host_edit, "Port": self.port_spin, "Database": self.database_edit,
                     "User": self.user_edit}.get(problems[0].split(":")[0])
            if field is not None:
                field.setFocus()
            return None
        return settings

    def _password_for(self, settings: OfficeSettings) -> str | None:
        """The typed password, else the keyring's (call on a worker thread)."""
        typed = self.password_edit.text()
        if typed:
            return typed
        try:
            return self.secrets.get_key(settings.keyring_name)
        except Exception:  # a locked keyring: try without (libpq's .pgpass may have it)
            return None

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.test_button, self.import_button, self.use_button,
                       self.own_file_button):
            button.setEnabled(not busy)
        if not busy:
            self._enable_fields()

    # -- the actions -----------------------------------------------------------------
    @asyncSlot()
    async def on_test_clicked(self) -> None:
        settings = self._checked()
        if settings is None or self._busy:
            return
        from console.store.office_probe import probe

        self._set_busy(True)
        self.status.setText(f"Testing {settings.where}…")
        try:
            result = await asyncio.to_thread(
                lambda: probe(settings, self._password_for(settings)))
            self.status.setText(result.text())
        finally:
            self._set_busy(False)

    @asyncSlot()
    async def on_import_clicked(self) -> None:
        settings = self._checked()
        if settings is None or self._busy:
            return
        if not self.sqlite_path.exists():
            self.status.setText("This desk has no history of its own to import.")
            return
        from console.store.office_import import import_desk
        from console.store.pg.engine import PgEngine

        loop = asyncio.get_running_loop()
        self._set_busy(True)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"Importing this desk's History and Library into {settings.where}…")

        def shown(done: int, total: int) -> None:
            loop.call_soon_threadsafe(self._show_progress, done, total)

        def run() -> str:
            engine = PgEngine(lambda: settings.conninfo(self._password_for(settings)),
                              where=settings.where, reconnect_delays=(60.0,))
            try:
                return import_desk(self.sqlite_path, engine, desk=settings.desk_name,
                                   progress=shown).text()
            finally:
                engine.close()

        try:
            self.status.setText(await asyncio.to_thread(run))
        except Exception as err:
            from console.store.database import StoreError

            if not isinstance(err, StoreError):
                raise
            self.status.setText(f"The import stopped: {err} What was imported stays; "
                                "import again to add the rest.")
        finally:
            self.progress.hide()
            self._set_busy(False)

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    @asyncSlot()
    async def on_use_clicked(self) -> None:
        settings = self._checked()
        if settings is None or self._busy:
            return
        self._set_busy(True)
        try:
            password = self.password_edit.text()
            if password:
                try:
                    await asyncio.to_thread(self.secrets.set_key, settings.keyring_name, password)
                except Exception as err:
                    self.status.setText(f"Password: the keyring did not keep it ({err}). Unlock "
                                        "the keyring, or ask IT to use a .pgpass file, then try again.")
                    return
            if not self._saved(settings):
                return
            self.password_edit.clear()
            self._say(f"This desk uses the office database {settings.where} from the next start "
                      "of Voitex Console." if self.in_use != settings else
                      f"Saved. This desk uses the office database {settings.where}.")
            self.accept()
        finally:
            self._set_busy(False)

    def on_own_file_clicked(self) -> None:
        if not self._saved(None, desk=self.desk_edit.text()):
            return
        self._say("This desk keeps History and the Library in its own file from the next start "
                  "of Voitex Console." if self.in_use is not None else
                  "This desk keeps History and the Library in its own file.")
        self.accept()

    def _saved(self, settings: OfficeSettings | None, *, desk: str = "") -> bool:
        """Save the choice (None: this desk's own file, named `desk`); on failure say so."""
        try:
            office.save(self.config_dir, settings, desk=desk)
        except OSError as err:
            self.status.setText(f"The settings could not be saved ({err}). Check the disk, "
                                "then try again.")
            return False
        return True

    def _say(self, text: str) -> None:
        self.status.setText(text)
        if self.messages is not None:
            self.messages.info(text)
