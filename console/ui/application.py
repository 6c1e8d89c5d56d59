"""The QApplication's settings, the application icon, and the start-up problem box."""
from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from console import __version__
from console.resources import app_icon_files

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    icon = QIcon()
    try:
        for path in app_icon_files():
            icon.addFile(str(path))
    except FileNotFoundError:
        log.warning("application icon missing")
    return icon


def make_qapp() -> QApplication:
    """The running QApplication (a test's), else a new one; set up for the console."""
    existing = QCoreApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("a QCoreApplication without widgets is already running")
    qapp = existing if existing is not None else QApplication(sys.argv[:1])
    qapp.setApplicationName("Voitex Console")
    qapp.setOrganizationName("Voitex Console")
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName("com.voitex.Console")
    qapp.setQuitOnLastWindowClosed(False)
    qapp.setWindowIcon(app_icon())
    return qapp


def show_startup_problem(text: str, *, interactive: bool) -> None:
    log.error("start-up failed: %s", text)
    print(f"Voitex Console could not start: {text}", file=sys.stderr)
    if interactive:
        box = QMessageBox(QMessageBox.Icon.Critical, "Voitex Console could not start", text)
        box.exec()
