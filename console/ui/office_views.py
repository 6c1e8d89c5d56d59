"""What another desk does shows on this desk's Broadcast tab: the office's news (LISTEN/NOTIFY
and a poll, console/store/pg/live.py) reaches the runs, their progress and the do-not-contact
list here. History and the Library follow `journal_changed` and `catalogue_changed` themselves
(console/office_wiring.py). The views read the window's copy in memory (BroadcastCache), never
the database."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer

__all__ = ["OfficeViews"]

_COALESCE_MS = 100  # news in bursts: one repaint


class OfficeViews(QObject):
    def __init__(self, window: Any, news: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._what: set[str] = set()
        self._runs: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_COALESCE_MS)
        self._timer.timeout.connect(self._show)
        news.broadcasts_changed.connect(self._on_broadcasts_changed)

    def _on_broadcasts_changed(self, what: str, run_id: int) -> None:
        self._what.add(what)
        if run_id >= 0:
            self._runs.add(run_id)
        if not self._timer.isActive():
            self._timer.start()

    def _show(self) -> None:
        what, runs = self._what, self._runs
        self._what, self._runs = set(), set()
        tab = self._window.built_tab("broadcast")
        if tab is None:
            return  # built later from the copy, up to date
        panel = tab.runs
        if "runs" in what:
            panel.refresh()  # keeps the run shown; its rows and progress with it
        elif panel.current_run_id() in runs:
            panel._on_run_chosen()  # the run shown: its rows and progress
        if "lists" in what:
            dialog = getattr(tab, "dnc_dialog", None)
            if dialog is not None and dialog.isVisible():
                dialog.refresh()
            tab.recompute()  # the check of the list loaded here, against the new lists
