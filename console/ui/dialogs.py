"""About and Preferences."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from console.about import about_text
from console.jobs.uploads import CONCURRENCY_MAX, UploadQueue
from console.store.secrets import SecretStore
from console.ui.widgets import add_row


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Voitex Console")
        text = QLabel(about_text())
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        text.setAccessibleName("About Voitex Console")
        self.text = text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)


class PreferencesDialog(QDialog):
    """Settings that apply to the whole console."""

    def __init__(self, *, queue: UploadQueue, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.queue = queue
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(1, CONCURRENCY_MAX)
        self.concurrency_spin.setValue(int(getattr(queue, "concurrency", 4)))
        form = QFormLayout()
        add_row(form, "&Uploads at the same time:", self.concurrency_spin, "Uploads at the same time",
                help_text="How many files upload at once. 4 suits most connections.")
        keyring = QLabel("Account keys are kept in this computer's password keyring."
                         if secrets.state == "keyring" else secrets.explanation)
        keyring.setWordWrap(True)
        keyring.setAccessibleName("Where account keys are kept")
        form.addRow("Account keys:", keyring)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.queue.set_concurrency(self.concurrency_spin.value())
        super().accept()
