"""The window's copies of the office's broadcasts (`BroadcastCache`'s), and how a
change the window makes shows in them before the database has taken it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from console.domain.vocabulary import RowState, RunState
from console.store.broadcast_dnc import DncRecord
from console.store.broadcast_types import OPEN_ROW_STATES, Participant, RowInfo, RunInfo
from console.store.write_queue import Change


@dataclass
class BroadcastCopies:
    """What was read (and changed since); the cache guards it with its lock."""

    dnc: dict[str, DncRecord] | None = None  # None: not read yet
    rules: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    runs: dict[str | None, list[RunInfo]] = field(default_factory=dict)  # by profile id
    resumable: list[RunInfo] = field(default_factory=list)
    rows: dict[int, dict[int, RowInfo]] = field(default_factory=dict)  # watched runs'
    marks: dict[int, int] = field(default_factory=dict)  # each watched run's change mark
    people: dict[int, list[Participant]] = field(default_factory=dict)
    version: int = 0  # grows with every change of the lists

    def counted(self, run: RunInfo) -> RunInfo:
        rows = self.rows.get(run.id)
        if not rows:
            return run
        counts: dict[str, int] = {}
        for row in rows.values():
            counts[row.state] = counts.get(row.state, 0) + 1
        return replace(run, counts=counts)

    def apply(self, change: Change) -> Any:
        """The change's effect on the copies; the result the store would give."""
        args, kwargs = change.args, change.kwargs
        if change.method == "add_do_not_contact":
            listed = self.dnc if self.dnc is not None else {}
            new = 0
            for record in args[0]:
                if record.number not in listed:
                    listed[record.number] = record
                    new += 1
            self.dnc = listed
            self.version += 1
            return new
        if change.method == "remove_do_not_contact":
            for number in args[0]:
                (self.dnc or {}).pop(number, None)
            self.version += 1
        elif change.method == "save_office_rules":
            self.rules = dict(args[0])
            self.version += 1
        elif change.method == "save_template":
            self.templates[str(args[0]).strip()] = str(args[1])
        elif change.method == "delete_template":
            self.templates.pop(str(args[0]), None)
        elif change.method in ("set_run_state", "cancel_run"):
            state = args[1] if change.method == "set_run_state" else RunState.CANCELLED
            for key, runs in self.runs.items():
                self.runs[key] = [replace(r, state=state) if r.id == args[0] else r for r in runs]
            if change.method == "cancel_run":
                self.rows_to(int(args[0]), None, RowState.CANCELLED, "Cancelled before it was sent.",
                              only_open=True)
        elif change.method in ("set_rows_state", "finish_row"):
            positions = list(args[1]) if change.method == "set_rows_state" else [int(args[1])]
            self.rows_to(int(args[0]), positions, kwargs["state"], kwargs.get("message", ""),
                          result_id=kwargs.get("result_id"), not_before=kwargs.get("not_before"))
        return None

    def rows_to(self, run_id: int, positions: Iterable[int] | None, state: str, message: str, *,
                 only_open: bool = False, result_id: str | None = None,
                 not_before: datetime | None = None) -> None:
        known = self.rows.get(run_id)
        if not known:
            return
        chosen = set(positions) if positions is not None else set(known)
        for p in chosen:
            row = known.get(p)
            if row is not None and (not only_open or row.state in OPEN_ROW_STATES):
                known[p] = replace(row, state=state, message=message, not_before=not_before,
                                   result_id=result_id if result_id is not None else row.result_id)
