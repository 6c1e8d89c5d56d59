"""Step 4 of a broadcast, the box: the check of every row (console/ui/broadcast_preflight.py),
the do-not-contact list, a test to one number, and Start.

What the buttons do is console/ui/broadcast/launch.py's; this box holds them and
opens the do-not-contact dialog (`lists_closed` when it closes: the check reads
the list again).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from console.jobs.session import AccountSession
from console.store.broadcasts import BroadcastStore
from console.ui.broadcast.parts import push_button, stack
from console.ui.broadcast.state import CALL, SMS, Context
from console.ui.broadcast_dnc import DoNotContactDialog
from console.ui.broadcast_preflight import PreflightPanel
from console.ui.messages import MessageBridge
from console.ui.send_flow import CALL as CALL_WORDS
from console.ui.send_flow import SMS as SMS_WORDS
from console.ui.send_flow import SendFlow
from console.ui.widgets import Confirm, FieldErrorLabel, ResultLabel, format_phone_as_typed

__all__ = ["SendingBox", "PathChooser"]

PathChooser = Callable[[], "Path | None"]


class SendingBox(QGroupBox):
    lists_closed = Signal()

    def __init__(self, *, session: AccountSession, messages: MessageBridge,
                 store: BroadcastStore, confirm: Confirm, result_label: ResultLabel,
                 choose_open_path: PathChooser, choose_save_path: PathChooser,
                 context: Context, parent: QWidget | None = None) -> None:
        super().__init__("4. Check and send", parent)
        self.store, self.context = store, context
        self.dnc_dialog: DoNotContactDialog | None = None
        self._choose_open, self._choose_save = choose_open_path, choose_save_path
        self.messages = messages
        self.result_label = result_label
        self.check_panel = PreflightPanel(choose_save_path=choose_save_path)
        self.check_panel.exported.connect(self._on_check_exported)
        self.dnc_button = push_button("Do-not-contact &list…", "Manage the do-not-contact list",
                                      clicked=self.on_dnc_clicked)
        self.test_edit = QLineEdit()
        self.test_edit.setPlaceholderText("Your own mobile, (845) 123-4567")
        format_phone_as_typed(self.test_edit)
        self.test_edit.setAccessibleName("Test number")
        self.test_error = FieldErrorLabel("Test number")
        self.test_button = push_button(
            "Send a &test to one number", "Send a test to one number",
            tip="Sends the first row's message to the number beside it, so you can see it on a "
                "phone before the customers do.")
        test_label = QLabel("Test number:")
        test_label.setBuddy(self.test_edit)
        self.start_button = push_button("&Start broadcast", "Start broadcast")
        buttons = QHBoxLayout()
        buttons.addWidget(self.dnc_button)
        buttons.addStretch(1)
        for widget in (test_label, self.test_edit, self.test_button):
            buttons.addWidget(widget)
        # The test send goes through the same flow as the SMS and Calls tabs.
        self.test_flows = {
            kind: SendFlow(parent=self, session=session, messages=messages,
                           button=self.test_button, result_label=result_label,
                           kind=words, confirm=confirm)
            for kind, words in ((SMS, SMS_WORDS), (CALL, CALL_WORDS))}
        for flow in self.test_flows.values():
            buttons.addWidget(flow.cancel_button)
        buttons.addWidget(self.start_button)
        stack(self, [self.check_panel, buttons, self.test_error, result_label])

    def on_dnc_clicked(self) -> None:
        dialog = DoNotContactDialog(store=self.store, choose_import_path=self._choose_open,
                                    choose_export_path=self._choose_save,
                                    now=self.context.now, office_zone=self.context.office_zone,
                                    parent=self)
        dialog.finished.connect(lambda *_: self.lists_closed.emit())
        dialog.open()
        self.dnc_dialog = dialog

    def _on_check_exported(self, text: str) -> None:
        kind, _, words = text.partition(":")
        (self.messages.error if kind == "error" else self.messages.info)(words)
