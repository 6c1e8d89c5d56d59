"""The list of findings under a preview, the small label shown next to a field, and
the field's own border (`mark_field`, drawn by a panel's `FIELD_STYLE`)."""
from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QSizePolicy, QStyle, QWidget

from console.branch.findings import SEVERITY_RANK, Finding
from console.ui.palette import warning_text_colours

_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
_WORDS = {"error": "Problem", "warning": "Warning", "info": "Note"}


def _label_style(widget: QWidget, severity: str) -> str:
    # From the palette: the light colours are unreadable on a dark desktop.
    return f"color:{warning_text_colours(widget.palette())[severity]};"


# A panel's style sheet: a field's border says its worst finding (`mark_field`).
FIELD_STYLE = ("QLineEdit[finding=\"error\"] { border: 2px solid #c62828; }"
               "QLineEdit[finding=\"warning\"] { border: 2px solid #e0a800; }")


def show_finding_look(edit: QLineEdit, worst: str) -> None:
    """Give `edit` the border of `worst` ("error", "warning", or "" for none)."""
    if edit.property("finding") != worst:
        edit.setProperty("finding", worst)
        edit.style().unpolish(edit)
        edit.style().polish(edit)


def mark_field(edit: QLineEdit, findings: tuple[Finding, ...]) -> None:
    """The border of the worst of `findings` (notes draw none)."""
    worst = min((f.severity for f in findings if f.severity != "info"),
                key=SEVERITY_RANK.__getitem__, default="")
    show_finding_look(edit, worst)


class FindingsList(QListWidget):
    """Every finding, problems first; activating one says where it is."""

    finding_activated = Signal(object)  # Finding

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setIconSize(QSize(16, 16))
        self.setAlternatingRowColors(True)
        self._shown: tuple[Finding, ...] | None = None  # None: nothing shown yet
        self._empty_text = ""
        self.itemActivated.connect(self._on_item_activated)

    def findings(self) -> tuple[Finding, ...]:
        return self._shown or ()

    def set_findings(self, findings: tuple[Finding, ...], *,
                     empty_text: str = "No problems found.") -> None:
        """Show `findings`; with none, `empty_text` (nothing at all when empty)."""
        if findings == self._shown and empty_text == self._empty_text:
            return
        self._shown = findings
        self._empty_text = empty_text
        self.clear()
        if not findings:
            if empty_text:
                item = QListWidgetItem(empty_text)
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                self.addItem(item)
            return
        style = self.style()
        for finding in sorted(findings, key=lambda f: SEVERITY_RANK[f.severity]):
            item = QListWidgetItem(style.standardIcon(_ICONS[finding.severity]), finding.message)
            item.setData(Qt.ItemDataRole.UserRole, finding)
            item.setToolTip(finding.message)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{_WORDS[finding.severity]}: {finding.message}")
            self.addItem(item)

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        finding = item.data(Qt.ItemDataRole.UserRole)
        if finding is not None:
            self.finding_activated.emit(finding)


class InlineFindings(QLabel):
    """What is wrong with one field, shown right under it; hidden when all is well."""

    def __init__(self, field_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(f"{field_name}: findings")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setTextFormat(Qt.TextFormat.RichText)
        self._shown: tuple[Finding, ...] = ()
        self.hide()

    def severity(self) -> str | None:
        return min((f.severity for f in self._shown), key=SEVERITY_RANK.__getitem__, default=None)

    def set_findings(self, findings: tuple[Finding, ...], *, limit: int = 3) -> None:
        if findings == self._shown:
            return
        self._shown = findings
        if not findings:
            self.clear()
            self.hide()
            return
        ordered = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
        lines = [f'<div style="{_label_style(self, f.severity)}"><b>{_WORDS[f.severity]}:</b> '
                 f"{html.escape(f.message)}</div>" for f in ordered[:limit]]
        if len(ordered) > limit:
            lines.append(f"<div>\u2026and {len(ordered) - limit} more in the list of "
                         "findings.</div>")
        self.setText("".join(lines))
        self.setAccessibleDescription(" ".join(f"{_WORDS[f.severity]}: {f.message}"
                                               for f in ordered))
        self.show()


class FindingLine(QLabel):
    """One line under a table saying what is wrong in it, always in its place.

    A label that appeared and disappeared as findings came and went would move
    the table above it at each keystroke that adds or clears a problem (and
    re-lay out the whole form: see bench/branch_preview.py). This one keeps its
    height; a long message is cut with an ellipsis, and the tooltip, the
    accessible description and the list of findings hold every word.
    """

    def __init__(self, field_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{field_name}: findings")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 4)
        self._shown: tuple[Finding, ...] = ()
        self._full = ""

    def full_text(self) -> str:
        return self._full

    def set_findings(self, findings: tuple[Finding, ...]) -> None:
        if findings == self._shown:
            return
        self._shown = findings
        ordered = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
        if ordered:
            first = ordered[0]
            more = f"  (+{len(ordered) - 1} more)" if len(ordered) > 1 else ""
            self._full = f"{_WORDS[first.severity]}: {first.message}{more}"
            self.setStyleSheet(_label_style(self, first.severity))
        else:
            self._full = ""
        everything = "\n".join(f"{_WORDS[f.severity]}: {f.message}" for f in ordered)
        self.setToolTip(everything)
        self.setAccessibleDescription(everything)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                                   max(self.width(), 0)))
