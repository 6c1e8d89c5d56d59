"""Small widgets and helpers the forms share."""
from __future__ import annotations

from typing import Awaitable, Callable, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QLineEdit, QMessageBox,
                               QVBoxLayout, QWidget)

from console.domain.phone import format_as_you_type, format_phone
from console.store.profiles import Profile
from console.ui.palette import is_dark

# Shows a confirmation box and says whether the user chose to go ahead.
# Tabs take one in their constructor so tests can answer without a modal loop.
Confirm = Callable[[QMessageBox], bool]
T = TypeVar("T")


def default_confirm(box: QMessageBox) -> bool:
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole


def add_row(form: QFormLayout, text: str, field: QWidget, accessible_name: str,
            error: "FieldError | None" = None, help_text: str | None = None) -> QLabel:
    """Add a labelled row; the label's buddy is the field (Alt+letter jumps)."""
    label = QLabel(text)
    label.setBuddy(field)
    field.setAccessibleName(accessible_name)
    if help_text:
        field.setToolTip(help_text)
        field.setAccessibleDescription(help_text)
    if error is None:
        form.addRow(label, field)
        return label
    # The error sits right under its field, in the same row, so a hidden
    # error takes no space and a shown one opens no gap.
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(error)
    form.addRow(label, box)
    return label


def format_phone_as_typed(edit: QLineEdit) -> None:
    """Show `edit`'s phone number formatted as the user types, cursor kept in place."""

    def on_edited(text: str) -> None:
        formatted = format_as_you_type(text)
        if formatted == text:
            return
        # Formatting only adds or moves punctuation, so the cursor belongs
        # after the same number of digits as before.
        digits_before = sum(c.isdigit() for c in text[: edit.cursorPosition()])
        position = 0
        if digits_before:
            seen = 0
            for position, ch in enumerate(formatted, start=1):
                seen += ch.isdigit()
                if seen >= digits_before:
                    break
        edit.setText(formatted)
        edit.setCursorPosition(position)

    edit.textEdited.connect(on_edited)


class FieldError(QLabel):
    """A red line under a field; empty and hidden when all is well."""

    def __init__(self, field_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        # A dark desktop palette needs a light red (console/ui/palette.py).
        self.setStyleSheet("color: #f6aea9;" if is_dark(self.palette()) else "color: #b00020;")
        self.setWordWrap(True)
        self.setAccessibleName(f"{field_name} problem")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


class ResultLabel(QLabel):
    """The outcome of the last action, selectable so ids can be copied."""

    STYLES = {
        "ok": "background:#e6f4ea; color:#0d5323; border:1px solid #9fd3ae;",
        "error": "background:#fdecea; color:#8a1c12; border:1px solid #f1a9a0;",
        "warning": "background:#fff4e5; color:#7a4b00; border:1px solid #f5c77e;",
        "busy": "background:#eef3fb; color:#1d3d6e; border:1px solid #b7c9e6;",
    }

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(accessible_name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.kind = ""
        self.hide()

    def show_result(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setStyleSheet(f"QLabel {{ {self.STYLES[kind]} padding:8px; border-radius:4px; }}")
        self.setText(text)
        self.show()


def fill_numbers(combo: QComboBox, profile: Profile) -> None:
    """Offer the profile's own numbers, keeping the current choice if it is still there."""
    current = combo.currentData()
    combo.clear()
    for own in profile.numbers:
        text = format_phone(own.number)
        if own.label:
            text += f" — {own.label}"
        combo.addItem(text, own.number)
    index = combo.findData(current)
    if index >= 0:
        combo.setCurrentIndex(index)


def live_confirmation(parent: QWidget, *, title: str, text: str, informative: str,
                      action: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    send = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    send.setAccessibleName(action)
    box.setAccessibleName(title)
    return box



class CtrlEnterFilter(QObject):
    """Ctrl+Enter inside a multi-line text field runs `callback`.

    Text fields claim Ctrl+Return for themselves (ShortcutOverride), so a
    window-level QShortcut never sees it while the user is typing there.
    """

    def __init__(self, callback: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if (key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and key_event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self._callback()
                return True
        return False


def submit_on_ctrl_enter(tab: QWidget, button, *text_edits: QWidget) -> None:
    """Ctrl+Enter anywhere in `tab` clicks `button`."""
    for seq in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(seq), tab)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.click)
    text_filter = CtrlEnterFilter(button.click, tab)
    for edit in text_edits:
        edit.installEventFilter(text_filter)


class RequestFailed(Exception):
    """Raised by `run_request` after the failure has been shown to the user."""


async def run_request(call: Awaitable[T], *, button: QWidget, result_label: ResultLabel,
                      messages, profile_name: str, action: str, busy_text: str) -> T:
    """Await one request with the button disabled and the outcome shown.

    Every failure of the client becomes a sentence in the result label and the
    message bridge, then RequestFailed. Anything else is a bug: it is shown the
    same way and re-raised for the crash dialog.
    """
    from console.jobs.sender import HistoryUnavailableError
    from console.jobs.session import NoKeyError
    from console.ui.errors import describe_error

    button.setEnabled(False)
    result_label.show_result("busy", busy_text)
    try:
        return await call
    except (NoKeyError, HistoryUnavailableError) as err:
        text = str(err)
    except Exception as err:
        text = describe_error(err, profile_name=profile_name, action=action)
        if not hasattr(err, "outcome_unknown"):
            result_label.show_result("error", text)
            messages.error(text)
            raise
    finally:
        button.setEnabled(True)
    result_label.show_result("error", text)
    messages.error(text)
    raise RequestFailed(text)


def key_is_missing(session, result_label: ResultLabel, messages) -> bool:
    """Say so, before any confirmation, when the live profile has no key here."""
    if session.has_key():
        return False
    profile = session.profile
    text = (f"There is no account key for '{profile.name}' on this computer yet: "
            "add it in Profile ▸ Manage profiles.")
    result_label.show_result("error", text)
    messages.error(text)
    return True
