"""The broadcast store's contract: its types and the Protocol a backend implements.

`console.store.broadcasts.SqliteBroadcastStore` is the SQLite backend; every
name here is also importable from `console.store.broadcasts`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypedDict

from console.domain.broadcast.report import LeftOutRow
from console.domain.vocabulary import RowState, RunState
from console.store.broadcast_dnc import DncRecord

__all__ = ["BroadcastStore", "BroadcastStoreError", "RunSpec", "NewRow", "RunInfo", "RowInfo",
           "LeftOutRow", "RunSettings", "ROW_STATES", "RUN_STATES", "OPEN_ROW_STATES",
           "CRASH_MESSAGE", "LOST_MESSAGE", "DncRecord", "Participant", "Heartbeat", "Claim",
           "SendingMark", "SharedBroadcastStore", "OFFICE_RUN_STATES"]

# The states are explained in console/domain/vocabulary.py.
ROW_STATES = tuple(RowState)
OPEN_ROW_STATES = tuple(s for s in RowState if s.is_open)
RUN_STATES = tuple(RunState)

CRASH_MESSAGE = ("The console closed before the reply arrived, so it is not known whether "
                 "this went out. Check with the customer, then send again or mark as sent.")

# A row another desk or runner marked "sending", whose lease ran out before its outcome came.
LOST_MESSAGE = ("The desk or runner sending this stopped answering before the reply arrived, so "
                "it is not known whether this went out. Check with the customer, then send again "
                "or mark as sent.")
# Runs that still go on (some participant may send their rows).
OFFICE_RUN_STATES = ("scheduled", "running", "paused", "interrupted")


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


@dataclass(frozen=True)
class Participant:
    """A desk or a desk-less runner taking part in an office broadcast."""

    id: str  # unique per process: "desk Front desk 4211 9f2c"
    desk: str  # the desk's name (the runner's: its host's)
    kind: str  # "desk" or "runner"


@dataclass(frozen=True)
class Heartbeat:
    run_state: str
    participants: int  # live participants, this one included
    holding: int  # rows this participant still holds (claimed or sending)


@dataclass(frozen=True)
class Claim:
    """What one claim gave: the run's state, rows to judge and send, and what is left."""

    run_state: str
    rows: list[RowInfo]
    participants: int
    open_rows: int  # rows still queued or waiting, by anyone
    sending: int  # rows in the air, by anyone
    next_not_before: datetime | None  # the earliest waiting row's time, if any


@dataclass(frozen=True)
class SendingMark:
    """The answer to "may this row go now?" at the moment it is marked "sending"."""

    ok: bool
    why: str = ""  # "paused" (the run no longer runs), "taken" (not this one's), "listed"
    listed: DncRecord | None = None


class SharedBroadcastStore(BroadcastStore, Protocol):
    """An office's broadcasts, in which several desks and runners take part at once.

    Rows are claimed a few at a time with a lease (renewed by `heartbeat`); a
    row is marked "sending" only by its holder, only while the run runs and
    only when its number is not on the do-not-contact list, all in one
    statement; a "sending" row whose lease ran out becomes "unknown", never
    queued again."""

    shared: bool

    def join(self, run_id: int, who: Participant, lease_s: float) -> RunInfo: ...
    def claim(self, run_id: int, who: Participant, *, limit: int, lease_s: float,
              now: datetime) -> Claim: ...
    def heartbeat(self, run_id: int, who: Participant, lease_s: float) -> Heartbeat: ...
    def mark_sending_claimed(self, run_id: int, position: int, who: Participant,
                             lease_s: float) -> SendingMark: ...
    def finish_claimed(self, run_id: int, position: int, who: Participant, *, state: RowState,
                       result_id: str | None = None, message: str = "",
                       not_before: datetime | None = None) -> bool: ...
    def release(self, run_id: int, who: Participant) -> int: ...
    def leave(self, run_id: int, who: Participant, *, alone: str = "interrupted") -> str: ...
    def reap(self, run_id: int | None = None) -> int: ...
    def participants(self, run_id: int) -> list[Participant]: ...
    def rows_changed_since(self, run_id: int, mark: int) -> tuple[int, list[RowInfo]]: ...
    def cancel_run(self, run_id: int) -> int: ...
    def note_remote_change(self) -> None: ...
