"""A run's report and the pre-flight as CSV: one line per row of the list file.

The report is the whole list, in the file's order: every row sent, waiting,
skipped or cancelled, and every row left out (not a number, a duplicate, on
the do-not-contact list, a merge field empty), each with the customer's name,
state and time zone, the pre-flight's decision and what happened. Both files
are written by the one formula-safe writer (console/domain/csv_safe.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from console.domain.csv_safe import csv_bytes
from console.domain.phone import format_phone
from console.domain.vocabulary import RowState

__all__ = ["STATE_WORDS", "LEFT_OUT_WORDS", "REPORT_HEADER", "PREFLIGHT_HEADER", "report_csv",
           "report_lines", "preflight_csv", "zone_words", "LeftOutRow"]

STATE_WORDS: dict[str, str] = {
    RowState.QUEUED: "Waiting its turn",
    RowState.WAITING: "Waiting for its time",
    RowState.SENDING: "Sending…",
    RowState.SENT: "Sent",
    RowState.FAILED: "Failed",
    RowState.UNKNOWN: "Unknown: check before sending again",
    RowState.SKIPPED: "Skipped",
    RowState.CANCELLED: "Cancelled",
}
LEFT_OUT_WORDS = "Not sent: left out"
REPORT_HEADER = ["row", "name", "number", "state", "time zone", "pre-flight", "outcome", "details",
                 "reference_id", "message"]
PREFLIGHT_HEADER = ["row", "name", "number", "state", "how the state is known", "time zone",
                    "their time at the start", "decision", "reason", "message", "texts",
                    "character that makes it 70 letters per text"]


def zone_words(zones: str) -> str:
    from console.domain.places import short_zone

    return " / ".join(short_zone(z) for z in zones.split(",") if z)


class _Row(Protocol):
    """A run's row as the report reads it (read-only: frozen rows qualify)."""

    @property
    def source_row(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def result_id(self) -> str | None: ...
    @property
    def message(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def place(self) -> str: ...
    @property
    def zones(self) -> str: ...
    @property
    def preflight(self) -> str: ...


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


def report_lines(rows: Iterable[_Row], left_out: Iterable[LeftOutRow] = ()) -> list[list[object]]:
    lines: list[tuple[int, list[object]]] = []
    for r in rows:
        lines.append((r.source_row, [
            r.source_row, r.name, format_phone(r.number), r.place.split(" (")[0], zone_words(r.zones),
            r.preflight, STATE_WORDS.get(r.state, r.state), r.message, r.result_id or "", r.text]))
    for o in left_out:
        shown = format_phone(o.number) if o.number else o.number_text
        lines.append((o.source_row, [
            o.source_row, o.name, shown, o.place.split(" (")[0], zone_words(o.zones), o.reason,
            STATE_WORDS[RowState.SKIPPED] if o.kind == "skip" else LEFT_OUT_WORDS, "", "", ""]))
    lines.sort(key=lambda line: line[0])
    return [line for _, line in lines]


def report_csv(rows: Iterable[_Row], left_out: Iterable[LeftOutRow] = ()) -> bytes:
    """UTF-8 with BOM so a spreadsheet shows accents right; formula-safe cells."""
    return csv_bytes(REPORT_HEADER, report_lines(rows, left_out))


class _Decision(Protocol):
    """A pre-flight decision as the CSV reads it (read-only: frozen decisions qualify)."""

    @property
    def row(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def number_text(self) -> str: ...
    @property
    def local_time(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def segments(self) -> int: ...
    @property
    def special(self) -> str: ...

    @property
    def shown_number(self) -> str: ...


def preflight_csv(decisions: Iterable[_Decision], kind_words: dict[str, str]) -> bytes:
    lines = []
    for d in decisions:
        place = getattr(d, "place", None)
        lines.append([d.row, d.name, d.shown_number, place.label if place else "",
                      place.source if place else "", place.zone_words if place else "",
                      d.local_time, kind_words.get(d.kind, d.kind), d.reason, d.text,
                      d.segments if d.text else "", d.special])
    return csv_bytes(PREFLIGHT_HEADER, lines)
