"""Manage profiles: live accounts with their numbers, default album and key.

The list, Save, Delete and Test connection are here; the form and its field
errors in profile_form.py, what the fields must hold in profile_fields.py, the
numbers table in profile_numbers.py, and saving the key and the proxy's password
in profile_keys.py."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QWidget,
)

from qasync import asyncSlot

from console.api import PRODUCTION_BASE_URL
from console.jobs.session import AccountSession
from console.store.profiles import Profile, ProfileError, new_profile_id
from console.store.secrets import SecretStore, SecretStoreError
from console.ui.connection_panel import ConnectionTestPanel
from console.ui.layout import column, push_button, row
from console.ui.messages import MessageBridge
from console.ui.profile_fields import field_of, normalize_base_url
from console.ui.profile_form import ProfileForm
from console.ui.profile_keys import ProfileKeys
from console.ui.widgets import Confirm, ResultLabel, default_confirm, question_box

if TYPE_CHECKING:
    from console.api.probe import Step

log = logging.getLogger(__name__)

TITLE = "Profiles"
ADD_TITLE = "Add a live account"


class ProfilesDialog(QDialog):

    def __init__(self, *, session: AccountSession, secrets: SecretStore, messages: MessageBridge,
                 confirm: Confirm = default_confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.session = session
        self.secrets = secrets
        self.messages = messages
        self.confirm = confirm
        self._editing: Profile | None = None

        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName("Profiles")
        self.profile_list.setMaximumWidth(220)
        self.profile_list.currentItemChanged.connect(self._on_current_changed)
        self.new_button = push_button("Ne&w live account", "New live account")
        self.new_button.clicked.connect(self.start_new_profile)
        left = column((self.profile_list, 1), self.new_button)

        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet("background:#fff4e5; color:#7a4b00; padding:6px;")
        self.sandbox_note = QLabel(
            "The Sandbox is built in: it runs on this computer, needs no key and "
            "never reaches a customer. It cannot be changed or deleted.")
        self.sandbox_note.setWordWrap(True)
        self.new_heading = QLabel(
            "<b>Add a live account</b><br>Fill in the account's details and the key Voitex "
            "gave you. Messages and calls sent from it reach real customers.")
        self.new_heading.setWordWrap(True)
        self.new_heading.setAccessibleName("Add a live account")
        self.new_heading.hide()

        self.form_widget = form = ProfileForm()
        self.name_edit, self.name_error = form.name_edit, form.name_error
        self.url_edit, self.url_error, self.url_note = form.url_edit, form.url_error, form.url_note
        self.numbers = form.numbers
        self.numbers_table, self.numbers_error = self.numbers.table, self.numbers.error
        self.add_number_button = self.numbers.add_button
        self.remove_number_button = self.numbers.remove_button
        self.album_spin = form.album_spin
        self.key_edit, self.key_status, self.key_error = form.key_edit, form.key_status, form.key_error
        self.switch_check, self.proxy_fields = form.switch_check, form.proxy_fields

        self.save_button = push_button("&Save profile", "Save profile")
        self.save_button.clicked.connect(self.on_save_clicked)
        self.delete_button = push_button("&Delete profile…", "Delete profile")
        self.delete_button.clicked.connect(self.on_delete_clicked)
        self.result_label = ResultLabel("Result")
        self.connection_panel = ConnectionTestPanel()
        self.connection_panel.test_button.clicked.connect(self.on_test_clicked)
        right = column(self.keyring_note, self.sandbox_note, self.new_heading, self.form_widget,
                       row(self.delete_button, 1, self.save_button), self.result_label,
                       self.connection_panel, 1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        column(row(left, (right, 1)), close, parent=self)
        self.resize(820, 700)

        self.keys = ProfileKeys(session=session, secrets=secrets, messages=messages,
                                confirm=self.confirm, parent=self, key_error=self.key_error,
                                proxy_fields=self.proxy_fields, on_memory=self._refresh_keyring_note)
        self._refresh_keyring_note()
        self.reload()

    # -- list ----------------------------------------------------------------
    def reload(self, select_id: str | None = None) -> None:
        select_id = select_id or (self._editing.id if self._editing else self.session.profile.id)
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for profile in self.session.all_profiles():
            item = QListWidgetItem(profile.name + (" (practice)" if profile.is_sandbox else ""))
            item.setData(Qt.ItemDataRole.UserRole, profile)
            self.profile_list.addItem(item)
            if profile.id == select_id:
                self.profile_list.setCurrentItem(item)
        self.profile_list.blockSignals(False)
        current = self.profile_list.currentItem() or self.profile_list.item(0)
        self.profile_list.setCurrentItem(current)
        self._show_profile(current.data(Qt.ItemDataRole.UserRole))

    def _on_current_changed(self, current: QListWidgetItem | None,
                            _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self._show_profile(current.data(Qt.ItemDataRole.UserRole))

    def _refresh_keyring_note(self) -> None:
        if self.secrets.state == "keyring":
            self.keyring_note.hide()
        else:
            self.keyring_note.setText(self.secrets.explanation)
            self.keyring_note.show()

    def start_new_profile(self) -> None:
        """An empty live profile, ready to fill in (the "Add live account" path)."""
        self.profile_list.clearSelection()
        self._show_profile(Profile(id="", name="", base_url=PRODUCTION_BASE_URL, numbers=[],
                                   default_album=1, is_sandbox=False))
        self.setWindowTitle(ADD_TITLE)
        self.name_edit.setFocus()

    def _show_profile(self, profile: Profile) -> None:
        self._editing = profile
        sandbox = profile.is_sandbox
        self.setWindowTitle(ADD_TITLE if not profile.id and not sandbox else TITLE)
        self.new_heading.setVisible(not profile.id and not sandbox)
        self.sandbox_note.setVisible(sandbox)
        self.form_widget.setEnabled(not sandbox)
        self.save_button.setEnabled(not sandbox)
        self.delete_button.setEnabled(not sandbox and bool(profile.id))
        self.form_widget.show_profile(
            profile, proxy_user=self.session.proxy_credentials(profile.id)[0] if profile.id else "",
            key_status=self._key_status(profile))
        self.connection_panel.reset()
        self.result_label.hide()

    def _key_status(self, profile: Profile) -> str:
        if profile.is_sandbox:
            return "The Sandbox needs no key."
        if not profile.id:
            return "No key yet."
        if self.session.has_key(profile):
            where = "the keyring" if self.secrets.state == "keyring" else "memory (this session only)"
            return f"A key is saved in {where}. Type a new one to replace it."
        return "No key on this computer yet."

    def _add_number_row(self, number: str, label: str) -> None:
        self.numbers.add_row(number, label)

    # -- saving --------------------------------------------------------------
    def _collect(self) -> tuple[Profile | None, dict[str, str]]:
        return self.form_widget.read(self._editing, self.session.all_profiles())

    @asyncSlot()
    async def on_test_clicked(self) -> None:
        """Try the way to Voitex with what the form holds now (saved or not); sends nothing."""
        profile = self._editing
        if profile is None:
            return
        if profile.is_sandbox:
            base_url = self.session.sandbox_url
        else:
            base_url, _note = normalize_base_url(self.url_edit.text())
        key = self.key_edit.text().strip() or self.session.key_for(profile)
        if not key:
            self.key_error.show_error("Account key: paste the key Voitex gave you, then test again.")
            self.key_edit.setFocus()
            return
        if profile.is_sandbox:
            from console.api.proxy import ProxyChoice

            choice = ProxyChoice()
        else:
            choice = self.proxy_fields.choice(self.session.proxy_credentials(profile.id)[1])

        async def test(on_step: Callable[[Step], object]) -> list[Step]:
            return await self.session.test_connection(base_url=base_url, key=key, proxy=choice, on_step=on_step)

        await self.connection_panel.run(test)

    @asyncSlot()
    async def on_save_clicked(self) -> None:
        profile, errors = self._collect()
        if profile is None:
            self.result_label.show_result("error", "Please correct the fields marked in red.")
            return
        self.save_button.setEnabled(False)
        is_new = not profile.id
        switch = is_new and self.switch_check.isChecked()
        try:
            store = self.session.profiles
            try:
                if is_new:
                    profile.id = new_profile_id(profile.name)
                    store.add(profile)
                else:
                    store.update(profile)
            except ProfileError as err:
                # The store checks again (another window may have saved meanwhile):
                # its reasons name the field, so they go under it.
                if is_new:
                    profile.id = ""
                refused: dict[str, str] = {}
                for message in err.problems:
                    refused.setdefault(field_of(message), message)
                self.form_widget.show_field_errors(refused)
                self.result_label.show_result("error", "Not saved. Please correct the fields "
                                              "marked in red.")
                return
            except OSError as err:
                if is_new:
                    profile.id = ""
                self.result_label.show_result(
                    "error", f"Not saved: the profiles file could not be written "
                    f"({err.strerror or err}). Check the disk has space, then save again.")
                return
            key = self.key_edit.text().strip()
            self.key_edit.clear()
            if key and await self.keys.store_key(profile.id, key):
                await self.session.key_changed(profile.id)
            await self.keys.store_proxy_credentials(profile.id)
            self._editing = profile
            self.session.reload_profile()
            self.reload(select_id=profile.id)
            text = f"Profile \u201c{profile.name}\u201d saved."
            if self.form_widget.url_note_text:
                text += " " + self.form_widget.url_note_text
            if switch:
                text += await self._switch_to(profile)
            elif is_new:
                text += " To work on it, choose it in the Profile menu."
            self.result_label.show_result("ok", text)
            self.messages.info(text)
        finally:
            self.save_button.setEnabled(not profile.is_sandbox)

    async def _switch_to(self, profile: Profile) -> str:
        try:
            await self.session.activate(profile.id)
        except Exception as err:  # a failing keyring: the profile is saved all the same
            log.warning("could not switch to the new profile: %s", err)
            return (" It could not be made the active profile; choose it in the Profile "
                    "menu.")
        return (f" You are now working on \u201c{profile.name}\u201d: a LIVE account, "
                "messages and calls reach real customers.")

    @asyncSlot()
    async def on_delete_clicked(self) -> None:
        profile = self._editing
        if profile is None or profile.is_sandbox or not profile.id:
            return
        if not self.confirm(question_box(
                self, title="Delete profile?", icon=QMessageBox.Icon.Warning,
                text=f"Delete the profile '{profile.name}' and its key on this computer?",
                informative="History entries stay. You can add the account again later with "
                            "its key.", accept="Delete")):
            return
        was_active = self.session.profile.id == profile.id
        try:
            # The key goes first, so no key is left in the keyring that nothing points to.
            await asyncio.to_thread(self.session.profiles.delete, profile.id, secrets=self.secrets)
        except SecretStoreError as err:
            self.session.profiles.delete(profile.id)
            self.messages.warning(f"The profile is deleted, but its key could not be removed "
                                  f"from the keyring: {err}")
        await self.session.forget_profile(profile.id)
        if was_active:
            await self.session.activate("sandbox")
        self._editing = None
        self.reload(select_id="sandbox")
        self.messages.info(f"Profile '{profile.name}' deleted.")

