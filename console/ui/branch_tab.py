"""Branch designer and tester: an IVR project's triggers, rules and replies (each
reply designed with the response designer), the whole call walked offline,
and a real endpoint tried with the requests Voitex would send it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from console.branch.project.model import Place, Project, Trigger, is_reply_place
from console.branch.project.project_file import (
    ProjectFormatError,
    parse_project_text,
    project_value,
)
from console.branch.request import parse_request, request_to_json
from console.branch.schema import Design, design_to_json, parse_design
from console.ui.branch.composer import RequestComposer
from console.ui.branch.project.editor import ProjectEditor
from console.ui.branch.project.replay_panel import ReplayPanel
from console.ui.branch.project.walker_panel import WalkerPanel
from console.ui.branch.tester_panel import EndpointTesterPanel, PostRequest
from console.ui.widgets import Confirm, default_confirm

if TYPE_CHECKING:
    from console.store.catalogue import CatalogueEntry
    from console.store.notices import Notices
    from console.ui.library.source import LibrarySource
    from console.ui.messages import MessageBridge

_KINDS = ("project", "fallback", "trigger", "rule", "otherwise")


class BranchTab(QWidget):
    def __init__(self, *, post_request: PostRequest, settings_path: Path | None = None,
                 messages: MessageBridge | None = None, confirm: Confirm = default_confirm,
                 notices: Notices | None = None, library: LibrarySource | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages = messages
        self.confirm = confirm
        # Parts of the last restored draft that could not be used (for the start-up notice).
        self.draft_problems: list[str] = []
        self.editor = ProjectEditor(messages=messages, confirm=confirm, library=library)
        self.designer = self.editor.designer
        self.composer = RequestComposer(messages=messages, confirm=confirm)
        self.tester = EndpointTesterPanel(composer=self.composer, post_request=post_request,
                                          settings_path=settings_path, messages=messages,
                                          notices=notices if notices is not None
                                          else getattr(messages, "notices", None))
        self.walker = WalkerPanel(project=lambda: self.editor.project,
                                  update_project=self.editor.apply_change, composer=self.composer)
        self.replay = ReplayPanel(tester=self.tester, post_request=post_request,
                                  project=lambda: self.editor.project, adopt=self.adopt_reply)
        self.tester.result_tabs.addTab(self.replay, "Replay saved walks")
        # The keypad walks one reply; while replaying walks, their list gets its room.
        self.tester.result_tabs.currentChanged.connect(self._on_result_tab_changed)

        tester_page = QSplitter(Qt.Orientation.Horizontal)
        tester_page.addWidget(self.composer)
        tester_page.addWidget(self.tester)
        tester_page.setStretchFactor(0, 1)
        tester_page.setStretchFactor(1, 1)
        tester_page.setSizes([560, 640])
        self.pages = QTabWidget()
        self.pages.setAccessibleName("Branch designer and tester")
        self.pages.addTab(self.editor, "IVR pro&ject and replies")
        self.pages.addTab(self.walker, "&Walk the call offline")
        self.pages.addTab(tester_page, "Re&quest and endpoint tester")
        self.pages.setTabToolTip(0, "The triggers of your call flow, their rules, and the JSON "
                                    "each reply returns to Voitex")
        self.pages.setTabToolTip(1, "Press keys as a caller would and see each request and "
                                    "reply, without any server")
        self.pages.setTabToolTip(2, "Send Voitex's request to your endpoint and check its reply")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        # The composer's page has its own Ctrl+S (save the request): no project keys there.
        self.editor.bind_file_shortcuts(self.editor)
        self.editor.bind_file_shortcuts(self.walker)

        self.tester.open_in_designer_requested.connect(self.open_in_designer)
        self.editor.project_changed.connect(self.walker.refresh_saved)

    def _on_result_tab_changed(self, _index: int) -> None:
        keypad = self.tester.result_splitter.widget(1)
        if keypad is not None:
            keypad.setVisible(self.tester.result_tabs.currentWidget() is not self.replay)

    def add_library_recording(self, entry: CatalogueEntry) -> int:
        """The Library's "Use in a branch design": a play item in the reply shown."""
        self.pages.setCurrentWidget(self.editor)
        if not is_reply_place(self.editor.place):
            self.editor.select(self._reply_place())
        return self.designer.add_library_recording(entry)

    def _reply_place(self) -> Place:
        place = self.editor.place
        if is_reply_place(place):
            return place
        if place.kind == "trigger":
            return Place("otherwise", place.trigger)
        return Place("fallback")

    def open_in_designer(self, design: Design) -> bool:
        """The tester's "Open in designer": the reply becomes the selected reply."""
        place = self._reply_place()
        self.editor.select(place)
        if not self.designer.may_discard():
            return False
        self.editor.set_reply(place, design)
        self.designer.status.show_result("ok", "Put the endpoint's reply in this reply of the "
                                               "project.")
        self.pages.setCurrentWidget(self.editor)
        return True

    def adopt_reply(self, place: Place, design: Design) -> None:
        self.editor.set_reply(place, design)

    # -- drafts (kept by the main window in drafts.json) ------------------------
    def draft(self) -> dict[str, Any]:
        """The project and the request as they are, never the cvv. "design" (the reply
        shown) is what drafts held before projects, kept for an older console."""
        editor = self.editor
        place = editor.place
        return {
            "project": project_value(editor.project),
            "project_clean": editor.clean_text,
            "project_path": str(editor.path) if editor.path else "",
            "place": [place.kind, place.trigger, place.rule],
            "design": json.loads(design_to_json(self.designer.design())),
            # cvv="omit": the draft file must never hold a card verification value.
            "request": json.loads(request_to_json(self.composer.request(), cvv="omit")),
            "request_modified": self.composer.is_modified(),
        }

    def restore_draft(self, draft: dict[str, Any]) -> None:
        """Put a draft back; a part that cannot be used is listed in `draft_problems`
        and the rest is still restored."""
        self.draft_problems = []
        if "project" in draft:
            self._restore_project(draft)
        elif "design" in draft:  # a draft from before projects: one design
            try:
                design = parse_design(json.dumps(draft["design"])).design
            except (ValueError, TypeError, RecursionError):
                self.draft_problems.append("the response design")
            else:
                project = Project(triggers=(Trigger(otherwise=design),))
                self.editor.set_project(project, clean=design.is_empty(),
                                        place=Place("otherwise", 0))
        if "request" in draft and draft.get("request_modified") is True:
            try:
                request = parse_request(json.dumps(draft["request"]))
            except (ValueError, TypeError, RecursionError):
                self.draft_problems.append("the request")
            else:
                self.composer.set_request(request)
                self.composer._clean_json = ""  # changed: New and Open still ask

    def _restore_project(self, draft: dict[str, Any]) -> None:
        try:
            opened = parse_project_text(json.dumps(draft["project"]))
        except (ProjectFormatError, TypeError, ValueError, RecursionError):
            self.draft_problems.append("the IVR project")
            return
        place = draft.get("place")
        selected = None
        if isinstance(place, list) and len(place) == 3 and place[0] in _KINDS \
                and all(isinstance(n, int) and not isinstance(n, bool) for n in place[1:]):
            selected = Place(place[0], place[1], place[2])
        path_text = draft.get("project_path")
        path = Path(path_text) if isinstance(path_text, str) and path_text else None
        self.editor.set_project(opened.project, path=path, place=selected)
        clean = draft.get("project_clean")
        if isinstance(clean, str):
            # Still "changed" after a restart, so New and Open still ask.
            self.editor.clean_text = clean
