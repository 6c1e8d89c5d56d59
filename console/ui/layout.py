"""Building a form's layout and its buttons in one call each: rows and columns of
widgets, layouts and stretches, splitters, labels with their buddy, and buttons
with their accessible name and tool tip."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

_Box = TypeVar("_Box", bound=QBoxLayout)
_Button = TypeVar("_Button", bound=QAbstractButton)
# What a row or column holds, in order: a widget, a layout, a stretch (an int),
# or a widget or layout with its stretch factor.
LayoutItem: TypeAlias = "QWidget | QLayout | int | tuple[QWidget | QLayout, int]"


def fill(layout: _Box, *items: LayoutItem, margins: int | None = None) -> _Box:
    """Add `items` to `layout` in order (see `LayoutItem`); `margins` sets all four."""
    if margins is not None:
        layout.setContentsMargins(margins, margins, margins, margins)
    for item in items:
        thing, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(thing, int):
            layout.addStretch(thing)
        elif isinstance(thing, QLayout):
            layout.addLayout(thing, stretch)
        else:
            layout.addWidget(thing, stretch)
    return layout


def row(*items: LayoutItem, margins: int | None = None) -> QHBoxLayout:
    """A row of `items`, left to right (see `fill`)."""
    return fill(QHBoxLayout(), *items, margins=margins)


def column(*items: LayoutItem, parent: QWidget | None = None,
           margins: int | None = None) -> QVBoxLayout:
    """A column of `items`, top to bottom; with `parent`, that widget's layout."""
    return fill(QVBoxLayout(parent) if parent is not None else QVBoxLayout(), *items,
                margins=margins)


def splitter(orientation: Qt.Orientation, *parts: tuple[QWidget, int],
             sizes: list[int] | None = None) -> QSplitter:
    """A splitter of `parts`, each a widget with its stretch factor; `sizes` to start with."""
    made = QSplitter(orientation)
    for index, (widget, stretch) in enumerate(parts):
        made.addWidget(widget)
        if stretch:
            made.setStretchFactor(index, stretch)
    if sizes:
        made.setSizes(sizes)
    return made


def wrapped_label(text: str = "", name: str = "") -> QLabel:
    """A label that wraps its words; `name` is its accessible name when given."""
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setAccessibleName(name)
    return label


def buddy_label(text: str, buddy: QWidget, *, wrap: bool = False) -> QLabel:
    """A label whose Alt+letter (the `&` in `text`) moves the focus to `buddy`."""
    label = QLabel(text)
    label.setBuddy(buddy)
    label.setWordWrap(wrap)
    return label


def _named(made: _Button, text: str, name: str, tip: str) -> _Button:
    made.setText(text)
    made.setAccessibleName(name)
    if tip:
        made.setToolTip(tip)
    return made


def push_button(text: str, name: str, tip: str = "", *, clicked: Callable[[], object] | None = None,
                shortcut: str | None = None) -> QPushButton:
    """A push button with its accessible name and, when given, its tool tip, the slot its
    `clicked` signal calls and a keyboard shortcut (named at the end of the tool tip)."""
    if shortcut:
        tip = f"{tip} ({shortcut})" if tip else shortcut
    button = _named(QPushButton(), text, name, tip)
    if shortcut:
        button.setShortcut(shortcut)
    if clicked is not None:
        button.clicked.connect(clicked)
    return button


def tool_button(text: str, name: str, tip: str = "") -> QToolButton:
    """A tool button with its accessible name and, when given, its tool tip."""
    return _named(QToolButton(), text, name, tip)
