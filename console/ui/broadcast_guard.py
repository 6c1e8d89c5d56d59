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


def overlap_question(parent: QWidget, overlap: Overlap, total: int) -> QMessageBox:
    """Three answers: leave them out (the default), send to them too, or do not start."""
    count = len(overlap.indexes)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Some customers would get it twice")
    box.setText(f"{plural(count, 'recipient')} could get this message twice.")
    others = total - count
    box.setInformativeText(" ".join(overlap.sentences())
                           + f"\n\nLeave them out to send to the other {plural(others, 'recipient')} "
                             "only.")
    leave = box.addButton(f"Leave them out ({count:,})", QMessageBox.ButtonRole.AcceptRole)
    leave.setObjectName(LEAVE_OUT)
    leave.setAccessibleName("Leave out the recipients who would get it twice")
    include = box.addButton("Send to them too", QMessageBox.ButtonRole.ActionRole)
    include.setObjectName(INCLUDE)
    include.setAccessibleName("Send to them too: they get it again")
    cancel = box.addButton("Do not start", QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName(NOT_NOW)
    cancel.setAccessibleName("Do not start the broadcast")
    box.setDefaultButton(leave)
    box.setEscapeButton(cancel)
    box.setAccessibleName(box.windowTitle())
    box.setAccessibleDescription(f"{box.text()} {box.informativeText()}")
    return box


def cancel_question(parent: QWidget, *, run_id: int, name: str, to_send: int) -> QMessageBox:
    """Cancel is irreversible for the rows it stops: say which run and how many.
    "Keep sending" is the default, so a stray Enter stops nothing."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Cancel the rest of the broadcast?")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the run's name is a customer's text
    box.setText(f"Cancel broadcast #{run_id} ({name})?")
    box.setInformativeText(f"{plural(to_send, 'row')} not sent yet will not be sent. Rows already "
                           "sent stay sent; a row whose request is already on its way finishes.")
    stop = box.addButton(f"Cancel broadcast #{run_id}", QMessageBox.ButtonRole.AcceptRole)
    stop.setAccessibleName(f"Cancel the rest of broadcast #{run_id}")
    keep = box.addButton("Keep sending", QMessageBox.ButtonRole.RejectRole)
    keep.setAccessibleName("Keep sending: cancel nothing")
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAccessibleName(box.windowTitle())
    box.setAccessibleDescription(f"{box.text()} {box.informativeText()}")
    return box
