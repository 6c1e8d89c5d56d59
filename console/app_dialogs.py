"""The dialogs the window's menus open (app.py's wiring): each built with what it
needs from the running console, opened without blocking, and kept while open."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:
    from console.app import ConsoleApp


class AppDialogs:
    def __init__(self, console: ConsoleApp) -> None:
        self._console = console
        self.open_dialogs: dict[str, QDialog] = {}  # the last of each kind, kept alive

    def _open(self, kind: str, dialog: QDialog) -> QDialog:
        dialog.open()
        self.open_dialogs[kind] = dialog
        return dialog

    def show_profiles(self, new: bool = False) -> QDialog:
        from console.ui.profiles_dialog import ProfilesDialog

        c = self._console
        dialog = ProfilesDialog(session=c.session, secrets=c.secrets.as_secret_store(),
                                messages=c.messages, parent=c.window)
        if new:
            dialog.start_new_profile()
        return self._open("profiles", dialog)

    def show_about(self) -> QDialog:
        from console.ui.dialogs import AboutDialog

        return self._open("about", AboutDialog(parent=self._console.window))

    def show_preferences(self) -> QDialog:
        from console.ui.dialogs import PreferencesDialog

        c = self._console
        return self._open("preferences", PreferencesDialog(
            queue=c.upload_queue, secrets=c.secrets.as_secret_store(), parent=c.window))

    def show_office_database(self) -> QDialog:
        from console.ui.office_database import OfficeDatabaseDialog

        c = self._console
        return self._open("office", OfficeDatabaseDialog(
            config_dir=c.paths.config_dir, secrets=c.secrets.as_secret_store(),
            sqlite_path=c.paths.journal_file, messages=c.messages, parent=c.window,
            in_use=c.office.settings if c.office is not None else None))
