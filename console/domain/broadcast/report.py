"""A run's report as CSV: one line per row with its outcome."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Protocol

from console.domain.vocabulary import RowState

__all__ = ["STATE_WORDS", "report_csv"]

STATE_WORDS: dict[str, str] = {
    RowState.QUEUED: "Waiting its turn",
    RowState.WAITING: "Waits for quiet hours",
    RowState.SENDING: "Sending…",
    RowState.SENT: "Sent",
    RowState.FAILED: "Failed",
    RowState.UNKNOWN: "Unknown: check before sending again",
    RowState.SKIPPED: "Skipped (quiet hours)",
    RowState.CANCELLED: "Cancelled",
}


class _Row(Protocol):
    source_row: int
    number: str
    text: str
    state: str
    result_id: str | None
    message: str


def _cell(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(rows: Iterable[_Row]) -> bytes:
    """UTF-8 with BOM so a spreadsheet shows accents right."""
    from console.domain.phone import format_phone

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "number", "message", "outcome", "reference_id", "details"])
    for r in rows:
        writer.writerow([r.source_row, format_phone(r.number), _cell(r.text),
                         STATE_WORDS.get(r.state, r.state), r.result_id or "", _cell(r.message)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
