"""What the designer, the composer and the tester share about files and messages:
the result line (also posted to the message bridge), JSON file dialogs that
remember their folder, Open… and Save… (ask, read or write, say how it went),
the clipboard, the "discard changes?" question, shortcuts scoped to one panel, and
the New / Open… / Save… / Copy buttons with their shortcuts."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from console.ui.dialogs import ask_open_file, ask_save_file
from console.ui.widgets import Confirm, ResultLabel, default_confirm, question_box

if TYPE_CHECKING:
    from console.ui.messages import MessageBridge

_JSON_FILTER = "JSON files (*.json)"
_T = TypeVar("_T")


def discard_box(parent: QWidget, what: str) -> QMessageBox:
    return question_box(parent, title="Discard changes?",
                        text=f"The current {what} has changes that are not saved.",
                        informative="Discard them?", accept="Discard changes")


def replace_box(parent: QWidget) -> QMessageBox:
    return question_box(parent, title="Replace this reply?",
                        text="The reply you are editing is not empty.",
                        informative="Replace what it holds? The rest of the project stays as it is.",
                        accept="Replace the reply")


def add_shortcuts(widget: QWidget, bindings: list[tuple[str, Callable[[], object]]]) -> None:
    """Shortcuts that work while the focus is anywhere inside `widget` only, so
    the designer's Ctrl+S and the composer's Ctrl+S each save their own thing."""
    for keys, slot in bindings:
        shortcut = QShortcut(QKeySequence(keys), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)


class DocumentButtons:
    """New, Open…, Save… and Copy: each given its text and the name that is its
    accessible name and, with its shortcut, its tool tip."""

    KEYS = {"new": "Ctrl+N", "open": "Ctrl+O", "save": "Ctrl+S", "copy": "Ctrl+Shift+C"}

    def __init__(self, *, new: tuple[str, str], open: tuple[str, str], save: tuple[str, str],
                 copy: tuple[str, str]) -> None:
        self.new, self.open, self.save, self.copy = (
            self._button(text, name, self.KEYS[job])
            for job, (text, name) in (("new", new), ("open", open), ("save", save), ("copy", copy)))

    @staticmethod
    def _button(text: str, name: str, keys: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(f"{name} ({keys})")
        return button

    def all(self) -> tuple[QPushButton, QPushButton, QPushButton, QPushButton]:
        return self.new, self.open, self.save, self.copy

    def connect(self, panel: QWidget, *, new: Callable[[], object], open: Callable[[], object],
                save: Callable[[], object], copy: Callable[[], object],
                shortcuts: tuple[str, ...] = ("new", "open", "save", "copy")) -> None:
        """Clicks to the slots, and the `shortcuts` named, scoped to `panel`."""
        slots = {"new": new, "open": open, "save": save, "copy": copy}
        for button, job in zip(self.all(), slots, strict=True):
            button.clicked.connect(slots[job])
        add_shortcuts(panel, [(self.KEYS[job], slots[job]) for job in shortcuts])


def file_words(message: str) -> str:
    """A reader's message about text, said about the file it came from."""
    return message.replace("The text ends too early", "The file ends too early")


class Documents:
    """File and message plumbing for one panel; `what` names its document in
    messages ("response design", "request")."""

    def __init__(self, parent: QWidget, *, what: str, status: ResultLabel,
                 messages: MessageBridge | None = None,
                 confirm: Confirm = default_confirm) -> None:
        self.parent = parent
        self.what = what
        self.status = status
        self.messages = messages
        self.confirm = confirm
        self.last_dir = ""

    def tell(self, kind: str, text: str) -> None:
        """Show `text` in the panel's result line and post it to the message bridge."""
        self.status.show_result(kind, text)
        if self.messages is not None:
            {"ok": self.messages.info, "warning": self.messages.warning,
             "error": self.messages.error}[kind](text)

    def may_discard(self, modified: bool) -> bool:
        return not modified or self.confirm(discard_box(self.parent, self.what))

    def ask_open_path(self, title: str, filters: str = f"{_JSON_FILTER};;All files (*)") -> Path | None:
        """Ask which file to open, starting in the folder used last."""
        return ask_open_file(self.parent, title, folder=self.last_dir, filters=filters)

    def ask_save_path(self, title: str, suggested: str = "", *, filters: str = _JSON_FILTER,
                      suffix: str = ".json") -> Path | None:
        """Ask where to save; `suggested` is the file name proposed in the dialog."""
        return ask_save_file(self.parent, title, folder=self.last_dir, suggested=suggested,
                             filters=filters, suffix=suffix)

    def ask_and_open(self, title: str, *, may_discard: Callable[[], bool],
                     open_from: Callable[[Path], object]) -> None:
        """Open…: once the changes shown may go, ask for a file and open it."""
        if not may_discard():
            return
        path = self.ask_open_path(title)
        if path is not None:
            open_from(path)

    def ask_and_save(self, title: str, *, suggested: str, save_to: Callable[[Path], object]) -> None:
        """Save…: ask where (proposing `suggested`), then save there."""
        path = self.ask_save_path(title, suggested)
        if path is not None:
            save_to(path)

    def read_as(self, path: Path, parse: Callable[[str], _T], refused: type[ValueError]) -> _T | None:
        """What `parse` makes of the file, or None after telling why it could not be
        opened (unreadable, or `parse` raised `refused`, whose text is for the user)."""
        text = self.read(path)
        if text is None:
            return None
        try:
            return parse(text)
        except refused as error:
            self.tell("error", f"Could not open {path.name}. {file_words(str(error))}")
            return None

    def save(self, path: Path, text: str, *, what: str, note: str = "") -> bool:
        """Write `text` and say so ("Saved the request to x.json." and `note`)."""
        if not self.write(path, text, saving=what):
            return False
        self.tell("ok", f"Saved {what} to {path.name}.{note}")
        return True

    def copy(self, text: str, *, said: str) -> None:
        """Put `text` on the clipboard and say `said`."""
        QGuiApplication.clipboard().setText(text)
        self.tell("ok", said)

    def read(self, path: Path) -> str | None:
        """The file's text, or None after telling the user why it could not be read."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            self.tell("error", f"Could not open {path.name}: it is not a text file.")
            return None
        except OSError as error:
            self.tell("error", f"Could not open {path.name}: {error.strerror or error}.")
            return None
        self.last_dir = str(path.parent)
        return text

    def write(self, path: Path, text: str, *, saving: str) -> bool:
        """Write `text`; on failure tell the user what could not be saved where."""
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            self.tell("error", f"Could not save {saving} to {path}: {error.strerror or error}.")
            return False
        self.last_dir = str(path.parent)
        return True
