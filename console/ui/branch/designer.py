"""The response designer: a form for every response field, a live JSON preview,
findings next to each field and in a list, and New / Open / Save / Copy."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QScrollArea, QToolButton, QWidget

from console.branch.findings import Finding, summary_text
from console.branch.schema import Design, DesignFormatError, design_to_json, parse_design
from console.branch.validation import validate
from console.domain.wording import plural
from console.resources import read_resource_text
from console.ui.branch.documents import DocumentButtons, Documents, replace_box
from console.ui.branch.findings_view import FIELD_STYLE, FindingsList
from console.ui.branch.library_notes import library_notes
from console.ui.branch.preview import JsonPreview
from console.ui.branch.response_form import ResponseForm
from console.ui.layout import buddy_label, column, row, splitter, tool_button
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.store.catalogue import CatalogueEntry
    from console.ui.library.picker import LibraryChooser
    from console.ui.library.source import LibrarySource
    from console.ui.messages import MessageBridge


class DesignerPanel(QWidget):
    document_name_changed = Signal(str)  # the open design's file or sample name, "" for new
    design_changed = Signal()  # the design shown may differ from before (typed, opened, set)

    def __init__(self, *, messages: MessageBridge | None = None, confirm: Confirm = default_confirm,
                 library: LibrarySource | None = None, embedded: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Embedded: one reply of an IVR project, whose editor owns New, Open and
        # Save (and their shortcuts); its own buttons then read and write one reply.
        self.embedded = embedded
        # The Library (a LibrarySource): play items chosen by name, and a note on
        # an album/sort it does not know. None: neither.
        self.library = library
        self._compact = False
        self._notes: tuple[Finding, ...] = ()
        self._findings: tuple[Finding, ...] | None = None  # None: nothing shown yet
        self._clean_json = design_to_json(Design())
        self.document_name = ""
        self.setStyleSheet(FIELD_STYLE)

        # -- the form (console/ui/branch/response_form.py) ------------------------
        self.form = form = ResponseForm()
        self.response_findings, self.goto_edit, self.goto_findings = (
            form.response_findings, form.goto_edit, form.goto_findings)
        self.play_model, self.play_section, self.library_button = (
            form.play_model, form.play_section, form.library_button)
        self.keys_model, self.keys_section = form.keys_model, form.keys_section
        self.variables_model, self.variables_section = form.variables_model, form.variables_section
        self.library_button.clicked.connect(self.on_library_clicked)
        self.library_button.setVisible(library is not None)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        scroll.setAccessibleName("Response form")
        form.follow_width_of(scroll.viewport())

        # -- preview, actions and findings -------------------------------------
        self.file_buttons = DocumentButtons(
            new=("&New", "New response design"), open=("&Open\u2026", "Open a response design"),
            save=("Save\u2026", "Save the response design"),
            copy=("Copy JSON", "Copy the response JSON"))
        self.new_button, self.open_button, self.save_button, self.copy_button = self.file_buttons.all()
        self.samples_button = tool_button("Start from a sample", "Start from a sample design")
        self.samples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.samples_menu = QMenu(self.samples_button)
        for sample in json.loads(read_resource_text("branch/samples/index.json")):
            action = self.samples_menu.addAction(sample["title"])
            action.triggered.connect(lambda _c=False, f=sample["file"], t=sample["title"]:
                                     self.on_sample_chosen(f, t))
        self.samples_button.setMenu(self.samples_menu)
        self.compact_check = QCheckBox("Co&mpact")
        self.compact_check.setAccessibleName("Show and copy compact JSON")
        self.compact_check.setToolTip("One line without spaces instead of indented JSON")
        # Two rows: in one, the buttons alone would make this side so wide that
        # the form beside it is cut off on a 1024-pixel screen.
        actions = column(row(*self.file_buttons.all(), 1),
                         row(self.samples_button, 1, self.compact_check))

        self.status = ResultLabel("Designer result")
        self.documents = Documents(self, what="reply" if embedded else "response design",
                                   status=self.status, messages=messages, confirm=confirm)
        self.preview = JsonPreview("Response JSON preview")
        preview_label = buddy_label("Response JSON (what your endpoint should return):",
                                    self.preview, wrap=True)
        self.summary = QLabel()
        self.summary.setAccessibleName("Findings summary")
        self.findings_list = FindingsList("Findings")
        findings_label = buddy_label("Findings (double-click one to go to its field):",
                                     self.findings_list, wrap=True)

        right = QWidget()
        column(actions, self.status, preview_label, (self.preview, 3),
               row(findings_label, 1, self.summary), (self.findings_list, 2),
               parent=right, margins=0)

        # A narrow window scrolls the form sideways rather than cutting it off.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        column(splitter(Qt.Orientation.Horizontal, (scroll, 3), (right, 2), sizes=[640, 460]),
               parent=self)

        # -- wiring --------------------------------------------------------
        form.edited.connect(self._on_content_changed)
        self.compact_check.toggled.connect(self._on_compact_toggled)
        # Embedded in a project, the project's own New/Open/Save own those keys.
        self.file_buttons.connect(self, new=self.on_new_clicked, open=self.on_open_clicked,
                                  save=self.on_save_clicked, copy=self.copy_json,
                                  shortcuts=("copy",) if embedded else ("new", "open", "save", "copy"))
        self.findings_list.finding_activated.connect(self.go_to_finding)
        if library is not None:
            library.changed.connect(self.refresh)
        if embedded:
            self.new_button.hide()
            self.open_button.setText("Open file\u2026")
            self.save_button.setText("Save file\u2026")
            for button, name in ((self.open_button, "Replace this reply with a design file"),
                                 (self.save_button, "Save this reply as a design file")):
                button.setAccessibleName(name)
                button.setToolTip(name)
        self.refresh()

    # -- the design --------------------------------------------------------
    def design(self) -> Design:
        return self.form.design()

    def json_text(self, *, compact: bool | None = None) -> str:
        return design_to_json(self.design(), compact=self._compact if compact is None else compact)

    def findings(self) -> tuple[Finding, ...]:
        return self._findings or ()

    def is_modified(self) -> bool:
        return design_to_json(self.design()) != self._clean_json

    def set_design(self, design: Design, notes: tuple[Finding, ...] = ()) -> None:
        """Show `design` in the form; `notes` (what opening it changed) stay listed
        until the first edit."""
        self.form.set_design(design)
        self._notes = tuple(notes)
        self._clean_json = design_to_json(design)
        self.refresh()

    # -- updating the preview and the findings --------------------------------
    def _on_content_changed(self) -> None:
        self._notes = ()
        self.refresh()

    def _on_compact_toggled(self, checked: bool) -> None:
        self._compact = checked
        self.refresh()

    def refresh(self) -> None:
        design = self.design()
        self.preview.set_json(design_to_json(design, compact=self._compact))
        findings = self._notes + validate(design) + library_notes(design, self.library)
        if findings != self._findings:
            self._findings = findings
            self._show_findings(findings)
        self.design_changed.emit()

    def _show_findings(self, findings: tuple[Finding, ...]) -> None:
        self.form.show_findings(findings)
        self.findings_list.set_findings(findings)
        self.summary.setText(summary_text(findings))

    def go_to_finding(self, finding: Finding) -> None:
        self.form.go_to_finding(finding)

    # -- the Library -------------------------------------------------------
    def add_library_recording(self, entry: CatalogueEntry) -> int:
        """Add a play item for a catalogue entry (by its album and sort); its row."""
        row = self.play_section.add_row(["file", str(entry.album), str(entry.sort), ""])
        self.status.show_result("ok", f"Added '{entry.display_name}' ({entry.place}) to the "
                                      "play list.")
        return row

    def on_library_clicked(self) -> None:
        if self.library is None:
            return
        from console.ui.library.picker import LibraryChooser

        chooser = LibraryChooser(self.library.entries(), title="Add a recording from the library",
                                 parent=self)
        chooser.finished.connect(lambda result: self._on_library_chosen(chooser, result))
        chooser.open()
        self._library_chooser = chooser

    def _on_library_chosen(self, chooser: LibraryChooser, result: int) -> None:
        entry = chooser.chosen()
        if result == chooser.DialogCode.Accepted and entry is not None:
            self.add_library_recording(entry)

    # -- files and clipboard ------------------------------------------------
    def _problems_suffix(self) -> str:
        errors = sum(f.severity == "error" for f in self.findings())
        if not errors:
            return ""
        return (f" Note: it still has {plural(errors, 'problem')}; "
                "see the findings.")

    def save_design_to(self, path: Path | str) -> bool:
        path = Path(path)
        text = design_to_json(self.design())
        if not self.documents.save(path, text + "\n", what="the design",
                                   note=self._problems_suffix()):
            return False
        self._clean_json = text
        self.set_document_name(path.name)
        return True

    def open_design_from(self, path: Path | str) -> bool:
        path = Path(path)
        parsed = self.documents.read_as(path, parse_design, DesignFormatError)
        if parsed is None:
            return False
        self.set_design(parsed.design, parsed.notes)
        self.set_document_name(path.name)
        self._report_opened(path.name, parsed.notes)
        return True

    def load_sample(self, file_name: str, title: str) -> None:
        parsed = parse_design(read_resource_text(f"branch/samples/{file_name}"))
        self.set_design(parsed.design, parsed.notes)
        self.set_document_name(title)
        self._report_opened(f"the sample \u201c{title}\u201d", parsed.notes)

    def _report_opened(self, name: str, notes: tuple[Finding, ...]) -> None:
        if notes:
            words = " ".join(note.message for note in notes[:3])
            more = f" ({len(notes) - 3} more in the findings.)" if len(notes) > 3 else ""
            self.documents.tell("warning", f"Opened {name}, with changes: {words}{more}")
        else:
            self.documents.tell("ok", f"Opened {name}.")

    def copy_json(self) -> None:
        form = "compact" if self._compact else "indented"
        self.documents.copy(self.json_text(), said=f"Copied the response JSON ({form}) to the "
                                                   f"clipboard.{self._problems_suffix()}")

    def new_design(self) -> None:
        self.set_design(Design())
        self.set_document_name("")
        self.status.hide()

    def set_document_name(self, name: str, *, project: bool = False) -> None:
        """Name the open design (the window title shows it); "" for a new one.
        Embedded, only the project's editor names it (`project=True`)."""
        if self.embedded and not project:
            return
        if name != self.document_name:
            self.document_name = name
            self.document_name_changed.emit(name)

    def may_discard(self) -> bool:
        if self.embedded:  # the project keeps every edit: only an overwrite loses one
            return self.design().is_empty() or self.documents.confirm(replace_box(self))
        return self.documents.may_discard(self.is_modified())

    def on_new_clicked(self) -> None:
        if self.may_discard():
            self.new_design()
            self.goto_edit.setFocus()

    def on_open_clicked(self) -> None:
        self.documents.ask_and_open("Open a response design", may_discard=self.may_discard,
                                    open_from=self.open_design_from)

    def on_save_clicked(self) -> None:
        suggested = (self.document_name if self.document_name.endswith(".json")
                     else "response-design.json")
        self.documents.ask_and_save("Save the response design", suggested=suggested,
                                    save_to=self.save_design_to)

    def on_sample_chosen(self, file_name: str, title: str) -> None:
        if self.may_discard():
            self.load_sample(file_name, title)
