"""The table model over the upload queue (qutebrowser's DownloadModel idea).

The model holds no state of its own: every call reads the `UploadQueue`, and
the queue's row signals become the model's begin/end insert/remove calls.
"""
from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from console.domain.audio import (
    format_channels,
    format_duration,
    format_rate,
    format_size,
)
from console.jobs import uploads as uq
from console.jobs.uploads import QueueItem, UploadQueue

COL_FILE, COL_ALBUM, COL_SORT, COL_NAME, COL_AUDIO, COL_SIZE, COL_STATUS = range(7)
HEADERS = ("File", "Album", "Sort", "Display name", "Audio", "Size", "Status")
HEADER_TIPS = (
    "The file on this computer",
    "The library album the recording goes into",
    "The recording's number inside the album",
    "The label shown on the Voitex portal (defaults to the file name)",
    "What the file holds, read from its content",
    "The size of the file",
    "Where the file is in the upload",
)

ItemIdRole = int(Qt.ItemDataRole.UserRole) + 1
# The upload percentage for the progress delegate; -1 when no bar is shown.
ProgressRole = int(Qt.ItemDataRole.UserRole) + 2
StatusRole = int(Qt.ItemDataRole.UserRole) + 3

_PROBLEM_BRUSH = QBrush(QColor("#fde2e1"))
_REJECTED_BRUSH = QBrush(QColor("#8a1c12"))
_FAILED_BRUSH = QBrush(QColor("#a33a00"))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_EDITABLE_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsEditable
_HANDLED_ROLES = frozenset({_DISPLAY, _EDIT, _TOOLTIP, _DECORATION, _FOREGROUND, _BACKGROUND,
                            _ALIGNMENT, _ACCESSIBLE, ItemIdRole, ProgressRole, StatusRole})


def status_text(item: QueueItem) -> str:
    """The Status column, in words that stand on their own (screen readers read it)."""
    status = item.status
    if status == uq.INSPECTING:
        return "Reading the file…"
    if status == uq.REJECTED:
        return f"Rejected: {item.reason}"
    if status == uq.QUEUED:
        return f"Needs attention: {item.problem}" if item.problem else "Queued"
    if status == uq.UPLOADING:
        return f"Uploading {item.percent}%"
    if status == uq.SENT:
        return "Already sent; waiting for Voitex's reply"
    if status == uq.DONE:
        if item.recording_id:
            return f"Done: recording {item.recording_id}"
        return "Done (marked by you)"
    if status == uq.FAILED:
        return f"Failed: {item.reason}"
    if status == uq.CANCELLED:
        return "Cancelled"
    if status == uq.UNSURE:
        return "May already be in the library"
    return str(status)


def audio_tooltip(item: QueueItem) -> str:
    info = item.info
    if info is None:
        return "Not read yet."
    if not info.ok and info.format is None:
        return info.reason or ""
    lines = []
    if info.format:
        lines.append(f"Format: {info.format.upper()}" + (f", {info.codec}" if info.codec else ""))
    if info.sample_rate:
        lines.append(f"Sample rate: {format_rate(info.sample_rate)}")
    if info.channels:
        lines.append(f"Channels: {info.channels} ({format_channels(info.channels)})")
    if info.bits_per_sample and info.format == "wav":
        lines.append(f"Bits per sample: {info.bits_per_sample}")
    if info.duration_s is not None:
        lines.append(f"Duration: {format_duration(info.duration_s)}")
    if info.advice:
        lines.append("")
        lines.append("Advice (the file can still be uploaded):")
        lines.extend(f"• {a}" for a in info.advice)
    if not info.ok and info.reason:
        lines.append("")
        lines.append(info.reason)
    return "\n".join(lines)


class QueueModel(QAbstractTableModel):
    """Rows are the queue's items; columns as in HEADERS."""

    edit_refused = Signal(str)  # why an edit was not taken, in plain words

    def __init__(self, queue: UploadQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue = queue
        queue.rows_about_to_be_inserted.connect(self._begin_insert)
        queue.rows_inserted.connect(self.endInsertRows)
        queue.rows_about_to_be_removed.connect(self._begin_remove)
        queue.rows_removed.connect(self.endRemoveRows)
        queue.items_changed.connect(self._on_items_changed)
        queue.progress_rows_changed.connect(self._on_progress_rows_changed)
        style = QApplication.style()
        self._icons = {
            "advice": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            uq.REJECTED: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            uq.FAILED: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            "problem": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            uq.DONE: style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
            uq.CANCELLED: style.standardIcon(QStyle.StandardPixmap.SP_DialogCancelButton),
            uq.UNSURE: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxQuestion),
        }
        self._cancelled_brush = QApplication.palette().brush(QPalette.ColorGroup.Disabled,
                                                             QPalette.ColorRole.Text)

    @property
    def queue(self) -> UploadQueue:
        return self._queue

    def _begin_insert(self, first: int, last: int) -> None:
        self.beginInsertRows(QModelIndex(), first, last)

    def _begin_remove(self, first: int, last: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, last)

    def _on_items_changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))

    def _on_progress_rows_changed(self, first: int, last: int) -> None:
        # Only the Status cells: repainting whole rows ten times a second costs more.
        self.dataChanged.emit(self.index(first, COL_STATUS), self.index(last, COL_STATUS),
                              [Qt.ItemDataRole.DisplayRole, ProgressRole])

    def item_for(self, index: QModelIndex | QPersistentModelIndex) -> QueueItem:
        return self._queue.item_at(index.row())

    # -- QAbstractTableModel ------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._queue)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.column() in (COL_ALBUM, COL_SORT, COL_NAME) and self.item_for(index).status.can_edit:
            return _EDITABLE_FLAGS
        return _ROW_FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called about a thousand times per repaint: unhandled roles leave first,
        # and roles are compared as plain ints.
        role = int(role)
        if role not in _HANDLED_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._queue):
            return None
        item = self._queue.item_at(row)
        column = index.column()
        if role == _DISPLAY:
            return self._display(item, column)
        if role == _FOREGROUND:
            return self._foreground(item)
        if role == _BACKGROUND:
            if item.problem and column in (COL_ALBUM, COL_SORT, COL_STATUS):
                return _PROBLEM_BRUSH
            return None
        if role == _ALIGNMENT:
            return _RIGHT if column in (COL_ALBUM, COL_SORT, COL_SIZE) else None
        if role == _DECORATION:
            return self._decoration(item, column)
        if role == ProgressRole:
            return item.percent if item.status == uq.UPLOADING and column == COL_STATUS else -1
        if role == _EDIT:
            if column == COL_ALBUM:
                return item.album
            if column == COL_SORT:
                return item.sort
            if column == COL_NAME:
                return item.display_name
            return self._display(item, column)
        if role == _TOOLTIP:
            return self._tooltip(item, column)
        if role == _ACCESSIBLE:
            text = self._display(item, column)
            if column == COL_AUDIO and item.info is not None and item.info.advice:
                text = f"{text}. Advice: {' '.join(item.info.advice)}"
            return text
        if role == ItemIdRole:
            return item.id
        if role == StatusRole:
            return item.status
        return None

    def _display(self, item: QueueItem, column: int) -> str:
        if column == COL_FILE:
            return item.name
        if item.status == uq.REJECTED and column in (COL_ALBUM, COL_SORT, COL_NAME):
            return ""  # never uploaded: numbers there would only invite duplicates questions
        if column == COL_ALBUM:
            return "" if item.album is None else str(item.album)
        if column == COL_SORT:
            if item.sort is None:
                return "…" if item.awaiting_number else ""
            return str(item.sort)
        if column == COL_NAME:
            return item.display_name
        if column == COL_AUDIO:
            if item.info is None:
                return ""
            if not item.info.ok:
                return f"{item.info.format.upper()}, unusable" if item.info.format else "Not audio"
            return item.info.summary()
        if column == COL_SIZE:
            return format_size(item.info.size) if item.info is not None else ""
        if column == COL_STATUS:
            return status_text(item)
        return ""

    def _tooltip(self, item: QueueItem, column: int) -> str | None:
        if column == COL_FILE:
            return str(item.path)
        if column == COL_AUDIO:
            return audio_tooltip(item)
        if column in (COL_ALBUM, COL_SORT) and item.problem:
            return item.problem
        if column in (COL_ALBUM, COL_SORT, COL_NAME) and not item.status.can_edit:
            return f"{self._display(item, column)} (the file is {item.status}; it can no longer be changed)"
        if column == COL_STATUS:
            text = status_text(item)
            if item.status == uq.DONE and item.finished_at:
                text += f"\nUploaded {item.finished_at}"
            if item.status in (uq.UNSURE, uq.CANCELLED) and item.reason:
                text += f"\n{item.reason}"
            return text
        return None

    def _decoration(self, item: QueueItem, column: int) -> QIcon | None:
        if column == COL_AUDIO and item.info is not None and item.info.ok and item.info.advice:
            return self._icons["advice"]
        if column == COL_STATUS:
            if item.problem and item.status == uq.QUEUED:
                return self._icons["problem"]
            return self._icons.get(item.status)
        return None

    def _foreground(self, item: QueueItem) -> QBrush | None:
        status = item.status
        if status == uq.REJECTED:
            return _REJECTED_BRUSH
        if status == uq.FAILED or status == uq.UNSURE:
            return _FAILED_BRUSH
        if status == uq.CANCELLED:
            return self._cancelled_brush
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        item = self.item_for(index)
        column = index.column()
        try:
            if column == COL_ALBUM:
                self._queue.set_album(item.id, _typed_number(value))
            elif column == COL_SORT:
                self._queue.set_sort(item.id, _typed_number(value))
            elif column == COL_NAME:
                self._queue.set_display_name(item.id, str(value))
            else:
                return False
        except ValueError as err:  # FieldError included: its text names the field
            self.edit_refused.emit(f"{item.name}: {err}")
            return False
        # The queue's items_changed already covered the row; Qt wants this for the cell.
        self.dataChanged.emit(index, index)
        return True


def _typed_number(value: object) -> int | str:
    """An edited album or sort number as the queue checks it (a spin box gives an
    int; anything else goes as text, for the queue to refuse in words)."""
    return value if isinstance(value, int) else str(value)
