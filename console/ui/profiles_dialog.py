"""Manage profiles: live accounts with their numbers, default album and key.

The list and the form are here; what the fields must hold is in profile_fields.py,
the numbers table in profile_numbers.py, and saving the key and the proxy's
password in profile_keys.py."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qasync import asyncSlot

from console.api import PRODUCTION_BASE_URL
from console.domain.phone import format_phone
from console.jobs.session import AccountSession
from console.store.profiles import Profile, ProfileError, new_profile_id
from console.store.secrets import SecretStore, SecretStoreError
from console.ui.connection_panel import ConnectionTestPanel, ProxyFields
from console.ui.dialogs import question_box
from console.ui.messages import MessageBridge
from console.ui.profile_fields import duplicate_name_problem, field_of, normalize_base_url
from console.ui.profile_keys import ProfileKeys
from console.ui.profile_numbers import NumbersEditor
from console.ui.widgets import Confirm, FieldErrorLabel, ResultLabel, add_row, default_confirm

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
        self._url_note_text = ""

        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName("Profiles")
        self.profile_list.setMaximumWidth(220)
        self.profile_list.currentItemChanged.connect(self._on_current_changed)
        self.new_button = QPushButton("Ne&w live account")
        self.new_button.setAccessibleName("New live account")
        self.new_button.clicked.connect(self.start_new_profile)
        left = QVBoxLayout()
        left.addWidget(self.profile_list, 1)
        left.addWidget(self.new_button)

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

        self.name_edit = QLineEdit()
        self.name_error = FieldErrorLabel("Name")
        self.url_edit = QLineEdit()
        self.url_error = FieldErrorLabel("Base URL")
        self.url_note = QLabel()  # what was changed in the address; not an error
        self.url_note.setWordWrap(True)
        self.url_note.setAccessibleName("Base URL note")
        self.url_note.hide()
        self.numbers = NumbersEditor()
        self.numbers_table = self.numbers.table
        self.numbers_error = self.numbers.error
        self.add_number_button = self.numbers.add_button
        self.remove_number_button = self.numbers.remove_button
        self.album_spin = QSpinBox()
        self.album_spin.setRange(1, 9999)
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste the account key from Voitex")
        self.key_status = QLabel()
        self.key_status.setAccessibleName("Key status")
        self.key_error = FieldErrorLabel("Account key")
        self.switch_check = QCheckBox("Swi&tch to it now")
        self.switch_check.setAccessibleName("Switch to the new account after saving")
        self.switch_check.setToolTip("Work on the new account as soon as it is saved. "
                                     "Messages and calls then reach real customers.")
        self.switch_check.setChecked(True)
        self.switch_check.hide()

        form = QFormLayout()
        add_row(form, "&Name:", self.name_edit, "Profile name", self.name_error,
                "A name you recognise, for example Main office.")
        add_row(form, "Base &URL:", self.url_edit, "Base URL", self.url_error,
                "Where the Voitex API is. Leave the default unless Voitex told you otherwise.")
        form.addRow("", self.url_note)
        add_row(form, "&Own numbers:", self.numbers_table, "Own numbers",
                help_text="The account's hotline numbers, used as SMS sender and caller id.")
        form.addRow("", self.numbers.buttons)
        form.addRow("", self.numbers_error)
        add_row(form, "Default &album:", self.album_spin, "Default album",
                help_text="The album new recordings go into unless you choose another.")
        add_row(form, "Account &key:", self.key_edit, "Account key", self.key_error,
                "Kept in this computer's password keyring, never in a file.")
        form.addRow("", self.key_status)
        self.proxy_fields = ProxyFields()
        self.proxy_fields.add_to(form)
        form.addRow("", self.switch_check)
        self.form_widget = QWidget()
        self.form_widget.setLayout(form)

        self.save_button = QPushButton("&Save profile")
        self.save_button.setAccessibleName("Save profile")
        self.save_button.clicked.connect(self.on_save_clicked)
        self.delete_button = QPushButton("&Delete profile…")
        self.delete_button.setAccessibleName("Delete profile")
        self.delete_button.clicked.connect(self.on_delete_clicked)
        actions = QHBoxLayout()
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        self.result_label = ResultLabel("Result")
        self.connection_panel = ConnectionTestPanel()
        self.connection_panel.test_button.clicked.connect(self.on_test_clicked)

        right = QVBoxLayout()
        right.addWidget(self.keyring_note)
        right.addWidget(self.sandbox_note)
        right.addWidget(self.new_heading)
        right.addWidget(self.form_widget)
        right.addLayout(actions)
        right.addWidget(self.result_label)
        right.addWidget(self.connection_panel)
        right.addStretch(1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(body)
        outer.addWidget(close)
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
        self.switch_check.setVisible(not profile.id and not sandbox)
        self.new_heading.setVisible(not profile.id and not sandbox)
        self.switch_check.setChecked(True)
        self.sandbox_note.setVisible(sandbox)
        self.form_widget.setEnabled(not sandbox)
        self.save_button.setEnabled(not sandbox)
        self.delete_button.setEnabled(not sandbox and bool(profile.id))
        self.name_edit.setText(profile.name)
        self.url_edit.setText(profile.base_url or "")
        self.numbers.show([(format_phone(own.number), own.label) for own in profile.numbers])
        self.album_spin.setValue(max(1, int(profile.default_album or 1)))
        self.key_edit.clear()
        self.proxy_fields.show(profile, self.session.proxy_credentials(profile.id)[0] if profile.id else "")
        self.connection_panel.reset()
        for err in (self.name_error, self.url_error, self.numbers_error, self.key_error):
            err.show_error(None)
        self.url_note.hide()
        self.result_label.hide()
        if sandbox:
            self.key_status.setText("The Sandbox needs no key.")
        elif not profile.id:
            self.key_status.setText("No key yet.")
        elif self.session.has_key(profile):
            where = "the keyring" if self.secrets.state == "keyring" else "memory (this session only)"
            self.key_status.setText(f"A key is saved in {where}. Type a new one to replace it.")
        else:
            self.key_status.setText("No key on this computer yet.")

    def _add_number_row(self, number: str, label: str) -> None:
        self.numbers.add_row(number, label)

    # -- saving --------------------------------------------------------------
    def _collect(self) -> tuple[Profile | None, dict[str, str]]:
        errors: dict[str, str] = {}
        numbers, bad_row = self.numbers.read()
        if bad_row:
            errors["numbers"] = bad_row
        base = self._editing
        base_url, url_note = normalize_base_url(self.url_edit.text())
        if url_note:
            self.url_edit.setText(base_url)
        profile = Profile(id=base.id if base else "", name=self.name_edit.text().strip(),
                          base_url=base_url, numbers=numbers,
                          default_album=self.album_spin.value(), is_sandbox=False,
                          proxy_mode=self.proxy_fields.mode,
                          proxy_address=self.proxy_fields.address_edit.text().strip())
        for message in profile.validate():
            errors.setdefault(field_of(message), message)
        duplicate = duplicate_name_problem(profile.name, profile.id, self.session.all_profiles())
        if duplicate:
            errors.setdefault("name", duplicate)
        is_new = not profile.id
        if is_new and not self.key_edit.text().strip():
            errors["key"] = "Account key: paste the key Voitex gave you for this account."
        self._show_field_errors(errors)
        self._url_note_text = url_note or ""
        self.url_note.setText(url_note or "")
        self.url_note.setVisible(bool(url_note))
        return (None if errors else profile), errors

    def _show_field_errors(self, errors: dict[str, str]) -> None:
        self.name_error.show_error(errors.get("name"))
        self.url_error.show_error(errors.get("url"))
        self.numbers_error.show_error(errors.get("numbers"))
        self.key_error.show_error(errors.get("key"))
        self.proxy_fields.address_error.show_error(errors.get("proxy"))
        focus = {"name": self.name_edit, "url": self.url_edit, "numbers": self.numbers_table,
                 "key": self.key_edit, "proxy": self.proxy_fields.address_edit}
        for key in ("name", "url", "numbers", "key", "proxy"):
            if key in errors:
                focus[key].setFocus()
                break

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
                self._show_field_errors(refused)
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
            if self._url_note_text:
                text += " " + self._url_note_text
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

