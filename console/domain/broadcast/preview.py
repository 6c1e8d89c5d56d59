"""Each recipient's own message, what it costs, and the run's totals."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from console.domain.broadcast.recipients import Recipient, RowProblem
from console.domain.broadcast.template import render
from console.domain.sms import GSM7_BASIC, GSM7_EXTENSION, analyze_sms
from console.domain.validation import FieldError, check_sms_body

__all__ = ["PreviewRow", "Preview", "build_preview", "charset_words", "TOO_LONG", "Measure", "measure"]

TOO_LONG = "message"
_GSM = GSM7_BASIC | GSM7_EXTENSION


def charset_words(encoding: str) -> str:
    """How much one text holds, in plain words: staff do not know "GSM-7" from "UCS-2"."""
    return "160 letters per text" if encoding == "GSM-7" else "70 letters per text"


@dataclass(frozen=True, slots=True)
class Measure:
    encoding: str  # "GSM-7" or "UCS-2"
    segments: int  # how many texts it is sent as
    special: str  # the first character that makes it hold 70 per text ("" for none)


_measured: dict[str, Measure] = {}


def measure(text: str) -> Measure:
    """analyze_sms()'s encoding and segments, fast for the common cases (a list of
    100,000 rows): the character-by-character count runs only for texts with
    characters that count twice (GSM-7's extension table, emoji)."""
    found = _measured.get(text)
    if found is not None:
        return found
    if _GSM.issuperset(text):
        if GSM7_EXTENSION.isdisjoint(text):
            length = len(text)
            segments = 0 if not length else 1 if length <= 160 else -(-length // 153)
            found = Measure("GSM-7", segments, "")
    else:
        special = next(ch for ch in text if ch not in _GSM)
        if text.isascii() or max(text) <= "\uffff":
            length = len(text)
            segments = 1 if length <= 70 else -(-length // 67)
            found = Measure("UCS-2", segments, special)
    if found is None:
        analysis = analyze_sms(text)
        special = next((ch for _, ch in analysis.forcing_chars), "")
        found = Measure(analysis.encoding, analysis.segments, special)
    # Small: most lists give every row its own text; a big cache only costs a long
    # pause when it is emptied (freeing tens of thousands of strings at once).
    if len(_measured) >= 2048:
        _measured.clear()
    _measured[text] = found
    return found


@dataclass(frozen=True)
class PreviewRow:
    recipient: Recipient
    text: str
    encoding: str
    segments: int

    @property
    def charset(self) -> str:
        return charset_words(self.encoding)


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def total_segments(self) -> int:
        return sum(r.segments for r in self.rows)

    @property
    def special_rows(self) -> int:
        return sum(1 for r in self.rows if r.encoding != "GSM-7")


def build_preview(recipients: Sequence[Recipient], template: str, *, sms: bool = True) -> Preview:
    """Render `template` for every recipient. A row whose text cannot be sent becomes a problem.

    For a notification call `template` is the description of what plays, the
    same for everyone, and costs no segments.
    """
    preview = Preview()
    for recipient in recipients:
        if not sms:
            preview.rows.append(PreviewRow(recipient, template, "", 0))
            continue
        text = render(template, recipient.values)
        try:
            text = check_sms_body(text)
        except FieldError as err:
            preview.problems.append(RowProblem(recipient.row, recipient.shown_number, TOO_LONG,
                                               str(err)))
            continue
        analysis = analyze_sms(text)
        preview.rows.append(PreviewRow(recipient, text, analysis.encoding, analysis.segments))
    return preview
