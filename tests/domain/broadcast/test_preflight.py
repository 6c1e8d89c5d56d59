"""The pre-flight: one decision per row of the file, with its reason in plain words."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.area_codes import area_codes
from console.domain.broadcast.preflight import (
    DO_NOT_CONTACT,
    DUPLICATE,
    INVALID,
    MISSING_FIELD,
    SEND,
    SKIP,
    TOO_LONG,
    WAIT,
    PreflightInput,
    build_preflight,
    fast_number,
)
from console.domain.broadcast.preview import measure
from console.domain.broadcast.quiet_hours import zone_names_for_number
from console.domain.broadcast.recipients import guess_mapping
from console.domain.broadcast.table import read_csv
from console.domain.broadcast.template import fields_in
from console.domain.calling_rules import rule_book
from console.domain.office_rules import OfficeRules
from console.domain.phone import InvalidPhoneError, normalize_phone
from console.domain.public_holidays import holiday_name
from console.domain.sms import analyze_sms

FRIDAY_EVENING = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)  # Fri 20:30 in New York


def preflight(csv: bytes, template: str = "Hi {name}", *, start=FRIDAY_EVENING, mode="wait",
              dnc=None, times=None, sms=True):
    table = read_csv(csv)
    return build_preflight(PreflightInput(
        table=table, mapping=guess_mapping(table), sms=sms, template=template,
        required_fields=fields_in(template) if sms else (), do_not_contact=dnc or {},
        send_times=times or {}, start=start, mode=mode, office_zone="America/New_York",
        rules=rule_book(), office=OfficeRules(), window=None, area_codes=area_codes(),
        zones_of=zone_names_for_number, holiday=holiday_name))


def test_every_row_of_the_file_has_its_decision():
    result = preflight(
        b"Name,Phone,State\nAnn,(212) 555-0001,NY\nBob,(305) 555-0002,FL\nCy,nope,TX\n"
        b"Di,212-555-0001,NY\n,(713) 555-0004,TX\nEd,(713) 555-0005,TX\nFay,(504) 555-0006,LA\n",
        dnc={"7135550005": ("reply STOP", "2026-12-03T14:02:00+00:00")})
    assert [(r.row, r.kind) for r in result.rows] == [
        (2, SEND), (3, WAIT), (4, INVALID), (5, DUPLICATE), (6, MISSING_FIELD),
        (7, DO_NOT_CONTACT), (8, SEND)]
    reasons = {r.row: r.reason for r in result.rows}
    assert reasons[2] == "sends now"
    assert reasons[3] == "waits until Sat 08:00 (Florida, 8:00–20:00)"
    assert reasons[5] == "Duplicate of row 2: left out, so the customer gets one message."
    assert reasons[6].startswith("left out: the merge field {name} is empty in this row")
    assert reasons[7] == "left out: opted out on 3 Dec 2026 by reply STOP"
    bob = result.rows[1]
    assert (bob.name, bob.shown_number, bob.local_time) == ("Bob", "(305) 555-0002", "Fri 20:30 Eastern")
    assert bob.place.source == "state column 'state'"
    assert bob.text == "Hi Bob"
    assert result.counts[SEND] == 2 and result.counts[WAIT] == 1
    assert result.segments == 3


def test_a_holiday_in_skip_mode():
    thanksgiving = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    result = preflight(b"Name,Phone,State\nAnn,2055550001,AL\nBob,2125550002,NY\n",
                       start=thanksgiving, mode="skip")
    assert [(r.kind, r.reason) for r in result.rows] == [
        (SKIP, "skipped: holiday (Thanksgiving Day), Alabama"), (SEND, "sends now")]


def test_a_cap_from_earlier_sends():
    sent = [datetime(2026, 12, 4, 14, tzinfo=UTC), datetime(2026, 12, 4, 15, tzinfo=UTC),
            datetime(2026, 12, 4, 16, tzinfo=UTC)]
    result = preflight(b"Name,Phone,State\nAnn,3055550001,FL\nBob,2125550002,NY\n",
                       start=datetime(2026, 12, 4, 18, tzinfo=UTC), times={"3055550001": sent,
                                                                         "2125550002": sent})
    assert result.rows[0].kind == SKIP
    assert result.rows[0].reason == "skipped: 3 messages in 24 h (Florida allows 3 messages in 24 h)"
    assert result.rows[1].kind == SEND  # New York has no cap


def test_the_character_that_makes_a_text_hold_70_letters():
    result = preflight("Name,Phone\nZoë,2125550001\nAnn,2125550002\n".encode(), "Hi {name} – see you")
    assert [(r.segments, r.special) for r in result.rows] == [(1, "ë"), (1, "–")]
    long = preflight(b"Name,Phone\nAnn,2125550001\n", "x" * 1601)
    assert long.rows[0].kind == TOO_LONG


def test_a_call_broadcast_costs_no_texts():
    result = preflight(b"2125550001\n2125550002\n", "Plays library file 918357", sms=False)
    assert [(r.kind, r.text, r.segments) for r in result.rows] == [
        (SEND, "Plays library file 918357", 0)] * 2


@given(st.text(alphabet="0123456789 ().-+1x", max_size=16))
def test_fast_number_agrees_with_normalize_phone(text):
    fast = fast_number(text)
    if fast is None:
        return
    assert fast == normalize_phone(text)


@pytest.mark.parametrize("text", ["(212) 555-0001", "212.555.0001", "1 212 555 0001", "2125550001"])
def test_fast_number_takes_the_usual_shapes(text):
    assert fast_number(text) == "2125550001"


def test_fast_number_leaves_the_rest_to_normalize_phone():
    for text in ("+1 212 555 0001", "1-800-FLOWERS", "0125550001", "", "２１２５５５０００１"):
        assert fast_number(text) is None
    with pytest.raises(InvalidPhoneError):
        normalize_phone("0125550001")


@given(st.text(max_size=400))
def test_measure_agrees_with_analyze_sms(text):
    analysis = analyze_sms(text)
    found = measure(text)
    assert (found.encoding, found.segments) == (analysis.encoding, analysis.segments)
    assert found.special == next((ch for _, ch in analysis.forcing_chars), "")
