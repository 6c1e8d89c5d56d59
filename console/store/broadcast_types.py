"""The broadcast store's contract: its types and the Protocol a backend implements.

`console.store.broadcasts.SqliteBroadcastStore` is the SQLite backend; every
name here is also importable from `console.store.broadcasts`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypedDict

from console.domain.vocabulary import RowState, RunState
from console.store.broadcast_dnc import DncRecord

__all__ = ["BroadcastStore", "BroadcastStoreError", "RunSpec", "NewRow", "RunInfo", "RowInfo",
           "LeftOutRow", "RunSettings", "ROW_STATES", "RUN_STATES", "OPEN_ROW_STATES",
           "CRASH_MESSAGE", "DncRecord"]

# The states are explained in console/domain/vocabulary.py.
ROW_STATES = tuple(RowState)
OPEN_ROW_STATES = tuple(s for s in RowState if s.is_open)
RUN_STATES = tuple(RunState)

CRASH_MESSAGE = ("The console closed before the reply arrived, so it is not known whether "
                 "this went out. Check with the customer, then send again or mark as sent.")

class BroadcastStoreError(Exception):
    """The broadcast tables cannot be used; the message says what to do."""


@dataclass(frozen=True)
class RunSpec:
    profile_id: str
    profile_name: str
    kind: str  # "sms" or "call"
    name: str
    settings: Mapping[str, Any]
    start_at: datetime | None = None


@dataclass(frozen=True)
class NewRow:
    source_row: int
    number: str
    text: str
    segments: int = 0
    name: str = ""
    us_state: str = ""  # USPS code of the state whose rules apply, "" for none known
    place: str = ""  # "Florida (state column 'State')": where, and how it is known
    zones: str = ""  # IANA zones, comma-separated; "" for the area code's
    preflight: str = ""  # the pre-flight's decision in words


@dataclass(frozen=True)
class LeftOutRow:
    """A row of the list that is not sent, and why (for the report)."""

    source_row: int
    number_text: str
    number: str
    name: str
    place: str
    zones: str
    kind: str  # console.domain.broadcast.preflight: invalid, duplicate, do_not_contact, ...
    reason: str


# A run's settings as the Broadcast tab makes them and the broadcasts table
# keeps them (JSON). Every key is optional: a run made by an earlier version
# may lack the newer ones, and readers fall back to defaults.
RunSettings = TypedDict("RunSettings", {
    "from": str,  # SMS: the sending number
    "cid": str,  # call: the number it comes from
    "type": str,  # call: "stream" or "goto"
    "sfile_id": str,
    "route_number": str,
    "branch_number": str,
    "window_opens": str,  # "HH:MM", office time
    "window_closes": str,
    "quiet_mode": str,  # console.domain.broadcast.quiet_hours.WAIT or SKIP
    "per_second": float,
    "per_minute": int,
    "office_zone": str,  # an IANA zone name, or "" for the machine's
}, total=False)


@dataclass(frozen=True)
class RunInfo:
    id: int
    created_at: str
    profile_id: str
    profile_name: str
    kind: str
    name: str
    settings: RunSettings
    state: str
    start_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def to_send(self) -> int:
        return sum(self.counts.get(s, 0) for s in OPEN_ROW_STATES)

    @property
    def unknown(self) -> int:
        return self.counts.get(RowState.UNKNOWN, 0)


@dataclass(frozen=True)
class RowInfo:
    run_id: int
    position: int
    source_row: int
    number: str
    text: str
    segments: int
    state: str
    not_before: datetime | None
    result_id: str | None
    message: str
    name: str = ""
    us_state: str = ""
    place: str = ""
    zones: str = ""
    preflight: str = ""


class BroadcastStore(Protocol):
    """What the runner and the tab need; SQLite today, room for a shared database later."""

    def create_run(self, spec: RunSpec, rows: Sequence[NewRow],
                   left_out: Sequence[LeftOutRow] = ()) -> int: ...
    def left_out(self, run_id: int) -> list[LeftOutRow]: ...
    def run(self, run_id: int) -> RunInfo: ...
    def runs(self, *, profile_id: str | None = None, limit: int = 50) -> list[RunInfo]: ...
    def resumable_runs(self) -> list[RunInfo]: ...
    def numbers_in_open_runs(self, profile_id: str) -> dict[str, int]: ...
    def set_run_state(self, run_id: int, state: RunState) -> None: ...
    def rows(self, run_id: int) -> list[RowInfo]: ...
    def mark_sending(self, run_id: int, position: int) -> None: ...
    def finish_row(self, run_id: int, position: int, *, state: RowState,
                   result_id: str | None = None, message: str = "") -> None: ...
    def set_rows_state(self, run_id: int, positions: Iterable[int], *, state: RowState,
                       message: str = "", not_before: datetime | None = None) -> None: ...
    def recover(self) -> tuple[int, int]: ...
    def lists_version(self) -> int: ...
    def do_not_contact(self) -> list[DncRecord]: ...
    def do_not_contact_map(self) -> dict[str, DncRecord]: ...
    def do_not_contact_entry(self, number: str) -> DncRecord | None: ...
    def add_do_not_contact(self, records: Iterable[DncRecord]) -> int: ...
    def remove_do_not_contact(self, numbers: Iterable[str]) -> None: ...
    def office_rules(self) -> dict[str, Any]: ...
    def save_office_rules(self, rules: dict[str, Any]) -> None: ...
    def templates(self) -> dict[str, str]: ...
    def save_template(self, name: str, body: str) -> None: ...
    def delete_template(self, name: str) -> None: ...
    def close(self) -> None: ...
