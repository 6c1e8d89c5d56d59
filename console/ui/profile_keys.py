"""The Profiles dialog's secrets: the account key and the proxy's user name and
password to the keyring (or, when the keyring refuses and the user agrees, to
memory for this session), off the Qt thread."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from console.jobs.session import AccountSession
from console.store.secrets import SecretStore, SecretStoreError
from console.ui.connection_panel import ProxyFields
from console.ui.messages import MessageBridge
from console.ui.widgets import Confirm, FieldErrorLabel


class ProfileKeys:
    """Saves what the form's secret fields hold; says in the form what went wrong."""

    def __init__(self, *, session: AccountSession, secrets: SecretStore, messages: MessageBridge,
                 confirm: Confirm, parent: QWidget, key_error: FieldErrorLabel,
                 proxy_fields: ProxyFields, on_memory: Callable[[], None]) -> None:
        self.session = session
        self.secrets = secrets
        self.messages = messages
        self.confirm = confirm
        self.parent = parent
        self.key_error = key_error
        self.proxy_fields = proxy_fields
        self.on_memory = on_memory  # the keyring was given up for memory: the dialog says so

    async def store_key(self, profile_id: str, key: str) -> bool:
        try:
            await asyncio.to_thread(self.secrets.set_key, profile_id, key)
            return True
        except SecretStoreError as err:
            box = QMessageBox(self.parent)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("The keyring did not accept the key")
            box.setText(f"The computer's password keyring failed: {err}")
            box.setInformativeText(
                "Keep the key in memory for this session only? You will need to enter "
                "it again after you quit. It is never written to a file.")
            keep = box.addButton("Keep in memory", QMessageBox.ButtonRole.AcceptRole)
            keep.setAccessibleName("Keep in memory")
            box.addButton(QMessageBox.StandardButton.Cancel)
            if not self.confirm(box):
                self.key_error.show_error("Account key: not saved. Unlock the keyring or "
                                          "choose to keep it in memory.")
                return False
            self.secrets.use_memory_for_session()
            self.on_memory()
            await asyncio.to_thread(self.secrets.set_key, profile_id, key)
            return True

    async def store_proxy_credentials(self, profile_id: str) -> None:
        """The proxy's user name and password to the keyring (or out of it)."""
        fields = self.proxy_fields
        saved_user, saved_password = self.session.proxy_credentials(profile_id)
        choice = fields.choice(saved_password)
        try:
            if choice.username and (choice.username, choice.password) != (saved_user, saved_password):
                await asyncio.to_thread(self.secrets.set_proxy_credentials, profile_id, choice.username,
                                        choice.password)
            elif not choice.username and saved_user:
                await asyncio.to_thread(self.secrets.delete_proxy_credentials, profile_id)
            else:
                return
        except SecretStoreError as err:
            self.messages.warning(f"The proxy user name and password were not saved: {err} "
                                  "Unlock the keyring and save the profile again.")
            return
        await self.session.load_proxy_credentials(profile_id)
        await self.session.forget_client(profile_id)
        fields.password_edit.clear()
