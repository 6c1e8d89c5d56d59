"""Each recipient's own message, what it costs, and the run's totals."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from console.domain.broadcast.recipients import Recipient, RowProblem
from console.domain.broadcast.template import render
from console.domain.sms import analyze_sms
from console.domain.validation import FieldError, check_sms_body

__all__ = ["PreviewRow", "Preview", "build_preview", "charset_words", "TOO_LONG"]

TOO_LONG = "message"


def charset_words(encoding: str) -> str:
    """The character set in plain words: staff do not know "GSM-7" from "UCS-2"."""
    return "standard characters" if encoding == "GSM-7" else "special characters"


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
