"""What the About dialog says: versions, and where the console keeps its files.

Plain text, one fact per line, so a user can select it and paste it into a
support request as it is.
"""
from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import qVersion

from console import __version__
from console.logging_setup import LOG_FILE_NAME
from console.store.paths import app_paths


def about_text() -> str:
    paths = app_paths()
    lines = [
        f"Voitex Console {__version__}",
        f"Qt {qVersion()} (PySide6 {PySide6.__version__})",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        "",
        f"Configuration folder: {paths.config_dir}",
        f"Data folder: {paths.data_dir}",
        f"Log folder: {paths.log_dir} (current log: {LOG_FILE_NAME})",
    ]
    return "\n".join(lines)
