"""The strip under the account banner that says, while it is so, that the office database cannot
be reached: nothing is sent, what was typed stays, the console keeps trying (issue 21)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from console.ui.banner import banner_style

__all__ = ["OfficeBanner"]


class OfficeBanner(QLabel):
    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.where = where
        self.setObjectName("officeBanner")
        self.setWordWrap(True)
        self.setAccessibleName("Office database")
        self.hide()

    def set_reachable(self, up: bool) -> None:
        if up:
            self.hide()
            return
        self.setText(f"The office database {self.where} cannot be reached. Nothing is sent until "
                     "it is back; what you typed stays. The console keeps trying to reconnect; "
                     "if it does not come back, tell IT.")
        style = banner_style("live", self.palette())
        self.setStyleSheet(f"QLabel#officeBanner {{ {style} padding:6px 10px; }}")
        self.show()
