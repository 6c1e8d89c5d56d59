"""Choosing a recording by name: a searchable, editable list of the catalogue.

`RecordingPicker` shows "Welcome — album 1 / sort 5 — id 918357" for each
recording this console put in the active account's library; typing filters
the list (any part of the name, the place or the id), and a number typed as
it is still counts, so a recording added in the portal can be used too.

`LibraryChooser` is the same list in a small dialog, for the branch designer's
play items, which need an album and a sort number rather than an id.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.store.catalogue import CatalogueEntry

if TYPE_CHECKING:
    from console.ui.library.source import LibrarySource

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_ID_AT_END = re.compile(r"—\s*id\s+(\S+)\s*$")


def recording_id_in(text: str) -> str:
    """The id a picker's text stands for: the id at the end of a label, else the text."""
    match = _ID_AT_END.search(text)
    return match.group(1) if match else text.strip()


class RecordingPicker(QComboBox):
    """An editable combo box over the catalogue; `text()` / `setText()` like a line edit."""

    entry_chosen = Signal(object)  # the CatalogueEntry picked from the list
    textChanged = Signal(str)  # noqa: N815 - as QLineEdit's, for code written for one

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(28)
        edit = self.lineEdit()
        assert edit is not None  # an editable combo box always has its line edit
        edit.setPlaceholderText("Type a name, an album or an id, like 918357")
        edit.setClearButtonEnabled(True)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.editTextChanged.connect(self.textChanged)
        self.activated.connect(self._on_activated)
        # activated(str), not activated(QModelIndex): an overloaded signal is picked by type.
        completer.activated[str].connect(self._on_completed)  # type: ignore[index]  # stubs lack overloads

    # -- content ------------------------------------------------------------------
    def set_entries(self, entries: Iterable[CatalogueEntry]) -> None:
        """Offer `entries`, keeping what is typed."""
        typed = self.currentText()
        self.blockSignals(True)
        try:
            self.clear()
            for entry in entries:
                self.addItem(entry.label, entry.recording_id)
                self.setItemData(self.count() - 1, entry, ENTRY_ROLE)
                self.setItemData(self.count() - 1, entry.source, Qt.ItemDataRole.ToolTipRole)
            self.setCurrentIndex(-1)
            self.setEditText(typed)
        finally:
            self.blockSignals(False)

    def entry_for(self, recording_id: str) -> CatalogueEntry | None:
        index = self.findData(recording_id)
        return self._entry_at(index) if index >= 0 else None

    def _entry_at(self, index: int) -> CatalogueEntry | None:
        entry: CatalogueEntry | None = self.itemData(index, ENTRY_ROLE)
        return entry

    # -- what is chosen -----------------------------------------------------------
    def text(self) -> str:
        return self.currentText()

    def setText(self, text: str) -> None:  # noqa: N802 - the QLineEdit name, for drafts and tests
        self.setEditText(text)

    def recording_id_text(self) -> str:
        """What to validate and send: the chosen recording's id, or what was typed."""
        return recording_id_in(self.currentText())

    def chosen_entry(self) -> CatalogueEntry | None:
        return self.entry_for(self.recording_id_text())

    def choose(self, recording_id: str) -> None:
        """Show `recording_id` by its label when the catalogue knows it, else as typed."""
        entry = self.entry_for(str(recording_id))
        self.setEditText(entry.label if entry is not None else str(recording_id))

    def choose_by_name(self, text: str) -> CatalogueEntry | None:
        """Pick the first recording whose label holds `text` (any case), as typing
        it and taking the first suggestion would."""
        needle = text.casefold()
        for index in range(self.count()):
            if needle in self.itemText(index).casefold():
                self.setCurrentIndex(index)
                self._on_activated(index)
                return self._entry_at(index)
        return None

    def _on_activated(self, index: int) -> None:
        entry = self._entry_at(index)
        if entry is not None:
            self.entry_chosen.emit(entry)

    def _on_completed(self, text: str) -> None:
        index = self.findText(text)
        if index >= 0:
            self._on_activated(index)


class LibraryFollower(QObject):
    """Keeps a picker's list in step with the Library: a little after each change
    while the picker is on screen, else when it is next shown (a large Library
    takes a moment to list)."""

    def __init__(self, picker: RecordingPicker, library: LibrarySource) -> None:
        super().__init__(picker)
        self._picker = picker
        self._library = library
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.fill)
        library.changed.connect(self._on_changed)
        picker.installEventFilter(self)

    def _on_changed(self) -> None:
        self._stale = True
        if self._picker.isVisible():
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self._stale:
            self.fill()
        return False

    def fill(self) -> None:
        self._timer.stop()
        self._stale = False
        self._picker.set_entries(self._library.entries())


class LibraryChooser(QDialog):
    """Pick one recording that has a sort number (a branch play item needs one)."""

    def __init__(self, entries: Iterable[CatalogueEntry], *, title: str = "Choose a recording",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._entries = [e for e in entries if e.sort is not None]
        self.search = QLineEdit()
        self.search.setAccessibleName("Search the library")
        self.search.setPlaceholderText("Type part of a name, an album or an id")
        self.search.setClearButtonEnabled(True)
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search)
        self.list = QListWidget()
        self.list.setAccessibleName("Recordings in the library")
        list_label = QLabel("&Recordings this console put in the library:")
        list_label.setBuddy(self.list)
        self.empty = QLabel("Nothing here yet: recordings appear once an upload or a text to "
                            "speech is confirmed. Recordings added in the Voitex portal are "
                            "not listed; type their album and sort number in the table.")
        self.empty.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName(
            "Add the chosen recording")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(search_label)
        layout.addWidget(self.search)
        layout.addWidget(list_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        self.search.textChanged.connect(self._fill)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.list.currentRowChanged.connect(self._update_ok)
        self.resize(520, 420)
        self._fill("")

    def _fill(self, text: str) -> None:
        needle = text.casefold().strip()
        self.list.clear()
        for entry in self._entries:
            if needle and needle not in entry.label.casefold():
                continue
            item = QListWidgetItem(entry.label)
            item.setData(ENTRY_ROLE, entry)
            item.setToolTip(entry.source)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.empty.setVisible(not self._entries)
        self._update_ok()

    def _update_ok(self, *_args: object) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.list.currentItem() is not None)

    def chosen(self) -> CatalogueEntry | None:
        item = self.list.currentItem()
        entry: CatalogueEntry | None = item.data(ENTRY_ROLE) if item is not None else None
        return entry

