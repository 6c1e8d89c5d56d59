"""The dialogs the console shares: asking for a file to open or a place to save
(one pair for every panel), About and Preferences. (The question with Cancel as
its default, `question_box`, is in widgets.py beside the other confirmations.)"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.about import about_text
from console.ui.widgets import add_row

if TYPE_CHECKING:
    from console.jobs.uploads import UploadQueue
    from console.store.secrets import SecretStore


def with_suffix(path: str | Path, suffix: str) -> Path:
    """`path`, with `suffix` (".json") added unless it already ends so (in any case)."""
    result = Path(path)
    return result if result.suffix.lower() == suffix.lower() else result.with_name(result.name + suffix)


def ask_open_file(parent: QWidget, title: str, *, folder: str, filters: str) -> Path | None:
    """The file the user chose to open (starting in `folder`), or None on Cancel."""
    path, _ = QFileDialog.getOpenFileName(parent, title, folder, filters)
    return Path(path) if path else None


def ask_save_file(parent: QWidget, title: str, *, folder: str, suggested: str = "",
                  filters: str, suffix: str = "") -> Path | None:
    """Where the user chose to save (proposing `suggested` in `folder`), with
    `suffix` added when the name typed lacks it; None on Cancel."""
    start = str(Path(folder) / suggested) if suggested else folder
    path, _ = QFileDialog.getSaveFileName(parent, title, start, filters)
    if not path:
        return None
    return with_suffix(path, suffix) if suffix else Path(path)


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
        from console.jobs.uploads import CONCURRENCY_MAX

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
