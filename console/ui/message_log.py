"""Every message the status bar showed since start, and the window that lists them."""
from __future__ import annotations

import time

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

MESSAGE_LOG_LIMIT = 500
LEVEL_WORDS = {"info": "Info", "warning": "Warning", "error": "Error"}


class MessageLog:
    """The last MESSAGE_LOG_LIMIT messages as (time, level, text); the open list follows them."""

    def __init__(self) -> None:
        self.entries: list[tuple[float, str, str]] = []
        self._view: QPlainTextEdit | None = None

    def add(self, level: str, text: str) -> None:
        self.entries.append((time.time(), level, text))
        del self.entries[:-MESSAGE_LOG_LIMIT]
        if self._view is not None:
            self._view.setPlainText(self.text())

    def text(self) -> str:
        lines = []
        for stamp, level, text in self.entries:
            when = time.strftime("%H:%M:%S", time.localtime(stamp))
            lines.append(f"{when}  {LEVEL_WORDS.get(level, level)}: {text}")
        return "\n".join(lines) if lines else "No messages yet."

    def open_dialog(self, parent: QWidget) -> QDialog:
        """The "Messages" window, opened (not modal); it shows new messages as they come."""
        dialog = QDialog(parent)
        dialog.setWindowTitle("Messages")
        view = QPlainTextEdit()
        view.setReadOnly(True)
        view.setAccessibleName("All messages")
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        view.setPlainText(self.text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        layout.addWidget(buttons)
        dialog.resize(640, 360)
        dialog.finished.connect(self._on_closed)
        dialog.open()
        self._view = view
        return dialog

    def _on_closed(self, _result: int) -> None:
        self._view = None
