"""Replay the project's saved walks against the endpoint the tester points at: the
exported endpoint (every reply should be as expected), or an office's own
endpoint, to see where it differs from the project and take its replies in."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from qasync import asyncSlot

from console.branch.project.compiled import runtime_project
from console.branch.project.model import Place, Project, place_label
from console.branch.project.runtime import choose_reply
from console.branch.project.walks import compare_reply, step_title
from console.branch.schema import Design
from console.branch.tester import status_text
from console.ui.layout import buddy_label, column, push_button, row
from console.ui.widgets import ResultLabel

if TYPE_CHECKING:
    from console.ui.branch.tester_panel import EndpointTesterPanel, PostRequest


@dataclass(frozen=True)
class ReplayResult:
    walk: str
    title: str
    matches: bool
    words: str
    got: Design | None
    place: Place | None  # the place of the project that answers this request now


class ReplayPanel(QWidget):
    replay_finished = Signal(int, int)  # steps as expected, steps

    def __init__(self, *, tester: EndpointTesterPanel, post_request: PostRequest,
                 project: Callable[[], Project],
                 adopt: Callable[[Place, Design], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tester = tester
        self.post_request = post_request
        self.project = project
        self.adopt = adopt
        self.busy = False
        self.results: list[ReplayResult] = []
        self.replay_button = push_button(
            "Replay the project's saved walks", "Replay the project's saved walks against the "
            "endpoint", "Send each request of each saved walk to the endpoint address above, and "
            "compare each reply with the one the walk expects")
        self.outcome = ResultLabel("Replay result")
        self.list = QListWidget()
        self.list.setAccessibleName("Replayed steps")
        self.list.setWordWrap(True)
        self.use_button = push_button(
            "Use its reply in the project", "Use the endpoint's reply in the project",
            "Replace the project's reply for the selected step (the rule that answers it) with "
            "what the endpoint answered")
        self.use_button.setEnabled(False)
        # Few lines, so this tab needs no more height than the reply's tabs beside it.
        self.list.setMinimumHeight(self.fontMetrics().height() * 3)
        column(row(self.replay_button, self.use_button, 1), self.outcome,
               buddy_label("Replayed steps:", self.list), (self.list, 1), parent=self, margins=4)
        self._explain()
        self.outcome.hide()
        self.replay_button.clicked.connect(self.on_replay_clicked)
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.use_button.clicked.connect(self.use_selected)

    def _explain(self) -> None:
        item = QListWidgetItem(
            "Sends the requests of the project's saved walks (never with a card verification "
            "value) to the endpoint address above and compares each reply with the one "
            "expected: the exported endpoint should match every one; another endpoint shows "
            "where it answers otherwise.")
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)

    @asyncSlot()
    async def on_replay_clicked(self) -> None:
        await self.replay()

    async def replay(self) -> list[ReplayResult]:
        if self.busy:
            return self.results
        project = self.project()
        if not project.walks:
            self._tell("error", "The project has no saved walks to replay. Walk a call on the "
                                "\u201cWalk the call\u201d page and save it as a test case first.")
            return []
        url = self.tester.url_edit.text().strip()
        budget = self.tester.budget_spin.value()
        self.busy = True
        self.replay_button.setEnabled(False)
        self.results = []
        self.list.clear()
        runtime = runtime_project(project)
        total = sum(len(walk.steps) for walk in project.walks)
        try:
            for walk in project.walks:
                for number, step in enumerate(walk.steps, start=1):
                    self._tell("busy", f"Replaying step {len(self.results) + 1} of {total}\u2026")
                    payload = json.loads(step.request)
                    reply = await self.post_request(url, payload, budget_s=budget)
                    if getattr(reply, "error_kind", None) in ("invalid_url", "invalid_budget"):
                        self.tester.url_error.show_error(reply.error)
                        self._tell("error", f"Not replayed. {reply.error}")
                        return self.results
                    if reply.status_code is None:
                        matches, words, got = False, reply.error or "No reply.", None
                    elif not 200 <= reply.status_code < 300:
                        matches, words, got = (False, f"The endpoint answered "
                                               f"{status_text(reply.status_code)}.", None)
                    else:
                        matches, words, got = compare_reply(step.expect, reply.text)
                    choice = choose_reply(runtime, payload)
                    place = (None if choice.trigger is None else
                             Place("otherwise", choice.trigger) if choice.rule is None else
                             Place("rule", choice.trigger, choice.rule))
                    self._add(ReplayResult(walk.name, step_title(step, number), matches, words,
                                           got, place))
        finally:
            self.busy = False
            self.replay_button.setEnabled(True)
        good = sum(result.matches for result in self.results)
        if good == total:
            self._tell("ok", f"All {total} replies of {len(project.walks)} saved walks are as "
                             "expected.")
        else:
            self._tell("warning", f"{total - good} of {total} replies differ from the "
                                  "project's: select one to see how, or take the endpoint's "
                                  "reply into the project.")
        self.replay_finished.emit(good, total)
        return self.results

    def _add(self, result: ReplayResult) -> None:
        self.results.append(result)
        mark = "\u2713" if result.matches else "\u2717"
        self.list.addItem(f"{mark} {result.walk}, {result.title}: {result.words}")

    def _tell(self, kind: str, text: str) -> None:
        self.outcome.show()
        self.outcome.show_result(kind, text)

    def _on_row_changed(self, row: int) -> None:
        result = self.results[row] if 0 <= row < len(self.results) else None
        self.use_button.setEnabled(bool(result and not result.matches and result.got
                                        and result.place))

    def use_selected(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.results):
            return
        result = self.results[row]
        if result.got is None or result.place is None or result.matches:
            return
        self.adopt(result.place, result.got)
        self._tell("ok", f"{place_label(self.project(), result.place)} now gives the endpoint's "
                         "reply. Save the walk again on the \u201cWalk the call\u201d page if the "
                         "new reply is the one expected.")
