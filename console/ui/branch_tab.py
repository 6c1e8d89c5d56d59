"""Branch designer and tester: design the JSON a Trigger branch endpoint returns,
and try a real endpoint with the requests Voitex would send it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from console.branch.request import parse_request, request_to_json
from console.branch.schema import Design, design_to_json, parse_design
from console.ui.branch.composer import RequestComposer
from console.ui.branch.designer import DesignerPanel
from console.ui.branch.tester_panel import EndpointTesterPanel, PostRequest
from console.ui.widgets import Confirm, default_confirm

if TYPE_CHECKING:
    from console.store.notices import Notices
    from console.ui.messages import MessageBridge


class BranchTab(QWidget):
    def __init__(self, *, post_request: PostRequest, settings_path: Path | None = None,
                 messages: MessageBridge | None = None, confirm: Confirm = default_confirm,
                 notices: Notices | None = None, library=None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages = messages
        self.confirm = confirm
        # Parts of the last restored draft that could not be used (for the start-up notice).
        self.draft_problems: list[str] = []
        self.designer = DesignerPanel(messages=messages, confirm=confirm, library=library)
        self.composer = RequestComposer(messages=messages, confirm=confirm)
        self.tester = EndpointTesterPanel(composer=self.composer, post_request=post_request,
                                  settings_path=settings_path, messages=messages,
                                  notices=notices if notices is not None
                                  else getattr(messages, "notices", None))

        tester_page = QSplitter(Qt.Orientation.Horizontal)
        tester_page.addWidget(self.composer)
        tester_page.addWidget(self.tester)
        tester_page.setStretchFactor(0, 1)
        tester_page.setStretchFactor(1, 1)
        tester_page.setSizes([560, 640])
        self.pages = QTabWidget()
        self.pages.setAccessibleName("Branch designer and tester")
        self.pages.addTab(self.designer, "Response &designer")
        self.pages.addTab(tester_page, "Re&quest and endpoint tester")
        self.pages.setTabToolTip(0, "Build the JSON your endpoint returns to Voitex")
        self.pages.setTabToolTip(1, "Send Voitex's request to your endpoint and check its reply")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.tester.open_in_designer_requested.connect(self.open_in_designer)

    def add_library_recording(self, entry) -> int:
        """The Library's "Use in a branch design": a play item for `entry`."""
        self.pages.setCurrentWidget(self.designer)
        return self.designer.add_library_recording(entry)

    def open_in_designer(self, design: Design) -> bool:
        if not self.designer.may_discard():
            return False
        self.designer.set_design(design)
        self.designer.set_document_name("")  # not the file that was open before
        self.designer.status.show_result("ok", "Opened the endpoint's reply in the designer.")
        self.pages.setCurrentWidget(self.designer)
        return True

    # -- drafts (kept by the main window in drafts.json) ------------------------
    def draft(self) -> dict[str, Any]:
        """The response design and the request as they are, never the cvv."""
        return {
            "design": json.loads(design_to_json(self.designer.design())),
            "design_clean": self.designer._clean_json,
            # cvv="omit": the draft file must never hold a card verification value.
            "request": json.loads(request_to_json(self.composer.request(), cvv="omit")),
            "request_modified": self.composer.is_modified(),
        }

    def restore_draft(self, draft: dict[str, Any]) -> None:
        """Put a draft back; a part that cannot be used is listed in `draft_problems`
        and the rest is still restored."""
        self.draft_problems = []
        if "design" in draft:
            try:
                parsed = parse_design(json.dumps(draft["design"]))
            except (ValueError, TypeError, RecursionError):
                self.draft_problems.append("the response design")
            else:
                self.designer.set_design(parsed.design)
                clean = draft.get("design_clean")
                if isinstance(clean, str):
                    # Still "changed" after a restart, so New and Open still ask.
                    self.designer._clean_json = clean
                    self.designer.refresh()
        if "request" in draft and draft.get("request_modified") is True:
            try:
                request = parse_request(json.dumps(draft["request"]))
            except (ValueError, TypeError, RecursionError):
                self.draft_problems.append("the request")
            else:
                self.composer.set_request(request)
                self.composer._clean_json = ""  # changed: New and Open still ask
