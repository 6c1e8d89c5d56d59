"""Exporting History: the entries matching the filters, to a CSV file.

Either blocking (`write`) or off the window's thread (`write_in_background`,
what the Export button does: 100,000 rows take a noticeable moment). Either
way the outcome is said in the status line and the message log: how many
were written, or why nothing was (the file, or History itself).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QPushButton

from console.domain.wording import plural
from console.store.database import StoreError
from console.store.interface import HistoryStore
from console.store.journal import JournalError
from console.ui.csv_export import exported_text, save_failed_text
from console.ui.history_cells import HistoryFilter
from console.ui.messages import MessageBridge

Status = Callable[[str, bool], None]  # (text, is an error): the tab's status line


class HistoryExport:
    def __init__(self, journal: HistoryStore, *, button: QPushButton, status: Status,
                 messages: MessageBridge | None) -> None:
        self._journal = journal
        self._button = button
        self._status = status
        self._messages = messages

    def write(self, path: Path, wanted: HistoryFilter) -> int | None:
        """How many entries were written, or None when nothing was (the reason is shown)."""
        return self._report(path, self._export(path, wanted))

    async def write_in_background(self, path: Path, wanted: HistoryFilter) -> int | None:
        self._button.setEnabled(False)
        self._status(f"Exporting to {path}…", False)
        try:
            outcome = await asyncio.to_thread(self._export, path, wanted)
        finally:
            self._button.setEnabled(True)
        return self._report(path, outcome)

    def _export(self, path: Path, wanted: HistoryFilter) -> int | str:
        """How many entries were written, or the sentence saying why none was."""
        try:
            return self._journal.export_csv(path, **wanted.kwargs())
        except OSError as err:
            return save_failed_text(path, err)
        except (JournalError, StoreError) as err:
            return _unreadable_text(path, err)

    def _report(self, path: Path, outcome: int | str) -> int | None:
        if isinstance(outcome, str):
            self._status(outcome, True)
            if self._messages is not None:
                self._messages.error(outcome)
            return None
        text = exported_text(plural(outcome, "entry", "entries"), path)
        self._status(text, False)
        if self._messages is not None:
            self._messages.info(text)
        return outcome


def _unreadable_text(path: Path, err: Exception) -> str:
    """History itself could not be read (the office database is away, the file is locked)."""
    return (f"Nothing was exported to {path}: History could not be read ({err}). "
            "Press Export again once History can be read.")
