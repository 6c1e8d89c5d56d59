"""Unexpected exceptions open a dialog with a copyable report instead of closing the window."""
from __future__ import annotations

import logging
import platform
import sys
import traceback
from asyncio import AbstractEventLoop
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from console import __version__
from console.logging_setup import redact

log = logging.getLogger(__name__)


def crash_report(exc_type: type[BaseException], exc_value: BaseException,
                 exc_tb: TracebackType | None) -> str:
    lines = [
        f"Voitex Console {__version__}",
        f"Python {platform.python_version()} · Qt {qVersion()} · {platform.platform()}",
        "",
        "".join(traceback.format_exception(exc_type, exc_value, exc_tb)),
    ]
    return redact("\n".join(lines))


class CrashDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.setAccessibleName("Something went wrong")
        self.report = report
        intro = QLabel(
            "Voitex Console hit a problem it did not expect. Your work is still open; "
            "you can keep working. If it happens again, copy this report and send it to "
            "whoever supports the console for you. It contains no account keys.")
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Problem report")
        copy = QPushButton("&Copy report")
        copy.setAccessibleName("Copy report")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.report))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 420)


class CrashHandler:
    """Routes sys.excepthook and the asyncio loop's unhandled errors to one dialog."""

    def __init__(self, parent_provider: Callable[[], QWidget | None] = lambda: None,
                 show: bool = True) -> None:
        self.parent_provider = parent_provider
        self.show = show
        self.reports: list[str] = []
        self._open: list[CrashDialog] = []

    def install(self, loop: AbstractEventLoop | None = None) -> None:
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception_handler)

    def excepthook(self, exc_type: type[BaseException], exc_value: BaseException,
                   exc_tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc_value, exc_tb)
            return
        report = crash_report(exc_type, exc_value, exc_tb)
        log.error("Unexpected problem:\n%s", report)
        self.reports.append(report)
        if self.show and len(self._open) < 3:
            dialog = CrashDialog(report, self.parent_provider())
            dialog.finished.connect(lambda *_: self._open.remove(dialog))
            self._open.append(dialog)
            dialog.open()

    def loop_exception_handler(self, loop: AbstractEventLoop, context: dict[str, Any]) -> None:
        err = context.get("exception")
        if err is None:
            log.warning("asyncio: %s", redact(str(context.get("message"))))
            return
        self.excepthook(type(err), err, err.__traceback__)
