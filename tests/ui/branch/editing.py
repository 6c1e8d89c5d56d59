"""Typing into table cells the way a user does: open the cell's editor, type, press Enter."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit


def open_editor(table, row: int, column: int, kind=QLineEdit):
    # As before a user's click: layouts that earlier typing asked for are done,
    # so the view does not move (and hide) the editor just opened.
    QCoreApplication.processEvents()
    index = table.model().index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    editors = [w for w in table.viewport().findChildren(kind) if w.isVisible()]
    assert len(editors) == 1, f"expected one open {kind.__name__} editor, found {len(editors)}"
    return editors[0]


def type_into_cell(qtbot, table, row: int, column: int, text: str, *, finish: bool = True):
    editor = open_editor(table, row, column)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    if finish:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        # A user's next click comes after the event loop has run; without this the
        # closed editor is still pending deletion when the next one opens, and Qt
        # warns when it is finally deleted.
        QCoreApplication.processEvents()
    return editor


def choose_kind(qtbot, table, row: int, title: str) -> None:
    combo = open_editor(table, row, 0, QComboBox)
    combo.setCurrentIndex(combo.findText(title))
    combo.activated.emit(combo.currentIndex())
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    QCoreApplication.processEvents()
