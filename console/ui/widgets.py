"""Small widgets and helpers the forms share."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.phone import format_as_you_type, format_phone
from console.store.profiles import Profile
from console.ui.palette import is_dark

if TYPE_CHECKING:
    from console.jobs.session import AccountSession
    from console.ui.messages import MessageBridge

_T = TypeVar("_T")

# Shows a confirmation box and says whether the user chose to go ahead.
# Tabs take one in their constructor so tests can answer without a modal loop.
Confirm = Callable[[QMessageBox], bool]


def default_confirm(box: QMessageBox) -> bool:
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole


def add_row(form: QFormLayout, text: str, field: QWidget, accessible_name: str,
            error: FieldErrorLabel | None = None, help_text: str | None = None) -> QLabel:
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
        # Formatting only adds or moves punctuation (and turns keypad letters
        # into their digits), so the cursor belongs after the same number of
        # digits as before.
        digits_before = sum(c.isdigit() or (c.isascii() and c.isalpha())
                            for c in text[: edit.cursorPosition()])
        position = 0
        if digits_before:
            seen = 0
            for index, ch in enumerate(formatted, start=1):
                seen += ch.isdigit()
                if seen >= digits_before:
                    position = index  # just after the digit the cursor followed
                    break
            else:
                position = len(formatted)
        edit.setText(formatted)
        edit.setCursorPosition(position)

    edit.textEdited.connect(on_edited)


def dark_palette() -> bool:
    """Whether the application runs under a dark palette (a desktop in dark mode).

    The application's palette, not a widget's own: a widget styled with a light
    background must not make the next choice for it.
    """
    return is_dark(QGuiApplication.palette())


# Colours that carry meaning, each with a variant readable on a dark palette.
ERROR_TEXT = {"light": "#b00020", "dark": "#ff8a80"}
# Behind a character that forces special (UCS-2) encoding in the SMS text.
HIGHLIGHT = {"light": ("#ffe08a", "#000000"), "dark": ("#7a5c00", "#ffffff")}


def tone(colours: Mapping[str, _T]) -> _T:
    """The light or dark palette's value."""
    return colours["dark" if dark_palette() else "light"]


class FieldErrorLabel(QLabel):
    """A red line under a field; empty and hidden when all is well.

    It shows the text of a `console.domain.validation.FieldError` (the
    exception), hence the different name.
    """

    def __init__(self, field_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self._dark: bool | None = None
        self._restyle()
        self.setWordWrap(True)
        self.setAccessibleName(f"{field_name} problem")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def _restyle(self) -> None:
        dark = dark_palette()
        if dark != self._dark:  # a style sheet change sends change events of its own
            self._dark = dark
            self.setStyleSheet(f"color: {tone(ERROR_TEXT)};")

    def event(self, event: QEvent) -> bool:
        # ApplicationPaletteChange (a desktop switching to dark mode) never
        # reaches changeEvent.
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._restyle()
        return super().event(event)

    def show_error(self, text: str | None) -> None:
        self._restyle()
        self.setText(text or "")
        self.setVisible(bool(text))


class ResultLabel(QLabel):
    """The outcome of the last action, selectable so ids can be copied.

    Kinds: "ok" (done, green), "error" (failed, red), "unknown" (amber with a
    bar: it may or may not have happened), "warning", "declined" (grey: the user
    chose not to go ahead, nothing happened) and "busy". Colour is a hint only; the words always say the outcome too.
    """

    STYLES = {
        "light": {
            "ok": "background:#e6f4ea; color:#0d5323; border:1px solid #9fd3ae;",
            "error": "background:#fdecea; color:#8a1c12; border:1px solid #f1a9a0;",
            "unknown": ("background:#fff3cd; color:#5c3c00; border:1px solid #e0a800;"
                        " border-left:6px solid #e0a800;"),
            "warning": "background:#fff4e5; color:#7a4b00; border:1px solid #f5c77e;",
            "declined": "background:#f1f3f4; color:#3c4043; border:1px solid #c4c7c5;",
            "busy": "background:#eef3fb; color:#1d3d6e; border:1px solid #b7c9e6;",
        },
        "dark": {
            "ok": "background:#11331c; color:#a8e6b9; border:1px solid #2f7a47;",
            "error": "background:#3d1410; color:#ffb4a9; border:1px solid #a8392c;",
            "unknown": ("background:#3a2c00; color:#ffd666; border:1px solid #c79100;"
                        " border-left:6px solid #ffb300;"),
            "warning": "background:#3a2a12; color:#ffcc80; border:1px solid #a86f1c;",
            "declined": "background:#2d2f31; color:#e3e3e3; border:1px solid #5f6368;",
            "busy": "background:#152238; color:#b7cdf2; border:1px solid #3a5a8c;",
        },
    }
    OUTCOME_WORDS = {"ok": "Done", "error": "Failed", "unknown": "Unknown",
                     "warning": "Warning", "declined": "Not done", "busy": "Working"}

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(accessible_name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.kind = ""
        self._styled: tuple[str, bool] | None = None
        self.hide()

    def _restyle(self) -> None:
        dark = dark_palette()
        if not self.kind or self._styled == (self.kind, dark):
            return  # a style sheet change sends change events of its own
        self._styled = (self.kind, dark)
        style = self.STYLES["dark" if dark else "light"][self.kind]
        self.setStyleSheet(f"QLabel {{ {style} padding:8px; border-radius:4px; }}")

    def event(self, event: QEvent) -> bool:
        # ApplicationPaletteChange (a desktop switching to dark mode) never
        # reaches changeEvent.
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._restyle()
        return super().event(event)

    def show_result(self, kind: str, text: str) -> None:
        if kind not in self.STYLES["light"]:
            raise ValueError(f"unknown result kind {kind!r}")
        self.kind = kind
        self._restyle()
        self.setText(text)
        # Screen readers hear the outcome, not only the colour.
        self.setAccessibleDescription(f"Outcome: {self.OUTCOME_WORDS[kind]}")
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


def question_box(parent: QWidget | None, *, title: str, text: str, informative: str,
                 accept: str, icon: QMessageBox.Icon = QMessageBox.Icon.Question) -> QMessageBox:
    """A question whose `accept` button goes ahead and whose default is Cancel, so a
    stray Enter changes nothing; ask it with a `Confirm`."""
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    button = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    button.setAccessibleName(accept.replace("&", ""))
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    return box


def live_confirmation(parent: QWidget, *, title: str, text: str, informative: str,
                      action: str) -> QMessageBox:
    """The one way the console asks before something reaches a customer.

    A box the application builds itself (testable, with accessible names);
    Cancel is the default, so a stray Enter sends nothing.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    box.setTextFormat(Qt.TextFormat.PlainText)  # a customer's text is shown as typed
    # Wide enough that "(845) 951-1000" is not broken across two lines.
    box.setStyleSheet("QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel "
                      "{ min-width: 440px; }")
    send = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    send.setAccessibleName(action)
    cancel.setAccessibleName("Cancel: send nothing")
    box.setAccessibleName(title)
    box.setAccessibleDescription(f"{text} {informative}")
    return box


def excerpt(text: str, *, lines: int = 3, chars: int = 240) -> str:
    """The start of a text as a confirmation quotes it: a few lines, "…" when cut."""
    kept = text.strip().splitlines()
    cut = len(kept) > lines
    shown = "\n".join(kept[:lines])
    if len(shown) > chars:
        shown, cut = shown[:chars].rstrip(), True
    return shown + ("…" if cut else "")



class CtrlEnterFilter(QObject):
    """Ctrl+Enter inside a multi-line text field runs `callback`.

    Text fields claim Ctrl+Return for themselves (ShortcutOverride), so a
    window-level QShortcut never sees it while the user is typing there.
    """

    def __init__(self, callback: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not (event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
                and isinstance(event, QKeyEvent)):
            return False
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            event.accept()
            if event.type() == QEvent.Type.KeyPress:
                self._callback()
            return True
        return False


def submit_on_ctrl_enter(tab: QWidget, button: QAbstractButton, *text_edits: QWidget) -> None:
    """Ctrl+Enter anywhere in `tab` clicks `button`."""
    for seq in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(seq), tab)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.click)
    text_filter = CtrlEnterFilter(button.click, tab)
    for edit in text_edits:
        edit.installEventFilter(text_filter)


def key_is_missing(session: AccountSession, result_label: ResultLabel, messages: MessageBridge) -> bool:
    """Say so, before any confirmation, when the live profile has no key here."""
    if session.has_key():
        return False
    profile = session.profile
    text = (f"There is no account key for '{profile.name}' on this computer yet: "
            "add it in Profile ▸ Manage profiles.")
    result_label.show_result("error", text)
    messages.error(text)
    return True
