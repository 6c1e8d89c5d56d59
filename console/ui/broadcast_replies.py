"""Customers' replies into the do-not-contact list: pasted or from a CSV (number, text, time).

A reply that is an opt-out keyword (STOP, STOPALL, UNSUBSCRIBE, END, QUIT,
CANCEL, REVOKE, OPTOUT: the whole message or its first word) is added with
its time. A reply in plain words that reads like a revocation ("please stop
texting me") is listed unticked for a person to confirm; other replies are
shown and left alone.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QTableWidgetItem, QWidget

from console.domain.broadcast.optout import OPT_OUT, TO_CONFIRM, Reply, ReplyImport, read_replies
from console.domain.broadcast.table import Table, TableError, read_list_file, read_pasted
from console.domain.phone import format_phone
from console.domain.wording import plural
from console.store.broadcasts import BroadcastStore, BroadcastStoreError, DncRecord
from console.ui.broadcast.parts import button_row, dialog_frame, push_button, read_only_table, stack, wrapped_label
from console.ui.widgets import ResultLabel

__all__ = ["ReplyImportDialog"]

_VERDICT_WORDS = {OPT_OUT: "Opt-out: {keyword}", TO_CONFIRM: "May be an opt-out: tick to confirm",
                  "ignored": "Not an opt-out"}


class ReplyImportDialog(QDialog):
    def __init__(self, *, store: BroadcastStore, choose_open_path: Callable[[], Path | None],
                 now: Callable[[], datetime], office_zone: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._choose_open = choose_open_path
        self._now = now
        self._zone = ZoneInfo(office_zone)
        self.replies: list[Reply] = []
        self.source = "pasted"
        dialog_frame(self, "Import the customers' replies", size=(820, 560))
        intro = wrapped_label("Paste the replies, one a line: number, text and time (tab- or "
                              "comma-separated, as copied from a spreadsheet), or open a CSV file "
                              "of them. A time without a zone is the office's.")
        self.paste_edit = QPlainTextEdit()
        self.paste_edit.setPlaceholderText("(212) 555-0101\tSTOP\t2026-12-03 14:02")
        self.paste_edit.setAccessibleName("Pasted replies")
        self.paste_edit.setTabChangesFocus(True)
        self.paste_edit.setMaximumHeight(110)
        self.read_button = push_button("&Read the pasted replies", "Read the pasted replies",
                                       clicked=self.on_read_clicked)
        self.open_button = push_button("&Open a CSV of replies…", "Open a CSV file of replies",
                                       clicked=self.on_open_clicked)
        self.table = read_only_table(["Number", "Received", "Reply", "What it is"], "Replies read",
                                     fit=(0, 1, 3), stretch=(2,), select_rows=False)
        self.add_button = push_button("&Add the opt-outs to the list",
                                      "Add the opt-outs to the do-not-contact list",
                                      clicked=self.on_add_clicked)
        self.add_button.setEnabled(False)
        self.result_label = ResultLabel("Replies result")
        top = button_row((self.read_button, self.open_button))
        bottom = button_row((self.add_button,), stretch_before=True, stretch_after=False)
        stack(self, [intro, self.paste_edit, top, (self.table, 1), bottom, self.result_label],
              close=self)

    # -- reading ---------------------------------------------------------------------
    def on_read_clicked(self) -> None:
        try:
            table = read_pasted(self.paste_edit.toPlainText())
        except TableError as err:
            self.result_label.show_result("error", f"Pasted replies: {err}")
            return
        self.show_replies(table, "pasted")

    def on_open_clicked(self) -> None:
        path = self._choose_open()
        if path:
            self.read_file(Path(path))

    def read_file(self, path: Path) -> None:
        try:
            with open(path, "rb") as handle:
                table = read_list_file(handle)
        except OSError as err:
            self.result_label.show_result("error", f"{path.name} could not be read: "
                                                   f"{err.strerror or err}.")
            return
        except TableError as err:
            self.result_label.show_result("error", f"{path.name}: {err}")
            return
        self.show_replies(table, f"imported from {path.name}")

    def show_replies(self, table: Table, source: str) -> None:
        try:
            found: ReplyImport = read_replies(table, zone=self._zone, now=self._now())
        except TableError as err:
            self.result_label.show_result("error", str(err))
            return
        self.replies, self.source = found.replies, source
        self.table.setRowCount(len(found.replies))
        for i, reply in enumerate(found.replies):
            local = reply.received.astimezone(self._zone)
            words = _VERDICT_WORDS[reply.verdict].format(keyword=reply.keyword)
            cells = (format_phone(reply.number), f"{local:%Y-%m-%d %H:%M}", reply.text, words)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 0 and reply.verdict == TO_CONFIRM:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                self.table.setItem(i, column, item)
        counts = {v: len(found.of(v)) for v in (OPT_OUT, TO_CONFIRM)}
        text = (f"{plural(len(found.replies), 'reply', 'replies')} read: "
                f"{counts[OPT_OUT]:,} opt-out by keyword, {counts[TO_CONFIRM]:,} to confirm.")
        if found.problems:
            text += " " + " ".join(found.problems[:3])
        self.result_label.show_result("warning" if found.problems else "ok", text)
        self.add_button.setEnabled(bool(counts[OPT_OUT] or counts[TO_CONFIRM]))

    # -- adding ----------------------------------------------------------------------
    def confirm_row(self, index: int, confirmed: bool = True) -> None:
        item = self.table.item(index, 0)
        if item is None:
            raise IndexError(f"no reply in row {index}")
        item.setCheckState(Qt.CheckState.Checked if confirmed else Qt.CheckState.Unchecked)

    def chosen(self) -> list[DncRecord]:
        how = f"reply, {self.source}"
        records = []
        for index, reply in enumerate(self.replies):
            added = reply.received.isoformat(timespec="seconds")
            if reply.verdict == OPT_OUT:
                records.append(DncRecord(reply.number, f"reply {reply.keyword}", added, how))
            elif reply.verdict == TO_CONFIRM:
                item = self.table.item(index, 0)
                if item is not None and item.checkState() == Qt.CheckState.Checked:
                    records.append(DncRecord(reply.number, f"reply “{reply.text.strip()}” "
                                             "(confirmed by a person)", added, how))
        return records

    def on_add_clicked(self) -> None:
        records = self.chosen()
        if not records:
            self.result_label.show_result("warning", "No reply is an opt-out yet: tick the ones "
                                                     "you confirm, then add them.")
            return
        try:
            added = self.store.add_do_not_contact(records)
        except BroadcastStoreError as err:
            self.result_label.show_result("error", str(err))
            return
        already = len(records) - added
        text = f"{plural(added, 'number')} added to the do-not-contact list."
        if already:
            text += f" {plural(already, 'number was', 'numbers were')} on it already."
        self.result_label.show_result("ok", text)
