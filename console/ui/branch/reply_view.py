"""The tester's view of one reply: its HTTP status and timing (marked when close
to or over the budget), the reply as Voitex reads it with its findings, and the
raw reply with its headers."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QTabWidget

from console.branch.tester import ReplyOutcome, reply_as_received
from console.ui.branch.findings_view import FindingsList
from console.ui.branch.preview import JsonPreview
from console.ui.branch.tester_text import nothing_checked_text
from console.ui.layout import fill, push_button, row
from console.ui.palette import warning_text_colours


class ReplyView:
    """The widgets; the tester places `facts` (a row) and `tabs` in its layout."""

    def __init__(self, font_height: int) -> None:
        self.status_label = QLabel()
        self.status_label.setAccessibleName("HTTP status")
        self.timing_label = QLabel()
        self.timing_label.setAccessibleName("Time taken")
        self.open_designer_button = push_button("Open in designer", "Open the reply in the designer")
        self.open_designer_button.setEnabled(False)
        self.facts = row(self.status_label)
        self.facts.addSpacing(16)
        fill(self.facts, self.timing_label, 1, self.open_designer_button)

        self.reply_preview = JsonPreview("The reply, checked")
        self.reply_preview.setPlaceholderText(
            "The endpoint's reply appears here, read as Voitex would read it, with its "
            "findings below.")
        self.reply_findings = FindingsList("Findings in the reply")
        # Splitters, so the reply can be given the room on a small screen.
        checked = QSplitter(Qt.Orientation.Vertical)
        checked.setChildrenCollapsible(False)
        checked.addWidget(self.reply_preview)
        checked.addWidget(self.reply_findings)
        checked.setStretchFactor(0, 3)
        checked.setStretchFactor(1, 1)
        self.reply_findings.setMinimumHeight(font_height * 3)
        self.raw_reply = QPlainTextEdit()
        self.raw_reply.setReadOnly(True)
        self.raw_reply.setAccessibleName("The raw reply")
        self.raw_reply.setPlaceholderText("The reply exactly as it arrived, with its headers.")
        self.tabs = QTabWidget()
        self.tabs.addTab(checked, "Reply, checked")
        self.tabs.addTab(self.raw_reply, "Raw reply")

    def clear(self) -> None:
        self.status_label.clear()
        self.timing_label.clear()
        self.timing_label.setStyleSheet("")
        self.raw_reply.clear()
        self.reply_preview.set_json("")
        self.reply_findings.set_findings((), empty_text="")
        self.open_designer_button.setEnabled(False)

    def show(self, outcome: ReplyOutcome, palette: QPalette) -> None:
        self.status_label.setText(outcome.status_text)
        timing = outcome.timing_text
        colour = ""
        colours = warning_text_colours(palette)
        if outcome.over_budget:
            timing += ": over the budget"
            colour = f"color:{colours['error']}; font-weight:bold;"
        elif outcome.near_budget:
            timing += ": close to the budget"
            colour = f"color:{colours['warning']}; font-weight:bold;"
        self.timing_label.setText(timing)
        self.timing_label.setStyleSheet(colour)
        if outcome.kind == "no_reply":
            self.raw_reply.setPlainText("(No reply arrived.)")
        else:
            head = "\n".join([outcome.status_text]
                             + [f"{name}: {value}" for name, value in outcome.headers])
            self.raw_reply.setPlainText(f"{head}\n\n{outcome.reply_text}")
        # Only what arrived: the design's own JSON would add fields the endpoint
        # never sent (an empty "sort") and drop a name written twice.
        self.reply_preview.set_json(reply_as_received(outcome.reply_text)
                                    if outcome.kind in ("valid", "invalid") else "")
        self.reply_findings.set_findings(outcome.findings,
                                         empty_text=nothing_checked_text(outcome))
        self.open_designer_button.setEnabled(outcome.design is not None)
