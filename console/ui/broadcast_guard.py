"""The questions the Broadcast tab asks before a customer could get a message twice.

- Before a new broadcast starts: some recipients got this same message in the
  last 24 hours, or are still to be sent to by a broadcast that is not over.
  The user chooses; Enter (the default) leaves them out.
- Before the rest of a run is cancelled: which run, and what stops.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from console.domain.broadcast.overlap import Overlap
from console.domain.wording import plural

__all__ = ["Choose", "default_choose", "overlap_question", "cancel_question",
           "LEAVE_OUT", "INCLUDE", "NOT_NOW"]

# The buttons of the overlap question, by object name (what a Choose returns).
LEAVE_OUT = "leave_out"
INCLUDE = "include"
NOT_NOW = "not_now"

# Shows the box and returns the object name of the button chosen ("" for none).
Choose = Callable[[QMessageBox], str]


def default_choose(box: QMessageBox) -> str:
    box.exec()
    clicked = box.clickedButton()
    return clicked.objectName() if clicked is not None else ""


def _question(parent: QWidget, *, title: str, text: str, informative: str,
              buttons: list[tuple[str, str, QMessageBox.ButtonRole, str]], default: str,
              escape: str) -> QMessageBox:
    """A warning box of the console's own making: plain text (a customer's words are shown
    as typed), each button with an object name and an accessible name."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setInformativeText(informative)
    for name, label, role, accessible in buttons:
        button = box.addButton(label, role)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        if name == default:
            box.setDefaultButton(button)
        if name == escape:
            box.setEscapeButton(button)
    box.setAccessibleName(title)
    box.setAccessibleDescription(f"{text} {informative}")
    return box


def overlap_question(parent: QWidget, overlap: Overlap, total: int) -> QMessageBox:
    """Three answers: leave them out (the default), send to them too, or do not start."""
    count = len(overlap.indexes)
    role = QMessageBox.ButtonRole
    return _question(
        parent, title="Some customers would get it twice",
        text=f"{plural(count, 'recipient')} could get this message twice.",
        informative=(" ".join(overlap.sentences()) + "\n\nLeave them out to send to the other "
                     f"{plural(total - count, 'recipient')} only."),
        buttons=[(LEAVE_OUT, f"Leave them out ({count:,})", role.AcceptRole,
                  "Leave out the recipients who would get it twice"),
                 (INCLUDE, "Send to them too", role.ActionRole, "Send to them too: they get it again"),
                 (NOT_NOW, "Do not start", role.RejectRole, "Do not start the broadcast")],
        default=LEAVE_OUT, escape=NOT_NOW)


def cancel_question(parent: QWidget, *, run_id: int, name: str, to_send: int) -> QMessageBox:
    """Cancel is irreversible for the rows it stops: say which run and how many.
    "Keep sending" is the default, so a stray Enter stops nothing."""
    role = QMessageBox.ButtonRole
    return _question(
        parent, title="Cancel the rest of the broadcast?",
        text=f"Cancel broadcast #{run_id} ({name})?",
        informative=(f"{plural(to_send, 'row')} not sent yet will not be sent. Rows already sent "
                     "stay sent; a row whose request is already on its way finishes."),
        buttons=[("cancel_run", f"Cancel broadcast #{run_id}", role.AcceptRole,
                  f"Cancel the rest of broadcast #{run_id}"),
                 ("keep_sending", "Keep sending", role.RejectRole, "Keep sending: cancel nothing")],
        default="keep_sending", escape="keep_sending")
