"""The question before the window closes while something is still on its way:
a broadcast, a request, or uploads. Nothing running: no question."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

# (title, text, informative) for what is running, the most serious first.
BROADCASTING = (
    "A broadcast is running",
    "A broadcast is still sending. Quit anyway?",
    "It stops once the message on its way is answered. Next time you start the console it "
    "offers to resume, with only the customers still waiting.")
SENDING = (
    "A request is on its way",
    "A message, call or recording is being sent. Quit anyway?",
    "If you quit now, its outcome is unknown: check History before sending it again.")
UPLOADING = (
    "Uploads are running",
    "Uploads are still running. Quit anyway?",
    "The unfinished files stay in the queue and you can upload them next time.")


def close_question(parent: QWidget, *, uploading: bool, sending: bool,
                   broadcasting: bool) -> QMessageBox | None:
    """"Quit anyway?" for what is running (Cancel is the default), or None."""
    if broadcasting:
        title, text, informative = BROADCASTING
    elif sending:
        title, text, informative = SENDING
    elif uploading:
        title, text, informative = UPLOADING
    else:
        return None
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.AcceptRole)
    quit_button.setAccessibleName("Quit")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box
