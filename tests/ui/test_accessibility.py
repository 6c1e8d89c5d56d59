"""Keyboard and screen-reader basics, checked on the real window.

Every control a user types into or presses has an accessible name or a label
tied to it, and no Alt+letter is claimed twice where it is active at once
(the menus are active everywhere).
"""
from __future__ import annotations

import collections
import re

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

import pytest

INPUTS = (QLineEdit, QComboBox, QAbstractButton, QAbstractSpinBox, QPlainTextEdit, QTextEdit,
          QAbstractItemView)


def mnemonic(text: str | None) -> str | None:
    match = re.search(r"&([^&])", text or "")
    return match.group(1).lower() if match else None


def unnamed_controls(root: QWidget) -> list[str]:
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or isinstance(widget, QHeaderView):
            continue
        parent = widget.parent()
        # Parts of a compound control (a combo's popup list, a spin box's editor,
        # a line edit's clear button) and standard dialog buttons with text.
        # a table's corner button and a tab bar's scroll arrows are Qt's own
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QLineEdit, QDialogButtonBox,
                               QAbstractItemView, QTabBar)):
            continue
        if parent is not None and type(parent).__name__ == "QFrame" and isinstance(
                widget, QAbstractItemView):
            continue  # a combo box's popup
        if widget.accessibleName() or id(widget) in buddies:
            continue
        missing.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    return missing


def mnemonic_clashes(root: QWidget, always_active: list[tuple[str, str]]) -> dict:
    seen = collections.defaultdict(list)
    for letter, where in always_active:
        seen[letter].append(where)
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root.window()):
            continue
        text = None
        if isinstance(widget, QLabel) and widget.buddy() is not None or isinstance(widget, QAbstractButton):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        if mnemonic(text):
            seen[mnemonic(text)].append(text)
        if isinstance(widget, QTabWidget) and widget is not root:
            for i in range(widget.count()):
                if mnemonic(widget.tabText(i)):
                    seen[mnemonic(widget.tabText(i))].append(widget.tabText(i))
    return {letter: where for letter, where in seen.items() if len(where) > 1}


@pytest.mark.parametrize("key", ["recordings", "tts", "sms", "calls", "broadcast", "branch",
                                 "history"])
def test_every_tab_names_its_controls_and_has_no_alt_letter_twice(qtbot, console_app, key):
    window = console_app.window
    menus = [(mnemonic(a.text()), a.text()) for a in window.menuBar().actions()
             if mnemonic(a.text())]
    window.show_tab(key)
    tab = console_app.tabs[key]
    pages = [tab]
    if key == "branch":
        pages = []
        for index in range(tab.pages.count()):
            tab.pages.setCurrentIndex(index)
            pages.append(tab)
            assert mnemonic_clashes(tab, menus) == {}, f"page {index}"
    for page in pages:
        assert mnemonic_clashes(page, menus) == {}
        assert unnamed_controls(page) == []
        for widget in page.findChildren(QWidget):
            assert "&" not in widget.accessibleName().replace("&&", ""), widget.accessibleName()


def test_dialogs_name_their_controls(qtbot, console_app):
    dialog = console_app.dialogs.show_profiles(new=True)
    assert mnemonic_clashes(dialog, []) == {}
    assert unnamed_controls(dialog) == []
    assert unnamed_controls(console_app.dialogs.show_preferences()) == []


def test_alt_number_switches_tabs(qtbot, console_app):
    from PySide6.QtGui import QShortcut

    window = console_app.window
    keys = {s.key().toString(): s for s in window.findChildren(QShortcut)}
    keys["Alt+7"].activated.emit()
    assert window.current_tab_key() == "history"
    keys["Alt+3"].activated.emit()
    assert window.current_tab_key() == "sms"
