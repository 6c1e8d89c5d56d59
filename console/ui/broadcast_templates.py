"""The saved broadcast templates, offered to the one-off SMS tab."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from console.domain.broadcast.template import TemplateError, fields_in
from console.store.broadcasts import BroadcastStore


def unreplaced_fields(text: str) -> str:
    """ "{first_name}, {date}" when `text` still holds merge fields, else ""."""
    try:
        return ", ".join("{" + name + "}" for name in fields_in(text))
    except TemplateError:
        return ""  # a lone brace in a one-off message is the writer's own


class TemplatePicker(QWidget):
    """A list of the saved templates and an Insert button; refreshed each time it is shown."""

    chosen = Signal(str)  # the template's text

    def __init__(self, store: BroadcastStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.combo = QComboBox()
        self.combo.setPlaceholderText("No saved templates yet")
        self.combo.setAccessibleName("Saved templates")
        self.insert_button = QPushButton("Insert template")
        self.insert_button.setAccessibleName("Insert the saved template")
        self.insert_button.setToolTip("Replaces the message with the template; fill in its "
                                      "merge fields ({first_name}…) before sending.")
        self.insert_button.clicked.connect(self._on_insert_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.insert_button)
        self.refresh()

    def refresh(self) -> None:
        current = self.combo.currentText()
        self.combo.clear()
        try:
            templates = self.store.templates()
        except Exception:  # the history file is busy: keep the list empty this time
            templates = {}
        for name, body in templates.items():
            self.combo.addItem(name, body)
        self.combo.setCurrentIndex(max(0, self.combo.findText(current)) if templates else -1)
        self.insert_button.setEnabled(bool(templates))

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)

    def _on_insert_clicked(self) -> None:
        body = self.combo.currentData()
        if body is not None:
            self.chosen.emit(body)
