"""The status bar's message label: one line, shortened at a word with "…"."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" at a word boundary
    and shows the whole of it as a tooltip (the status bar's messages)."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def full_text(self) -> str:
        return self._full_text

    def set_full_text(self, text: str) -> None:
        self._full_text = text
        self.setAccessibleDescription(text)
        self._elide()

    def is_elided(self) -> bool:
        return self.text() != self._full_text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._full_text:
            self.clicked.emit()

    def _elide(self) -> None:
        shown = elide_words(self._full_text, self.width(), self.fontMetrics().horizontalAdvance)
        super().setText(shown)
        self.setToolTip(self._full_text + "\n\n(Click to see all messages.)"
                        if shown != self._full_text else "")


def elide_words(text: str, width: int, measure: Callable[[str], int]) -> str:
    """`text` if it fits in `width`, else as many whole words as fit, then "…"."""
    if measure(text) <= width:
        return text
    words = text.split(" ")
    shown = "…"
    for count in range(1, len(words) + 1):
        candidate = " ".join(words[:count]).rstrip(" ,;:.") + "…"
        if measure(candidate) > width:
            break
        shown = candidate
    if shown == "…":
        # Not even one word fits: cut the first word so something shows.
        first = words[0]
        while first and measure(first + "…") > width:
            first = first[:-1]
        shown = first + "…"
    return shown
