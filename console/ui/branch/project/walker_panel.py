"""Walk a call through the project offline: press keys as a caller would, see each
request Voitex would send (card data masked) and the reply the project gives,
with the variables as they change; keep the walk as a test case."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from console.branch.project.compiled import project_version
from console.branch.project.edits import add_walk, remove_walk
from console.branch.project.model import Project
from console.branch.project.walker import CallSetup, OfflineWalk
from console.branch.project.walks import replay_offline, step_title, walk_summary
from console.branch.request import DATE_TIME_FORMAT, Payment, now_text, request_to_json
from console.branch.schema import design_to_json
from console.ui.branch.composer import RequestComposer
from console.ui.branch.documents import add_shortcuts
from console.ui.branch.keypad import KeypadWidget
from console.ui.branch.preview import JsonPreview
from console.ui.layout import buddy_label, column, push_button, row, splitter, wrapped_label
from console.ui.widgets import ResultLabel

_HOW = {"start": "the call starts", "goto": "after Go to branch"}


class WalkerPanel(QWidget):
    def __init__(self, *, project: Callable[[], Project],
                 update_project: Callable[[Project], None],
                 composer: RequestComposer | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.update_project = update_project
        self.composer = composer
        self.walk: OfflineWalk | None = None
        self._payments: tuple[Payment, ...] = ()

        # -- the call -------------------------------------------------------------
        self.time_edit = QLineEdit(now_text())
        self.time_edit.setAccessibleName("Time of the call")
        self.time_edit.setToolTip("YYYY-MM-DD HH:MM:SS, as Voitex writes date_time: rules on "
                                  "the time of day and the day read it")
        self.now_button = push_button("Now", "Set the time of the call to now")
        self.caller_edit = QLineEdit("8459511000")
        self.caller_edit.setAccessibleName("Caller's number")
        self.hotline_edit = QLineEdit()
        self.hotline_edit.setAccessibleName("Hotline number")
        self.hotline_edit.setPlaceholderText("the project's hotline")
        self.from_composer_button = QPushButton("Use the request composer's caller and payment")
        self.from_composer_button.setAccessibleName(
            "Take the caller and payment from the request composer")
        self.from_composer_button.setVisible(composer is not None)
        self.start_button = push_button("&Start the call", "Start the call at the project's first branch")
        self.start_button.setToolTip("The first request: the call reaches the project's first "
                                     "branch (Ctrl+R)")
        self.back_button = push_button("Step &back", "Go back one step of the call")
        call = QGridLayout()
        call.addWidget(buddy_label("&Time of the call:", self.time_edit), 0, 0)
        call.addWidget(self.time_edit, 0, 1)
        call.addWidget(self.now_button, 0, 2)
        call.addWidget(buddy_label("Caller's &number:", self.caller_edit), 0, 3)
        call.addWidget(self.caller_edit, 0, 4)
        call.addWidget(buddy_label("H&otline:", self.hotline_edit), 0, 5)
        call.addWidget(self.hotline_edit, 0, 6)
        call.addWidget(self.start_button, 1, 0, 1, 2)
        call.addWidget(self.back_button, 1, 2)
        call.addWidget(self.from_composer_button, 1, 3, 1, 4)
        call.setColumnStretch(1, 2)
        call.setColumnStretch(4, 1)
        call.setColumnStretch(6, 1)
        self.status = ResultLabel("Walk result")

        # -- the steps and the keypad -------------------------------------------------
        self.steps_list = QListWidget()
        self.steps_list.setAccessibleName("Steps of the call")
        self.steps_list.setWordWrap(True)
        self.keypad = KeypadWidget()
        self.goto_button = push_button("Follow &Go to branch", "Follow the reply's Go to branch")
        self.hint = wrapped_label("Press \u201cStart the call\u201d: the project's first branch "
                                  "answers.", "What the caller can do next")
        self.variables_table = QTableWidget(0, 2)
        self.variables_table.setHorizontalHeaderLabels(["Variable", "Value"])
        self.variables_table.horizontalHeader().setStretchLastSection(True)
        self.variables_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.variables_table.setAccessibleName("Variables the call holds")
        left = QWidget()
        column(buddy_label("Steps of the ca&ll (select one to see it):", self.steps_list),
               (self.steps_list, 2),
               row(self.keypad, (column(self.hint, self.goto_button, 1), 1)),
               buddy_label("Variables the call holds after this step (\u2605: set here):",
                           self.variables_table), (self.variables_table, 1),
               parent=left, margins=0)

        self.answered = QLabel()
        self.answered.setWordWrap(True)
        self.answered.setAccessibleName("Which rule answered")
        self.request_view = JsonPreview("The request Voitex sends")
        self.reply_view = JsonPreview("The reply the project gives")
        right = QWidget()
        column(self.answered,
               buddy_label("The &request Voitex sends (card verification value masked):",
                           self.request_view), (self.request_view, 3),
               buddy_label("Its repl&y, from the project:", self.reply_view), (self.reply_view, 2),
               parent=right, margins=0)
        parts = splitter(Qt.Orientation.Horizontal, (left, 0), (right, 0), sizes=[480, 520])

        # -- saved walks -------------------------------------------------------------------
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Name of the test case")
        self.name_edit.setPlaceholderText("Reschedule in office hours")
        self.save_button = push_button("Sa&ve as a test case", "Save this walk as a test case")
        self.saved_list = QListWidget()
        self.saved_list.setAccessibleName("Saved walks")
        self.saved_list.setMaximumHeight(self.fontMetrics().height() * 5)
        self.remove_button = push_button("Remove", "Remove the selected saved walk")
        save_row = row(buddy_label("W&alk's name:", self.name_edit), (self.name_edit, 1),
                       self.save_button)
        saved_row = row((buddy_label("Sav&ed walks, checked against the project as it is now:",
                                     self.saved_list), 1), self.remove_button)
        column(call, self.status, (parts, 1), save_row, saved_row, self.saved_list, parent=self)
        self.status.hide()

        self.now_button.clicked.connect(lambda: self.time_edit.setText(now_text()))
        self.start_button.clicked.connect(self.start)
        self.back_button.clicked.connect(self.step_back)
        self.keypad.key_chosen.connect(self.press)
        self.goto_button.clicked.connect(self.follow_goto)
        self.steps_list.currentRowChanged.connect(self._show_step)
        self.save_button.clicked.connect(self.save_walk)
        self.remove_button.clicked.connect(self.remove_walk)
        self.from_composer_button.clicked.connect(self.take_from_composer)
        add_shortcuts(self, [("Ctrl+R", self.start)])
        self.refresh_saved()
        self._show_walk()

    # -- walking ------------------------------------------------------------------------
    def start(self) -> None:
        when = self.time_edit.text().strip()
        try:
            datetime.strptime(when, DATE_TIME_FORMAT)
        except ValueError:
            self.status.show()
            self.status.show_result("error", f"Time of the call \u201c{when}\u201d is not written "
                                    "YYYY-MM-DD HH:MM:SS, like 2024-05-14 10:30:00. Correct "
                                    "it, or press Now.")
            self.time_edit.setFocus()
            return
        self.status.hide()
        self.walk = OfflineWalk(self.project(), CallSetup(
            caller=self.caller_edit.text().strip(), date_time=when,
            hotline=self.hotline_edit.text().strip(), payments=self._payments))
        self.walk.start()
        self._show_walk()

    def press(self, key: str) -> None:
        if self.walk is not None:
            self.walk.press(key)
            self._show_walk()

    def follow_goto(self) -> None:
        if self.walk is not None:
            self.walk.follow_goto()
            self._show_walk()

    def step_back(self) -> None:
        if self.walk is not None:
            self.walk.back()
            self._show_walk()

    def take_from_composer(self) -> None:
        if self.composer is None:  # the button is hidden then
            return
        request = self.composer.request()
        self.caller_edit.setText(request.cid)
        self._payments = request.payment_info
        count = len(self._payments)
        self.status.show()
        self.status.show_result("ok", f"The walk calls from {request.cid or 'no number'}"
                                + (f" with {count} payment{'s' if count != 1 else ''}; the card "
                                   "verification value is masked in every request shown and "
                                   "never saved." if count else "."))

    def _show_walk(self) -> None:
        walk = self.walk
        self.steps_list.blockSignals(True)
        self.steps_list.clear()
        for number, step in enumerate(walk.steps if walk else [], start=1):
            how = _HOW.get(step.how, f"after key {step.key}")
            self.steps_list.addItem(f"{number}. Branch {step.choice.branch} ({how}): "
                                    f"{step.answered_by}")
        self.steps_list.setCurrentRow(self.steps_list.count() - 1)
        self.steps_list.blockSignals(False)
        self._show_step(self.steps_list.count() - 1)
        offered = walk.offered() if walk else {}
        self.keypad.set_targets(offered)
        goto = walk.goto_target() if walk else None
        self.goto_button.setEnabled(goto is not None)
        self.goto_button.setText(f"Follow &Go to branch \u2192 {goto}" if goto
                                 else "Follow &Go to branch")
        self.back_button.setEnabled(bool(walk and (walk.steps or walk.ended)))
        self.save_button.setEnabled(bool(walk and walk.steps))
        if walk is None:
            return
        if walk.ended:
            self.hint.setText(walk.ended)
        elif offered or goto:
            choices = ", ".join(f"{key} \u2192 {branch}" for key, branch in offered.items())
            self.hint.setText("Press a key as the caller would" + (f" ({choices})" if choices
                                                                   else "")
                              + (" or follow its Go to branch." if goto else "."))

    def _show_step(self, row: int) -> None:
        steps = self.walk.steps if self.walk else []
        if not 0 <= row < len(steps):
            self.answered.setText("")
            self.request_view.set_json("")
            self.reply_view.set_json("")
            self.variables_table.setRowCount(0)
            return
        step = steps[row]
        self.answered.setText(f"Step {row + 1}: answered by {step.answered_by}.")
        self.request_view.set_json(request_to_json(step.request, cvv="mask"))
        self.reply_view.set_json(design_to_json(step.reply))
        self.variables_table.setRowCount(len(step.variables))
        for line, (name, value) in enumerate(step.variables):
            marker = " \u2605" if name in step.changed else ""
            self.variables_table.setItem(line, 0, QTableWidgetItem(name + marker))
            self.variables_table.setItem(line, 1, QTableWidgetItem(value))

    # -- saved walks ------------------------------------------------------------------------
    def save_walk(self) -> None:
        if self.walk is None or not self.walk.steps:
            return
        name = self.name_edit.text().strip()
        if not name:
            self.status.show()
            self.status.show_result("error", "Give the walk a name under \u201cWalk's name\u201d, "
                                    "like \u201cReschedule in office hours\u201d, then save it.")
            self.name_edit.setFocus()
            return
        replaced = any(walk.name == name for walk in self.project().walks)
        self.update_project(add_walk(self.project(), self.walk.saved(name)))
        self.status.show()
        self.status.show_result("ok", f"{'Replaced' if replaced else 'Saved'} the test case "
                                f"\u201c{name}\u201d with {len(self.walk.steps)} expected "
                                "replies. Save the project to keep it.")
        self.name_edit.clear()

    def remove_walk(self) -> None:
        row = self.saved_list.currentRow()
        if 0 <= row < len(self.project().walks):
            self.update_project(remove_walk(self.project(), row))

    def refresh_saved(self) -> None:
        project = self.project()
        results = replay_offline(project)
        row = self.saved_list.currentRow()
        self.saved_list.clear()
        for number, walk in enumerate(project.walks):
            good, total = walk_summary(results, number)
            if good == total:
                text = f"\u2713 {walk.name}: {total} of {total} replies as the project gives them"
            else:
                wrong = next(r for r in results if r.walk == number and not r.matches)
                text = (f"\u2717 {walk.name}: {good} of {total} as expected. "
                        f"{step_title(walk.steps[wrong.step], wrong.step + 1)}: {wrong.words}")
            self.saved_list.addItem(text)
        if not project.walks:
            self.saved_list.addItem("No saved walks yet: walk a call and save it as a test case.")
        self.saved_list.setCurrentRow(min(row, len(project.walks) - 1))
        self.remove_button.setEnabled(bool(project.walks))
        if self.walk is not None and project_version(self.walk.project) != project_version(project) \
                and not self.status.isVisible():
            self.status.show()
            self.status.show_result("warning", "The project changed since this walk started; "
                                    "start the call again to walk the project as it is now.")
