"""The main window's status bar: the latest message (shortened at a word, all of
them in the "Messages" window), the active profile, the requests in flight and the
Sandbox's state."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QStatusBar, QToolButton, QWidget

from console.ui.elided_label import ElidedLabel
from console.ui.message_log import MessageLog

INFO_SHOWN_MS = 8000
OTHERS_SHOWN_MS = 15000


def in_flight_text(count: int) -> str:
    if count == 0:
        return "No requests running"
    return "1 request running" if count == 1 else f"{count} requests running"


class WindowStatus(QObject):
    def __init__(self, bar: QStatusBar, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.log = MessageLog()
        self.log_dialog: QDialog | None = None
        # Messages get their own label rather than showMessage(): the permanent
        # widgets on the right would cut a long one mid-word with no way to read
        # the rest. This one shortens at a word, with the whole text as tooltip
        # and in the message log.
        self.message_label = ElidedLabel()
        self.message_label.setAccessibleName("Latest message")
        bar.addWidget(self.message_label, 1)
        self.message_label.clicked.connect(self.show_message_log)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.message_label.set_full_text(""))
        self.message_log_button = QToolButton()
        self.message_log_button.setText("Messages…")
        self.message_log_button.setAccessibleName("Show all messages")
        self.message_log_button.setToolTip("Every message shown in the status bar since start")
        self.message_log_button.setAutoRaise(True)
        self.message_log_button.clicked.connect(self.show_message_log)
        self.profile_status = QLabel()
        self.profile_status.setAccessibleName("Active profile")
        self.in_flight_status = QLabel()
        self.in_flight_status.setAccessibleName("Requests in flight")
        self.sandbox_status = QLabel()
        self.sandbox_status.setAccessibleName("Sandbox state")
        for widget in (self.profile_status, self.in_flight_status, self.sandbox_status,
                       self.message_log_button):
            bar.addPermanentWidget(widget)

    def post(self, level: str, text: str) -> None:
        self.log.add(level, text)
        self.message_label.set_full_text(text)
        self._message_timer.start(INFO_SHOWN_MS if level == "info" else OTHERS_SHOWN_MS)

    def set_in_flight(self, count: int) -> None:
        self.in_flight_status.setText(in_flight_text(count))

    def show_message_log(self) -> QDialog:
        self.log_dialog = self.log.open_dialog(self._window)
        return self.log_dialog
