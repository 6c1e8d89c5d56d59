"""The pre-flight table: every row of the list with its decision and reason, filterable, exportable.

A model over the domain's list of RowDecision (no Qt in the decisions), with
its own filter (a list of the rows shown), so 100,000 rows scroll and filter
without a widget item per cell. The panel puts the totals above it: what
sends now, waits, is skipped or left out, and how many texts go in all.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from console.domain.broadcast.preflight import (
    DO_NOT_CONTACT,
    DUPLICATE,
    GOES,
    INVALID,
    KIND_WORDS,
    LEFT_OUT,
    MISSING_FIELD,
    SEND,
    SKIP,
    TOO_LONG,
    WAIT,
    Preflight,
    RowDecision,
)
from console.domain.broadcast.report import preflight_csv
from console.domain.wording import plural
from console.ui.broadcast.parts import ColumnsModel, push_button, stack, wrapped_label

__all__ = ["PreflightModel", "PreflightPanel", "FILTERS", "totals_words", "special_words"]

COLUMNS = ("Row", "Name", "Number", "State", "Their time", "Decision", "Message", "Texts",
           "Holds 70 letters because of")
FILTERS = (("All rows", None), ("Sends now", (SEND,)), ("Waits", (WAIT,)),
           ("Skipped or left out", (SKIP, *LEFT_OUT)), ("Do not contact", (DO_NOT_CONTACT,)),
           ("Not a number or a duplicate", (INVALID, DUPLICATE)),
           ("Merge field empty or too long", (MISSING_FIELD, TOO_LONG)))
_COLOURS = {SEND: "#0d5323", WAIT: "#1d3d6e", SKIP: "#7a4b00"}
_LEFT_OUT_COLOUR = "#8a1c12"
_NAMES = {"\u00a0": "no-break space", "\t": "tab", "\u2019": "’ (curly quote)",
          "\u2018": "‘ (curly quote)", "\u201c": "“ (curly quote)", "\u201d": "” (curly quote)",
          "\u2013": "– (long dash)", "\u2014": "— (long dash)"}


def special_words(ch: str) -> str:
    return _NAMES.get(ch, ch)


def totals_words(preflight: Preflight, *, sms: bool) -> str:
    """ "500 rows: 412 send now · 60 wait · 28 skipped or left out (12 do not contact, ...) ·
    530 texts in all"."""
    counts = preflight.counts
    rows = len(preflight.rows)
    left = {KIND_WORDS[k].lower(): counts[k] for k in (SKIP, *LEFT_OUT) if counts[k]}
    parts = [f"{counts[SEND]:,} send now", f"{counts[WAIT]:,} wait"]
    out = sum(left.values())
    parts.append(f"{out:,} skipped or left out" + (
        " (" + ", ".join(f"{n:,} {w}" for w, n in left.items()) + ")" if left else ""))
    if sms:
        parts.append(f"{plural(preflight.segments, 'text')} in all (a long message is sent as "
                     "several texts)")
        if preflight.special_rows:
            parts.append(f"{plural(preflight.special_rows, 'message')} with a character that makes "
                         "each text hold 70 letters instead of 160")
    return f"{plural(rows, 'row')}: " + " · ".join(parts)


class PreflightModel(ColumnsModel):
    columns = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[RowDecision] = []
        self._shown: list[RowDecision] = []
        self._kinds: tuple[str, ...] | None = None
        self._text = ""
        self.sms = True

    def set_decisions(self, rows: list[RowDecision], *, sms: bool) -> None:
        self.beginResetModel()
        self._all = rows
        self.sms = sms
        self._shown = self._filtered()
        self.endResetModel()

    def set_filter(self, kinds: tuple[str, ...] | None, text: str = "") -> None:
        self.beginResetModel()
        self._kinds, self._text = kinds, text.strip().lower()
        self._shown = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[RowDecision]:
        rows = self._all
        if self._kinds is not None:
            kinds = self._kinds
            rows = [r for r in rows if r.kind in kinds]
        if self._text:
            text = self._text
            rows = [r for r in rows if text in r.name.lower() or text in r.number_text.lower()
                    or text in r.reason.lower() or text in r.number]
        return rows if rows is not self._all else list(rows)

    def shown(self) -> list[RowDecision]:
        return list(self._shown)

    def decision_at(self, row: int) -> RowDecision:
        return self._shown[row]

    def shown_count(self) -> int:
        return len(self._shown)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        at = self.shown_row(index)
        if at is None:
            return None
        d = self._shown[at]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text_of(d, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3 and d.place is not None:
                return d.place.source
            if column == 4 and d.place is not None:
                return f"Their time when the broadcast starts ({', '.join(d.place.zones)})"
            if column in (5, 6):
                return d.reason if column == 5 else d.text
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == 5:
            return QBrush(QColor(_COLOURS.get(d.kind, _LEFT_OUT_COLOUR)))
        return None

    def _text_of(self, d: RowDecision, column: int) -> str:
        if column == 0:
            return str(d.row)
        if column == 1:
            return d.name
        if column == 2:
            return d.shown_number
        if column == 3:
            return d.place.label if d.place is not None else ""
        if column == 4:
            return d.local_time
        if column == 5:
            return d.reason
        if column == 6:
            return d.text.replace("\n", " ")
        if column == 7:
            return str(d.segments) if self.sms and d.kind in GOES else "—"
        return special_words(d.special) if d.special else ""


class PreflightPanel(QWidget):
    """Totals, the filter and the table; `export_to(path)` writes the rows shown."""

    exported = Signal(str)  # what to tell the user

    def __init__(self, *, choose_save_path: Callable[[], Path | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choose_save = choose_save_path
        self.preflight = Preflight()
        self.totals_label = wrapped_label("No recipients yet.", "Broadcast totals")
        self.filter_combo = QComboBox()
        for words, kinds in FILTERS:
            self.filter_combo.addItem(words, kinds)
        self.filter_combo.setAccessibleName("Show rows")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Find a name, a number or a reason")
        self.search_edit.setAccessibleName("Find in the check")
        self.search_edit.setClearButtonEnabled(True)
        self.export_button = push_button("Export the chec&k…", "Export the rows shown as CSV",
                                         clicked=self.on_export_clicked)
        self.model = PreflightModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("What happens to each row")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((48, 120, 118, 110, 130, 300, 300, 48, 130)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.view.setMinimumHeight(220)
        self.rows_label = QLabel("Sho&w:")
        self.rows_label.setBuddy(self.filter_combo)
        tools = QHBoxLayout()
        tools.addWidget(self.rows_label)
        tools.addWidget(self.filter_combo)
        tools.addWidget(self.search_edit, 1)
        tools.addWidget(self.export_button)
        stack(self, [self.totals_label, tools, self.view], margins=0)
        self.filter_combo.currentIndexChanged.connect(self._apply_filter)
        self.search_edit.textChanged.connect(self._apply_filter)
        self.export_button.setEnabled(False)

    def _apply_filter(self, *_args: object) -> None:
        self.model.set_filter(self.filter_combo.currentData(), self.search_edit.text())

    def show_preflight(self, preflight: Preflight, *, sms: bool) -> None:
        self.preflight = preflight
        self.model.set_decisions(preflight.rows, sms=sms)
        self.totals_label.setText(totals_words(preflight, sms=sms))
        self.export_button.setEnabled(bool(preflight.rows))

    def show_pending(self, text: str) -> None:
        """No decision is known yet (no list, a message to correct, a check running)."""
        self.totals_label.setText(text)

    def clear(self, text: str) -> None:
        self.preflight = Preflight()
        self.model.set_decisions([], sms=self.model.sms)
        self.totals_label.setText(text)
        self.export_button.setEnabled(False)

    def on_export_clicked(self) -> None:
        path = self._choose_save()
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        rows = self.model.shown()
        try:
            path.write_bytes(preflight_csv(rows, KIND_WORDS))
        except OSError as err:
            self.exported.emit(f"error:The check could not be saved to {path}: "
                               f"{err.strerror or err}. Choose another folder.")
            return
        shown = "" if len(rows) == len(self.preflight.rows) else " (the rows shown by the filter)"
        self.exported.emit(f"ok:{plural(len(rows), 'row')} of the check saved to {path}{shown}.")
