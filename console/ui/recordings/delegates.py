"""Item delegates for the queue view: number editors and the progress bar."""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QWidget,
)

from console.ui.recordings.model import ProgressRole

Index = QModelIndex | QPersistentModelIndex


class NumberDelegate(QStyledItemDelegate):
    """A spin box limited to the field's range, so no invalid number can be typed."""

    def __init__(self, minimum: int, maximum: int, accessible_name: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._minimum = minimum
        self._maximum = maximum
        self._accessible_name = accessible_name

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QSpinBox(parent)
        editor.setRange(self._minimum, self._maximum)
        editor.setFrame(False)
        editor.setAccessibleName(self._accessible_name)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not isinstance(editor, QSpinBox):  # createEditor made it: always a spin box
            return
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setValue(int(value) if value is not None else self._minimum)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if not isinstance(editor, QSpinBox):
            return
        editor.interpretText()
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class ProgressDelegate(QStyledItemDelegate):
    """Draws a progress bar with the percentage while a row uploads."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        percent = index.data(ProgressRole)
        if percent is None or percent < 0:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else QApplication.style()
        # The selection highlight first, so a selected uploading row still looks selected.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = int(percent)
        bar.text = f"Uploading {percent}%"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.palette = option.palette
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)
