"""Keeps step 4's check of every row up to date with the list, the message and the timing.

A change asks again a little later (typing in the message asks once, not at each
key); the check itself runs off the UI thread for a long list
(console/ui/broadcast_check.py). `checked` fires when the check shown is up to
date, `settled` whenever what Start may do could have changed.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain.area_codes import area_codes
from console.domain.broadcast.preflight import Preflight, PreflightInput
from console.domain.broadcast.quiet_hours import zone_names_for_number
from console.domain.broadcast.template import TemplateError, check_template
from console.domain.calling_rules import Hours
from console.domain.office_rules import OfficeRules
from console.domain.public_holidays import holiday_name
from console.domain.wording import plural
from console.store.broadcasts import BroadcastStore
from console.store.interface import HistoryStore
from console.ui.broadcast.state import Context, check_failure_field, pending_words
from console.ui.broadcast.steps import Steps
from console.ui.broadcast_check import PreflightRunner

__all__ = ["Checking", "RECHECK_MS"]

RECHECK_MS = 150  # after a change, the check waits this long for the next one


class Checking(QObject):
    checked = Signal()
    settled = Signal()

    def __init__(self, *, store: BroadcastStore, history: HistoryStore | None, steps: Steps,
                 context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.recipients, self.message, self.timing = steps.recipients, steps.message, steps.timing
        self.panel = steps.sending.check_panel
        self.template_error = ""
        self.result = Preflight()
        self.runner = PreflightRunner(store=store, history=history, parent=self)
        self.runner.finished.connect(self._on_checked)
        self.runner.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECHECK_MS)
        self._timer.timeout.connect(self.recompute)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    def given(self) -> PreflightInput | None:
        """What the check needs, or None (no list, a message or column problem shown)."""
        self.template_error = ""
        message = self.message
        message.body_error.show_error(None)
        self.recipients.mapping_error.show_error(None)
        mapping = self.recipients.mapping
        table = self.recipients.table
        names = list(mapping.names) if mapping else []
        message.show_merge_fields(names)
        choice = message.choice()
        required: list[str] = []
        if choice.sms:
            try:
                required = check_template(choice.body, names)
            except TemplateError as err:
                self.template_error = str(err)
                message.body_error.show_error(str(err))
        window = self.timing.sending_hours()
        if table is None or mapping is None or self.template_error or window is None:
            return None
        if choice.sms and not choice.body.strip():
            return None
        return PreflightInput(
            table=table, mapping=mapping, sms=choice.sms,
            template=choice.body if choice.sms else choice.call_description(),
            required_fields=required, do_not_contact={}, send_times={},
            start=self.timing.start_time() or self.context.now(), mode=self.timing.quiet_mode(),
            office_zone=self.context.office_zone, rules=self.context.rules, office=OfficeRules(),
            window=Hours(window.opens, window.closes), area_codes=area_codes(),
            zones_of=zone_names_for_number, holiday=holiday_name)

    def recompute(self) -> None:
        """Check every row again with the current choices (off the UI thread for long lists)."""
        self._timer.stop()
        given = self.given()
        if given is None:
            self.result = Preflight()
            self.panel.clear(pending_words(has_list=self.recipients.table is not None,
                                           template_error=bool(self.template_error),
                                           window_bad=self.timing.window_error.isVisible()))
            self.settled.emit()
            self.checked.emit()
            return
        if len(given.table.rows) > self.runner.inline_rows:
            self.panel.show_pending(f"Checking {plural(len(given.table.rows), 'row')}…")
        self.runner.request(given)
        self.settled.emit()

    def _on_checked(self, preflight: Preflight) -> None:
        self.result = preflight
        self.panel.show_preflight(preflight, sms=self.message.choice().sms)
        self.settled.emit()
        self.checked.emit()

    def _on_failed(self, text: str) -> None:
        self.result = Preflight()
        field = check_failure_field(text)
        if field == "mapping":
            self.recipients.mapping_error.show_error(text)
        elif field == "body":
            self.message.body_error.show_error(text)
        self.panel.clear(text)
        self.settled.emit()
        self.checked.emit()
