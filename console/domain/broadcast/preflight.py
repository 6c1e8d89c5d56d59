"""The pre-flight: every row of the list with what will happen to it and why, before Start.

One decision per row of the file, in the file's order: it sends now, waits
until when (the customer's hours, a holiday, a per-person cap), is skipped,
or is left out (not a number, a duplicate of an earlier row, on the
do-not-contact list, a merge field empty, the message too long). With it: who
(the name column), where (state and time zone, and how the console knows),
their local time at the start, the text they get, how many texts it makes
and the character that makes each text hold 70 letters instead of 160.

The same `judge` decides again for each row just before it goes, so the
report can be read against this table row by row.

Built for 100,000 rows in well under two seconds (bench/preflight.py): places,
rules and verdicts are worked out once per distinct case, not per row.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from console.domain.area_codes import AreaCodes
from console.domain.broadcast.do_not_contact import dnc_words
from console.domain.broadcast.judge import SEND, SKIP, WAIT, Verdict, judge
from console.domain.broadcast.preview import measure
from console.domain.broadcast.recipients import ColumnMapping, MappingError, check_names, duplicate_words
from console.domain.broadcast.table import Table
from console.domain.broadcast.template import TemplateError, template_parts
from console.domain.calling_rules import HolidayLookup, Hours, Rule, RuleBook
from console.domain.office_rules import OfficeRules, effective_rule
from console.domain.phone import InvalidPhoneError, normalize_phone
from console.domain.places import Place, PlaceResolver, ZonesOf
from console.domain.validation import SMS_MAX_CHARS, FieldError, check_sms_body

__all__ = ["RowDecision", "Preflight", "PreflightInput", "build_preflight", "KIND_WORDS", "GOES",
           "LEFT_OUT", "SEND", "WAIT", "SKIP", "DO_NOT_CONTACT", "INVALID", "DUPLICATE",
           "MISSING_FIELD", "TOO_LONG", "fast_number"]

DO_NOT_CONTACT = "do_not_contact"
INVALID = "invalid"
DUPLICATE = "duplicate"
MISSING_FIELD = "missing_field"
TOO_LONG = "too_long"
GOES = (SEND, WAIT)
LEFT_OUT = (DO_NOT_CONTACT, INVALID, DUPLICATE, MISSING_FIELD, TOO_LONG)
KIND_WORDS = {SEND: "Sends now", WAIT: "Waits", SKIP: "Skipped", DO_NOT_CONTACT: "Do not contact",
              INVALID: "Not a number", DUPLICATE: "Duplicate", MISSING_FIELD: "Merge field empty",
              TOO_LONG: "Message too long"}

_SEPARATORS = str.maketrans("", "", " ().-")


def fast_number(text: str) -> str | None:
    """normalize_phone() for the shapes lists hold ("(212) 555-0001", "212.555.0001",
    "12125550001"), without its exceptions; None sends the text to normalize_phone."""
    digits = text.translate(_SEPARATORS)
    if not digits.isdigit() or not digits.isascii():
        return None
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return digits


@dataclass(frozen=True, slots=True)
class RowDecision:
    row: int  # the file's row number (the titles row is 1)
    name: str
    number_text: str  # as written in the file
    number: str  # 10 digits, "" when it is not a number
    place: Place | None
    local_time: str  # "Fri 20:30 Eastern" at the start time, their time
    kind: str  # SEND, WAIT, SKIP or one of LEFT_OUT
    reason: str  # plain words
    at: datetime | None  # when it goes (sends and waits)
    text: str
    segments: int
    special: str  # the character that makes each text hold 70 letters, or ""

    @property
    def goes(self) -> bool:
        return self.kind in GOES

    @property
    def shown_number(self) -> str:
        n = self.number
        return f"({n[:3]}) {n[3:6]}-{n[6:]}" if n else self.number_text


@dataclass
class Preflight:
    rows: list[RowDecision] = field(default_factory=list)
    start: datetime | None = None

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.kind for r in self.rows)

    @property
    def going(self) -> list[RowDecision]:
        return [r for r in self.rows if r.kind in GOES]

    @property
    def segments(self) -> int:
        return sum(r.segments for r in self.rows if r.kind in GOES)

    @property
    def special_rows(self) -> int:
        return sum(1 for r in self.rows if r.kind in GOES and r.special)


@dataclass(frozen=True)
class PreflightInput:
    table: Table
    mapping: ColumnMapping
    sms: bool
    template: str  # the SMS body with merge fields, or what the call does (the same for all)
    required_fields: Sequence[str]
    do_not_contact: Mapping[str, tuple[str, str]]  # number -> (reason, added)
    send_times: Mapping[str, Sequence[datetime]]  # number -> earlier sends, oldest first
    start: datetime
    mode: str  # "wait" or "skip" for rows outside their hours
    office_zone: str
    rules: RuleBook
    office: OfficeRules
    window: Hours | None  # this broadcast's own sending hours
    area_codes: AreaCodes
    zones_of: ZonesOf
    holiday: HolidayLookup


RowRenderer = Callable[[Sequence[str], str], str]  # (cells, formatted number) -> text


def row_renderer(template: str, names: Sequence[str], number_column: int) -> RowRenderer:
    """The message of one row from its cells: merge fields by column, the number
    column shown as (212) 555-0001. TemplateError for a field that is no column."""
    columns = {name: index for index, name in enumerate(names)}
    parts: list[tuple[int, str]] = []  # (column, or -1 for literal text; the text)
    for is_field, text in template_parts(template):
        if not is_field:
            parts.append((-1, text))
        elif text not in columns:
            raise TemplateError(f"Message: the merge field {{{text}}} is not a column of the "
                                "recipients.")
        else:
            parts.append((columns[text], ""))
    if all(column < 0 for column, _ in parts):
        constant = "".join(text for _, text in parts)
        return lambda _cells, _number: constant

    def fill(cells: Sequence[str], number: str) -> str:
        return "".join([text if column < 0 else number if column == number_column else cells[column]
                        for column, text in parts])

    return fill


def _local(moment: datetime, place: Place) -> str:
    local = moment.astimezone(ZoneInfo(place.zones[0]))
    return f"{local:%a %H:%M} {place.zone_words}"


def build_preflight(given: PreflightInput, *, cancelled: Callable[[], bool] = lambda: False
                    ) -> Preflight:
    """Every row's decision. MappingError when the column choices cannot be used;
    TemplateError when the message cannot be rendered. `cancelled` is polled so a
    newer request can stop an older computation early (then the result is partial)."""
    mapping = given.mapping
    check_names(mapping.names)
    if not 0 <= mapping.number_column < len(mapping.names):
        raise MappingError("Choose the column that holds the phone numbers.")
    names = mapping.names
    number_col = mapping.number_column
    state_col, zone_col, name_col = mapping.state_column, mapping.zone_column, mapping.name_column
    resolver = PlaceResolver(
        area_codes=given.area_codes, zones_of=given.zones_of, office_zone=given.office_zone,
        state_column=names[state_col] if state_col is not None else "",
        zone_column=names[zone_col] if zone_col is not None else "")
    call_text = given.template
    render: RowRenderer = (row_renderer(given.template, names, number_col) if given.sms
                           else (lambda _cells, _number: call_text))
    columns = {n: i for i, n in enumerate(names)}
    required = [(f, columns[f]) for f in given.required_fields if f in columns]
    rules: dict[tuple[str | None, str], Rule] = {}
    verdicts: dict[tuple[str | None, str, tuple[str, ...]], Verdict] = {}
    local_times: dict[tuple[str, ...], str] = {}
    first_row_of: dict[str, int] = {}
    dnc, send_times, start = given.do_not_contact, given.send_times, given.start
    width = len(names)
    out = Preflight(start=start)
    append = out.rows.append
    start_index = 1 if mapping.has_header else 0
    rows = given.table.rows
    for index in range(start_index, len(rows)):
        if index % 4096 == 0 and cancelled():
            break
        cells = rows[index]
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        row = index + 1
        written = cells[number_col]
        name = cells[name_col] if name_col is not None else ""
        number = fast_number(written)
        if number is None:
            try:
                number = normalize_phone(written, field="Number")
            except InvalidPhoneError as err:
                append(RowDecision(row, name, written, "", None, "", INVALID, str(err), None, "", 0, ""))
                continue
        first = first_row_of.get(number)
        if first is not None:
            append(RowDecision(row, name, written, number, None, "", DUPLICATE, duplicate_words(first),
                               None, "", 0, ""))
            continue
        first_row_of[number] = row
        place = resolver(number, cells[state_col] if state_col is not None else "",
                         cells[zone_col] if zone_col is not None else "")
        local = local_times.get(place.zones)
        if local is None:
            local = local_times[place.zones] = _local(start, place)
        listed = dnc.get(number)
        if listed is not None:
            append(RowDecision(row, name, written, number, place, local, DO_NOT_CONTACT,
                               "left out: " + dnc_words(*listed), None, "", 0, ""))
            continue
        if required:
            missing = [f for f, c in required if not cells[c].strip()]
            if missing:
                which = ", ".join("{" + m + "}" for m in missing)
                append(RowDecision(row, name, written, number, place, local, MISSING_FIELD,
                                   f"left out: the merge field {which} is empty in this row. Fill it "
                                   "in the file or remove it from the message.", None, "", 0, ""))
                continue
        text = render(cells, f"({number[:3]}) {number[3:6]}-{number[6:]}")
        segments, special = 0, ""
        if given.sms:
            text = text.strip()
            if not text or len(text) > SMS_MAX_CHARS:
                try:
                    check_sms_body(text)
                except FieldError as err:
                    append(RowDecision(row, name, written, number, place, local, TOO_LONG,
                                       f"left out: {err}", None, text, 0, ""))
                    continue
            measured = measure(text)
            segments, special = measured.segments, measured.special
        rule_key = (place.state, place.label)
        rule = rules.get(rule_key)
        if rule is None:
            rule = rules[rule_key] = effective_rule(given.rules, given.office, place.state,
                                                    place.label, window=given.window)
        times = send_times.get(number)
        if times:
            verdict = judge(rule, place, start, mode=given.mode, send_times=times,
                            holiday=given.holiday)
        else:
            verdict_key = (place.state, place.label, place.zones)
            found = verdicts.get(verdict_key)
            if found is None:
                found = verdicts[verdict_key] = judge(rule, place, start, mode=given.mode,
                                                      send_times=(), holiday=given.holiday)
            verdict = found
        append(RowDecision(row, name, written, number, place, local, verdict.kind, verdict.reason,
                           verdict.at, text, segments, special))
    return out
