"""Opt-outs from customers' replies: imported as a CSV or pasted (number, text, time).

Voitex's API gives no replies, so the office copies them from wherever they
arrive. A reply whose whole text, or first word, is one of the usual keywords
opts out at once, as carriers do (case and punctuation do not matter: "Stop.",
"stop please"). A revocation "by any reasonable means" counts too, so a reply
in plain words that reads like one ("please stop texting me", "take me off
your list") is flagged for a person to confirm; anything else is left alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from console.domain.broadcast.recipients import guess_number_column, looks_like_header
from console.domain.broadcast.table import Table, TableError, field_key
from console.domain.phone import InvalidPhoneError, normalize_phone

__all__ = ["KEYWORDS", "OPT_OUT", "TO_CONFIRM", "IGNORED", "Reply", "ReplyImport", "classify_reply",
           "read_replies"]

KEYWORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT")
OPT_OUT = "opt_out"  # a keyword: on the list at once
TO_CONFIRM = "to_confirm"  # plain words that may be a revocation: a person decides
IGNORED = "ignored"

_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")
_PLAIN = re.compile(
    r"\b(?:"
    r"stop\s+(?:texting|messaging|calling|contacting|sending|txting|these|the\s+(?:texts|messages|calls))"
    r"|(?:don'?t|do\s+not|never)\s+(?:text|call|contact|message|send)"
    r"|no\s+more\s+(?:texts|messages|calls|txts)"
    r"|(?:remove|delete|take)\s+(?:me|my\s+number)"
    r"|unsubscribe|opt\s*-?\s*out|leave\s+me\s+alone|wrong\s+number|not\s+interested"
    r"|(?:quit|stop)\s+(?:it|please)"
    r")\b", re.IGNORECASE)
_NUMBER_TITLES = {"number", "phone", "from", "sender", "mobile", "phone_number", "from_number"}
_TEXT_TITLES = {"text", "message", "body", "reply", "content", "sms"}
_TIME_TITLES = {"time", "date", "received", "received_at", "when", "timestamp", "sent", "date_time"}


@dataclass(frozen=True)
class Reply:
    row: int
    number: str  # 10 digits
    text: str
    received: datetime  # UTC
    verdict: str  # OPT_OUT, TO_CONFIRM or IGNORED
    keyword: str  # the keyword found, for OPT_OUT ("STOP")


@dataclass
class ReplyImport:
    replies: list[Reply]
    problems: list[str]

    def of(self, verdict: str) -> list[Reply]:
        return [r for r in self.replies if r.verdict == verdict]


def classify_reply(text: str) -> tuple[str, str]:
    """(verdict, keyword): whole message or first word a keyword -> OPT_OUT."""
    words = _WORD.findall(text)
    if not words:
        return IGNORED, ""
    squeezed = re.sub(r"[^A-Za-z]", "", text).upper()
    if squeezed in KEYWORDS:  # "Opt-out", "STOP!!", "s t o p"
        return OPT_OUT, squeezed
    first = words[0].replace("-", "").upper()
    if first in KEYWORDS:
        return OPT_OUT, first
    if len(words) >= 2 and (words[0] + words[1]).upper() == "OPTOUT":
        return OPT_OUT, "OPTOUT"
    if _PLAIN.search(text):
        return TO_CONFIRM, ""
    return IGNORED, ""


# US spreadsheet and phone exports; ISO 8601 is tried first.
_PATTERNS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %I:%M %p", "%m/%d/%Y %H:%M",
             "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%m/%d/%y %H:%M",
             "%m/%d/%y %I:%M %p", "%m/%d/%y")


def _when(text: str, zone: tzinfo, default: datetime) -> datetime | None:
    text = text.strip()
    if not text:
        return default
    for candidate in (text, text.replace("/", "-")):
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
    for pattern in _PATTERNS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    return None


def read_replies(table: Table, *, zone: tzinfo, now: datetime) -> ReplyImport:
    """Replies from a table of (number, text, time) in any order; titles optional.

    A time without a zone is the office's (`zone`); a reply without a time is
    taken as received `now`.
    """
    header = looks_like_header(table)
    titles = [field_key(c) for c in table.rows[0]] if header else []
    rows = table.rows[1:] if header else table.rows
    if not rows:
        raise TableError("There are no replies in it: paste or open lines of number, text and time.")

    def titled(names: set[str]) -> int | None:
        return next((i for i, t in enumerate(titles) if t in names), None)

    number_col = titled(_NUMBER_TITLES)
    if number_col is None:
        number_col = guess_number_column(rows)
    text_col = titled(_TEXT_TITLES)
    time_col = titled(_TIME_TITLES)
    width = table.width
    if text_col is None:
        text_col = next((i for i in range(width) if i not in (number_col, time_col)), None)
    if time_col is None and not header:
        time_col = next((i for i in range(width) if i not in (number_col, text_col)), None)
    result = ReplyImport(replies=[], problems=[])
    for offset, cells in enumerate(rows, start=2 if header else 1):
        def cell(column: int | None, cells: list[str] = cells) -> str:
            return cells[column] if column is not None and column < len(cells) else ""

        try:
            number = normalize_phone(cell(number_col), field=f"Line {offset}")
        except InvalidPhoneError as err:
            result.problems.append(str(err))
            continue
        received = _when(cell(time_col), zone, now)
        if received is None:
            result.problems.append(f"Line {offset}: '{cell(time_col)}' is not a date and time; "
                                   "write it as 2026-12-03 14:02 or 12/03/2026 2:02 PM.")
            continue
        text = cell(text_col)
        verdict, keyword = classify_reply(text)
        result.replies.append(Reply(offset, number, text, received, verdict, keyword))
    return result
