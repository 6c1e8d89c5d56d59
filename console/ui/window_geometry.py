"""Where the main window first goes, and how big: roomy on a common screen, never
more than the screen has room for (a 1024x700 laptop)."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication

# The window's first size, when nothing was saved.
PREFERRED_SIZE = QSize(1100, 760)
# resize() sets the inside of the window; the title bar and frame come on top.
SCREEN_MARGIN = QSize(40, 72)


def initial_geometry(available: QRect, preferred: QSize = PREFERRED_SIZE,
                     margin: QSize = SCREEN_MARGIN) -> QRect:
    """Where the first window goes: `preferred`, shrunk to fit `available`, centred."""
    width = max(1, min(preferred.width(), available.width() - margin.width()))
    height = max(1, min(preferred.height(), available.height() - margin.height()))
    left = available.x() + max(0, (available.width() - width) // 2)
    top = available.y() + max(0, (available.height() - height - margin.height()) // 2)
    return QRect(left, top, width, height)


def primary_available_geometry() -> QRect:
    screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 700)
