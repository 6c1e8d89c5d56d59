"""The profile dialog's proxy fields and its Test connection panel.

The fields hold a profile's proxy choice: the system's settings (the
default), no proxy, or an address, with a user name and password that go to
the keyring. The panel runs the connection test (console/api/probe.py through
the session) and shows each step as it starts and ends.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.api.proxy import ProxyChoice
from console.store.profiles import PROXY_ADDRESS, PROXY_NONE, PROXY_SYSTEM, Profile
from console.ui.widgets import FieldErrorLabel, ResultLabel, add_row

if TYPE_CHECKING:
    from console.api.probe import Step

PROXY_LABELS = {
    PROXY_SYSTEM: "System settings",
    PROXY_NONE: "No proxy",
    PROXY_ADDRESS: "This proxy address",
}
STEP_TITLES = {"lookup": "Name lookup", "proxy": "Proxy", "tls": "Secure connection (TLS)",
               "key": "Voitex's answer to the key"}
_MARKS = {"pending": "\u25cb", "running": "\u2026", "ok": "\u2714", "failed": "\u2716", "skipped": "\u2013"}
_WORDS = {"pending": "waiting", "running": "trying", "ok": "fine", "failed": "failed", "skipped": "not tried"}


class ProxyFields:
    """The proxy rows of the profile form (added to ``form`` by :meth:`add_to`)."""

    def __init__(self) -> None:
        self.mode_combo = QComboBox()
        for mode, text in PROXY_LABELS.items():
            self.mode_combo.addItem(text, mode)
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText("10.0.0.5:3128 or http://proxy.office.lan:8080")
        self.address_error = FieldErrorLabel("Proxy address")
        self.user_edit = QLineEdit()
        self.user_edit.setPlaceholderText("Only if the proxy asks for one")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.saved_user = ""

    def add_to(self, form: QFormLayout) -> None:
        add_row(form, "&Proxy:", self.mode_combo, "Proxy",
                help_text="How this computer reaches the internet. System settings uses the proxy set in "
                          "Windows, macOS or HTTPS_PROXY; ask IT if you are not sure.")
        add_row(form, "Proxy add&ress:", self.address_edit, "Proxy address", self.address_error,
                "The office proxy's address and port, as IT gave it.")
        add_row(form, "Proxy user na&me:", self.user_edit, "Proxy user name",
                help_text="Only if the proxy asks for a user name and password. Kept in the keyring.")
        add_row(form, "Pro&xy password:", self.password_edit, "Proxy password",
                help_text="Kept in this computer's password keyring, never in a file.")
        self._on_mode_changed()

    def show(self, profile: Profile, saved_user: str) -> None:
        index = self.mode_combo.findData(profile.proxy_mode)
        self.mode_combo.setCurrentIndex(max(index, 0))
        self.address_edit.setText(profile.proxy_address)
        self.saved_user = saved_user
        self.user_edit.setText(saved_user)
        self.password_edit.clear()
        self.password_edit.setPlaceholderText("Saved in the keyring; type a new one to replace it"
                                              if saved_user else "")
        self.address_error.show_error(None)
        self._on_mode_changed()

    @property
    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def choice(self, saved_password: str = "") -> ProxyChoice:
        """What the fields say now (an unchanged user keeps the saved password)."""
        user = self.user_edit.text().strip() if self.mode != PROXY_NONE else ""
        password = self.password_edit.text()
        if user and not password and user == self.saved_user:
            password = saved_password
        return ProxyChoice(mode=self.mode, address=self.address_edit.text().strip(), username=user,
                           password=password if user else "")

    def _on_mode_changed(self) -> None:
        mode = self.mode
        self.address_edit.setEnabled(mode == PROXY_ADDRESS)
        self.user_edit.setEnabled(mode != PROXY_NONE)
        self.password_edit.setEnabled(mode != PROXY_NONE)


class ConnectionTestPanel(QWidget):
    """A Test connection button, the four steps as they go, and a summary."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.test_button = QPushButton("Test conn&ection")
        self.test_button.setAccessibleName("Test connection")
        self.test_button.setToolTip("Try the way to Voitex step by step with what is in the form. "
                                    "Nothing is sent: no message, call or upload.")
        self.progress = QProgressBar()
        self.progress.setRange(0, len(STEP_TITLES))
        self.progress.setAccessibleName("Connection test progress")
        self.progress.setFormat("%v of %m steps")
        self.progress.hide()
        self.step_labels: dict[str, QLabel] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.test_button)
        column.addWidget(self.progress)
        for name in STEP_TITLES:
            label = QLabel()
            label.setWordWrap(True)
            label.setAccessibleName(STEP_TITLES[name])
            label.hide()
            self.step_labels[name] = label
            column.addWidget(label)
        self.result_label = ResultLabel("Connection test result")
        column.addWidget(self.result_label)

    def reset(self) -> None:
        self.progress.hide()
        self.result_label.hide()
        for label in self.step_labels.values():
            label.hide()

    async def run(self, test: Callable[[Callable[[Step], object]], Awaitable[list[Step]]]) -> None:
        """Run ``test(on_step)`` (an awaitable), the button disabled meanwhile."""
        self.test_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.result_label.show_result("busy", "Testing the connection\u2026 (at most a minute)")
        for name, label in self.step_labels.items():
            self._show_step(name, "pending", "")
            label.show()
        try:
            steps = await test(self.on_step)
        finally:
            self.test_button.setEnabled(True)
        failed = [s for s in steps if s.state == "failed"]
        if failed:
            self.result_label.show_result("error", f"{failed[0].title} failed: {failed[0].detail}")
        else:
            self.result_label.show_result("ok", "The connection to Voitex works. Nothing was sent.")

    def on_step(self, step: Step) -> None:
        self._show_step(step.name, step.state, step.detail)
        done = sum(1 for name in STEP_TITLES if self._states.get(name) in ("ok", "failed", "skipped"))
        self.progress.setValue(done)

    def _show_step(self, name: str, state: str, detail: str) -> None:
        if not hasattr(self, "_states"):
            self._states: dict[str, str] = {}
        self._states[name] = state
        text = f"{_MARKS[state]} {STEP_TITLES[name]}: {_WORDS[state]}"
        if detail:
            text += f". {detail}"
        label = self.step_labels[name]
        label.setText(text)
        label.setAccessibleDescription(text)
