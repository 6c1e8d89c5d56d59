"""The response designer: a form for every response field, a live JSON preview,
findings next to each field and in a list, and New / Open / Save / Copy."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.branch.findings import Finding, summary_text
from console.branch.schema import KEYPAD_KEYS, Design, DesignFormatError, design_to_json, parse_design
from console.branch.validation import validate
from console.domain.wording import plural
from console.resources import read_resource_text
from console.ui.branch.delegates import KindDelegate
from console.ui.branch.documents import DocumentButtons, Documents, replace_box
from console.ui.branch.findings_view import FIELD_STYLE, FindingsList, InlineFindings, mark_field
from console.ui.branch.library_notes import library_notes
from console.ui.branch.models import Column, PlayModel, RowsModel
from console.ui.branch.preview import JsonPreview
from console.ui.branch.table_section import TableSection
from console.ui.widgets import Confirm, ResultLabel, default_confirm

if TYPE_CHECKING:
    from console.store.catalogue import CatalogueEntry
    from console.ui.library.picker import LibraryChooser
    from console.ui.library.source import LibrarySource
    from console.ui.messages import MessageBridge


def _beside(anchor: QWidget, widget: QWidget, section: QWidget) -> None:
    """Put `widget` right after `anchor` in the row of buttons that holds it."""
    outer = section.layout()
    assert outer is not None  # a TableSection lays itself out
    for index in range(outer.count()):
        item = outer.itemAt(index)
        row = item.layout() if item is not None else None
        if isinstance(row, QBoxLayout) and row.indexOf(anchor) >= 0:
            row.insertWidget(row.indexOf(anchor) + 1, widget)
            return
    outer.addWidget(widget)


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
        self._loading = False
        self._notes: tuple[Finding, ...] = ()
        self._findings: tuple[Finding, ...] | None = None  # None: nothing shown yet
        self._clean_json = design_to_json(Design())
        self.document_name = ""
        self.setStyleSheet(FIELD_STYLE)

        # -- the form ------------------------------------------------------
        self.response_findings = InlineFindings("Response")
        self.goto_edit = QLineEdit()
        self.goto_edit.setPlaceholderText("Leave empty for none, or a branch number like 150")
        self.goto_edit.setAccessibleName("Go to branch")
        self.goto_edit.setToolTip("The branch the call goes to next (\u201cgoto\u201d). "
                                  "Without one, the call follows the Trigger branch's "
                                  "\u201cNo Route Found\u201d setting.")
        self.goto_findings = InlineFindings("Go to branch")
        goto_label = QLabel("&Go to branch (goto):")
        goto_label.setBuddy(self.goto_edit)
        goto_row = QHBoxLayout()
        goto_row.addWidget(goto_label)
        goto_row.addWidget(self.goto_edit, 1)

        self.play_model = PlayModel(self)
        self.play_section = TableSection(
            "Play (played in this o&rder)", self.play_model, "play",
            add_actions=[
                ("Add fi&le", "Add a recording from the library",
                 lambda: ["file", "", "", ""]),
                ("Add te&xt", "Add text to be spoken", lambda: ["tts", "", "", ""]),
            ],
            help_text="A library file is named by its album and sort number; text is spoken "
                      "by text to speech. Drag rows, or "
                      "use Up and Down, to change the order.")
        self.play_section.table.setItemDelegateForColumn(PlayModel.KIND,
                                                         KindDelegate(self.play_section.table))
        self.play_section.table.setColumnWidth(PlayModel.KIND, 120)
        self.play_section.table.setColumnWidth(PlayModel.ALBUM, 70)
        self.play_section.table.setColumnWidth(PlayModel.SORT, 70)
        self.library_button = QToolButton()
        self.library_button.setText("Add from the li&brary\u2026")
        self.library_button.setAccessibleName("Add a recording from the library by name")
        self.library_button.setToolTip("Choose a recording this console uploaded or created; "
                                       "its album and sort number go in the table.")
        self.library_button.clicked.connect(self.on_library_clicked)
        self.library_button.setVisible(library is not None)

        self.keys_model = RowsModel([
            Column("key", "Key", "One key: 0 to 9, * or #"),
            Column("branch", "Go to branch", "The branch number the key leads to, like 100"),
        ], self)
        self.keys_section = TableSection(
            "&Keys (inputs)", self.keys_model, "inputs",
            add_actions=[("Add ke&y", "Add a key", lambda: [self._next_free_key(), ""])],
            help_text="Keys the caller can press while the recordings play, and the branch "
                      "each one leads to.")
        self.keys_section.table.setColumnWidth(0, 70)

        self.variables_model = RowsModel([
            Column("name", "Name", "The variable's name"),
            Column("value", "Value", "The value kept for later in the call"),
        ], self)
        self.variables_section = TableSection(
            "&Variables", self.variables_model, "variables",
            add_actions=[("Add v&ariable", "Add a variable", lambda: ["", ""])],
            help_text="Names and values kept for later in the call.")
        self.variables_section.table.setColumnWidth(0, 160)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.addWidget(self.response_findings)
        form_layout.addLayout(goto_row)
        form_layout.addWidget(self.goto_findings)
        form_layout.addWidget(self.play_section, 3)
        _beside(self.play_section.add_buttons[-1], self.library_button, self.play_section)
        # Keys beside variables, or under them when the form is narrow (a project's
        # tree beside it on a 1024-pixel screen): never cut off.
        self._tables = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._tables.addWidget(self.keys_section, 2)
        self._tables.addWidget(self.variables_section, 3)
        form_layout.addLayout(self._tables, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        scroll.setAccessibleName("Response form")
        scroll.viewport().installEventFilter(self)
        self._form_viewport = scroll.viewport()

        # -- preview, actions and findings -------------------------------------
        self.file_buttons = DocumentButtons(
            new=("&New", "New response design"), open=("&Open\u2026", "Open a response design"),
            save=("Save\u2026", "Save the response design"),
            copy=("Copy JSON", "Copy the response JSON"))
        self.new_button, self.open_button, self.save_button, self.copy_button = self.file_buttons.all()
        self.samples_button = QToolButton()
        self.samples_button.setText("Start from a sample")
        self.samples_button.setAccessibleName("Start from a sample design")
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
        actions = QVBoxLayout()
        file_row = QHBoxLayout()
        for widget in (self.new_button, self.open_button, self.save_button, self.copy_button):
            file_row.addWidget(widget)
        file_row.addStretch(1)
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.samples_button)
        sample_row.addStretch(1)
        sample_row.addWidget(self.compact_check)
        actions.addLayout(file_row)
        actions.addLayout(sample_row)

        self.status = ResultLabel("Designer result")
        self.documents = Documents(self, what="reply" if embedded else "response design",
                                   status=self.status, messages=messages, confirm=confirm)
        self.preview = JsonPreview("Response JSON preview")
        preview_label = QLabel("Response JSON (what your endpoint should return):")
        preview_label.setWordWrap(True)
        preview_label.setBuddy(self.preview)
        self.summary = QLabel()
        self.summary.setAccessibleName("Findings summary")
        self.findings_list = FindingsList("Findings")
        findings_label = QLabel("Findings (double-click one to go to its field):")
        findings_label.setWordWrap(True)
        findings_label.setBuddy(self.findings_list)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.status)
        right_layout.addWidget(preview_label)
        right_layout.addWidget(self.preview, 3)
        summary_row = QHBoxLayout()
        summary_row.addWidget(findings_label)
        summary_row.addStretch(1)
        summary_row.addWidget(self.summary)
        right_layout.addLayout(summary_row)
        right_layout.addWidget(self.findings_list, 2)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 460])
        # A narrow window scrolls the form sideways rather than cutting it off.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        # -- wiring --------------------------------------------------------
        self.goto_edit.textChanged.connect(self._on_content_changed)
        for model in (self.play_model, self.keys_model, self.variables_model):
            model.edited.connect(self._on_content_changed)
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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._form_viewport and event.type() == QEvent.Type.Resize:
            side_by_side = (self.keys_section.minimumSizeHint().width()
                            + self.variables_section.minimumSizeHint().width() + 30)
            direction = (QBoxLayout.Direction.LeftToRight
                         if self._form_viewport.width() >= side_by_side
                         else QBoxLayout.Direction.TopToBottom)
            if self._tables.direction() != direction:
                self._tables.setDirection(direction)
        return super().eventFilter(watched, event)

    # -- the design --------------------------------------------------------
    def design(self) -> Design:
        goto = self.goto_edit.text()
        return Design(
            goto=goto if goto != "" else None,
            play=self.play_model.items(),
            inputs=tuple(self.keys_model.pairs()),
            variables=tuple(self.variables_model.pairs()),
        )

    def json_text(self, *, compact: bool | None = None) -> str:
        return design_to_json(self.design(), compact=self._compact if compact is None else compact)

    def findings(self) -> tuple[Finding, ...]:
        return self._findings or ()

    def is_modified(self) -> bool:
        return design_to_json(self.design()) != self._clean_json

    def set_design(self, design: Design, notes: tuple[Finding, ...] = ()) -> None:
        """Show `design` in the form; `notes` (what opening it changed) stay listed
        until the first edit."""
        self._loading = True
        try:
            self.goto_edit.setText(design.goto or "")
            self.play_model.set_items(design.play)
            self.keys_model.set_rows(design.inputs)
            self.variables_model.set_rows(design.variables)
        finally:
            self._loading = False
        self._notes = tuple(notes)
        self._clean_json = design_to_json(design)
        self.refresh()

    # -- updating the preview and the findings --------------------------------
    def _on_content_changed(self, *_args: object) -> None:
        if self._loading:
            return
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
        # What opening changed is said in the status line and the list; repeating it
        # above the form would say it three times.
        self.response_findings.set_findings(
            tuple(f for f in findings if f.path == () and not f.code.startswith("import.")))
        goto = tuple(f for f in findings if f.is_about("goto"))
        self.goto_findings.set_findings(goto)
        mark_field(self.goto_edit, goto)
        self.goto_edit.setAccessibleDescription(" ".join(f.message for f in goto))
        for section in (self.play_section, self.keys_section, self.variables_section):
            section.show_findings(findings)
        self.findings_list.set_findings(findings)
        self.summary.setText(summary_text(findings))

    def go_to_finding(self, finding: Finding) -> None:
        path = finding.path
        if not path or path[0] == "goto":
            self.goto_edit.setFocus()
            return
        section = {"play": self.play_section, "inputs": self.keys_section,
                   "variables": self.variables_section}.get(str(path[0]))
        if section is None:
            return
        if len(path) >= 2 and isinstance(path[1], int):
            column = 0
            if len(path) >= 3:
                keys = [c.key for c in section.model.columns]
                column = keys.index(path[2]) if path[2] in keys else 0
            section.table.select_row(path[1], column)
        section.table.setFocus()

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

    def _next_free_key(self) -> str:
        used = {key for key, _ in self.keys_model.rows()}
        return next((key for key in KEYPAD_KEYS if key not in used), "")

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
