"""The response designer's form: Go to branch, the play list, the keys and the
variables, each with its findings beside it; keys beside variables, or under them
when the form is narrow."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QLineEdit, QVBoxLayout, QWidget

from console.branch.findings import Finding
from console.branch.schema import KEYPAD_KEYS, Design
from console.ui.branch.delegates import KindDelegate
from console.ui.branch.findings_view import InlineFindings, mark_field
from console.ui.branch.models import Column, PlayModel
from console.ui.branch.table_section import TableSection, rows_section
from console.ui.layout import buddy_label, row, tool_button


def _beside(anchor: QWidget, widget: QWidget, section: QWidget) -> None:
    """Put `widget` right after `anchor` in the row of buttons that holds it."""
    outer = section.layout()
    assert outer is not None  # a TableSection lays itself out
    for index in range(outer.count()):
        item = outer.itemAt(index)
        buttons = item.layout() if item is not None else None
        if isinstance(buttons, QBoxLayout) and buttons.indexOf(anchor) >= 0:
            buttons.insertWidget(buttons.indexOf(anchor) + 1, widget)
            return
    outer.addWidget(widget)


class ResponseForm(QWidget):
    edited = Signal()  # the user changed a field (not `set_design`)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.response_findings = InlineFindings("Response")
        self.goto_edit = QLineEdit()
        self.goto_edit.setPlaceholderText("Leave empty for none, or a branch number like 150")
        self.goto_edit.setAccessibleName("Go to branch")
        self.goto_edit.setToolTip("The branch the call goes to next (\u201cgoto\u201d). "
                                  "Without one, the call follows the Trigger branch's "
                                  "\u201cNo Route Found\u201d setting.")
        self.goto_findings = InlineFindings("Go to branch")
        goto_row = row(buddy_label("&Go to branch (goto):", self.goto_edit), (self.goto_edit, 1))

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
        table = self.play_section.table
        table.setItemDelegateForColumn(PlayModel.KIND, KindDelegate(table))
        for index, width in ((PlayModel.KIND, 120), (PlayModel.ALBUM, 70), (PlayModel.SORT, 70)):
            table.setColumnWidth(index, width)
        self.library_button = tool_button("Add from the li&brary\u2026",
                                          "Add a recording from the library by name",
                                          "Choose a recording this console uploaded or created; "
                                          "its album and sort number go in the table.")

        self.keys_model, self.keys_section = rows_section(
            "&Keys (inputs)", "inputs", [
                Column("key", "Key", "One key: 0 to 9, * or #"),
                Column("branch", "Go to branch", "The branch number the key leads to, like 100"),
            ], add_actions=[("Add ke&y", "Add a key", lambda: [self._next_free_key(), ""])],
            help_text="Keys the caller can press while the recordings play, and the branch "
                      "each one leads to.", model_parent=self)
        self.keys_section.table.setColumnWidth(0, 70)
        self.variables_model, self.variables_section = rows_section(
            "&Variables", "variables", [
                Column("name", "Name", "The variable's name"),
                Column("value", "Value", "The value kept for later in the call"),
            ], add_actions=[("Add v&ariable", "Add a variable", lambda: ["", ""])],
            help_text="Names and values kept for later in the call.", model_parent=self)
        self.variables_section.table.setColumnWidth(0, 160)

        layout = QVBoxLayout(self)
        layout.addWidget(self.response_findings)
        layout.addLayout(goto_row)
        layout.addWidget(self.goto_findings)
        layout.addWidget(self.play_section, 3)
        _beside(self.play_section.add_buttons[-1], self.library_button, self.play_section)
        # Keys beside variables, or under them when the form is narrow (a project's
        # tree beside it on a 1024-pixel screen): never cut off.
        self._tables = row((self.keys_section, 2), (self.variables_section, 3))
        layout.addLayout(self._tables, 2)
        self._viewport: QWidget | None = None

        self.goto_edit.textChanged.connect(self._on_content_changed)
        for model in (self.play_model, self.keys_model, self.variables_model):
            model.edited.connect(self._on_content_changed)

    def follow_width_of(self, viewport: QWidget) -> None:
        """Lay the keys beside or under the variables as `viewport` (the scroll
        area the form is shown in) is resized."""
        self._viewport = viewport
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            side_by_side = (self.keys_section.minimumSizeHint().width()
                            + self.variables_section.minimumSizeHint().width() + 30)
            direction = (QBoxLayout.Direction.LeftToRight
                         if self._viewport.width() >= side_by_side
                         else QBoxLayout.Direction.TopToBottom)
            if self._tables.direction() != direction:
                self._tables.setDirection(direction)
        return super().eventFilter(watched, event)

    def _on_content_changed(self, *_args: object) -> None:
        if not self._loading:
            self.edited.emit()

    def design(self) -> Design:
        goto = self.goto_edit.text()
        return Design(
            goto=goto if goto != "" else None,
            play=self.play_model.items(),
            inputs=tuple(self.keys_model.pairs()),
            variables=tuple(self.variables_model.pairs()),
        )

    def set_design(self, design: Design) -> None:
        """Show `design` in the fields; no `edited` is told."""
        self._loading = True
        try:
            self.goto_edit.setText(design.goto or "")
            self.play_model.set_items(design.play)
            self.keys_model.set_rows(design.inputs)
            self.variables_model.set_rows(design.variables)
        finally:
            self._loading = False

    def show_findings(self, findings: tuple[Finding, ...]) -> None:
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

    def _next_free_key(self) -> str:
        used = {key for key, _ in self.keys_model.rows()}
        return next((key for key in KEYPAD_KEYS if key not in used), "")
