"""Saving a tab's list as a CSV file: the file dialog, and the words of how it went.

History and the Library both export what their filters show; the question
asked and the sentences said are written here once.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


def ask_csv_path(parent: QWidget, *, title: str, folder: Path, stem: str) -> Path | None:
    """The file the user chose to save to (".csv" added when left out), or None."""
    stamp = datetime.now().strftime("%Y-%m-%d")
    suggested = str(folder / f"{stem}-{stamp}.csv")
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, "CSV files (*.csv)")
    if not name:
        return None
    if not name.lower().endswith(".csv"):
        name += ".csv"
    return Path(name)


def exported_text(what: str, path: Path) -> str:
    """`what`: how many of what, such as "3 entries"."""
    return f"Exported {what} to {path}."


def save_failed_text(path: Path, err: Exception) -> str:
    reason = getattr(err, "strerror", None) or str(err)
    return f"Could not save the export to {path}: {reason}. Choose another folder."
