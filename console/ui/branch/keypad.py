"""A phone keypad whose keys show the branch the reply sends each to (the endpoint
tester and the project walker both use it), and the endpoint tester's "Walk the
call through" box around it."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.branch.schema import KEYPAD_KEYS


class KeypadWidget(QWidget):
    """A phone keypad; each key shows the branch the reply sends it to."""

    key_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for position, key in enumerate(KEYPAD_KEYS):
            button = QPushButton()
            button.setMinimumSize(56, 34)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _c=False, k=key: self.key_chosen.emit(k))
            grid.addWidget(button, position // 3, position % 3)
            self.buttons[key] = button
        self.set_targets({})

    def set_targets(self, targets: dict[str, str]) -> None:
        for key, button in self.buttons.items():
            branch = targets.get(key)
            if branch is None:
                button.setText(f"{key}\n\u2014")
                button.setEnabled(False)
                button.setAccessibleName(f"Key {key}: not offered by the reply")
                button.setToolTip("The reply does not offer this key.")
            else:
                button.setText(f"{key}\n\u2192 {branch}")
                button.setEnabled(True)
                button.setAccessibleName(f"Key {key}: goes to branch {branch}")
                button.setToolTip(f"Press {key} as the caller would: adds the step "
                                  f"\u201cbranch {branch}, key {key}\u201d.")


class WalkBox(QGroupBox):
    """The keypad, a hint, "Follow Go to branch" and "Send the next request at once"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Walk the call through", parent)
        self.keypad = KeypadWidget()
        self.hint = QLabel("Send a request: keys the reply offers appear on the keypad.")
        self.hint.setWordWrap(True)
        self.follow_goto_button = QPushButton("Follow \u201cGo to branch\u201d")
        self.follow_goto_button.setAccessibleName("Follow the reply's Go to branch")
        self.follow_goto_button.setEnabled(False)
        self.auto_send_check = QCheckBox("Send the ne&xt request at once")
        self.auto_send_check.setToolTip("Tick this when the branches the keys lead to also "
                                        "trigger this endpoint: pressing a key then sends the "
                                        "next request straight away.")
        self.auto_send_check.setAccessibleName(
            "Branches reached by a key also trigger this endpoint; send the next request")
        layout = QHBoxLayout(self)
        layout.addWidget(self.keypad)
        side = QVBoxLayout()
        side.addWidget(self.hint)
        side.addWidget(self.follow_goto_button)
        side.addWidget(self.auto_send_check)
        side.addStretch(1)
        layout.addLayout(side, 1)
