"""What the one-off SMS and Calls tabs check before a send, beside the broadcasts' own checks.

- The office's do-not-contact list refuses the number outright (a field error
  under To): a customer who opted out is not texted or called again.
- The per-person caps of the customer's state warn before an SMS: "(305)
  555-0100 got 3 messages in the last 24 hours; Florida allows at most 3".
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from console.domain.area_codes import area_codes
from console.domain.broadcast.quiet_hours import zone_names_for_number
from console.domain.calling_rules import rule_book
from console.domain.caps import cap_hold
from console.domain.office_rules import OfficeRules, effective_rule
from console.domain.phone import format_phone
from console.domain.places import resolve_place
from console.ui.broadcast_dnc import do_not_contact_refusal
from console.ui.send_flow import Confirmation

__all__ = ["do_not_contact_refusal", "cap_warning"]


def cap_warning(number: str, *, history: Any, store: Any, now: datetime | None = None,
                office_zone: str = "America/New_York") -> Confirmation | None:
    """A question before an SMS that would take a number past its state's cap, or None."""
    if history is None or not number:
        return None
    now = now or datetime.now(UTC)
    place = resolve_place(number, area_codes=area_codes(), zones_of=zone_names_for_number,
                          office_zone=office_zone)
    try:
        office = OfficeRules.from_json(store.office_rules()) if store is not None else OfficeRules()
    except Exception:  # the office settings cannot be read: the law's caps still count
        office = OfficeRules()
    rule = effective_rule(rule_book(), office, place.state, place.label)
    if not rule.caps:
        return None
    longest = max(c.period for c in rule.caps)
    try:
        times = sorted(datetime.fromisoformat(t) for t in
                       history.recent_sends_to(number, now - longest - timedelta(seconds=1)))
    except Exception:  # History cannot be read: the send itself is not at stake
        return None
    hold = cap_hold(times, rule.caps, now)
    if hold is None:
        return None
    when = hold.frees_at.astimezone()
    return Confirmation(
        title="This customer reached the limit",
        text=(f"{format_phone(number)} got {hold.count} messages in the last {hold.cap.hours} "
              f"hours; {rule.name} allows at most {hold.cap.describe()} "
              f"({place.source})."),
        informative=(f"The next one is allowed from {when:%a %H:%M} (your time). Send anyway? "
                     "The law counts messages on the same subject; check that this one is not."),
        action="Send anyway", declined="Not sent: the customer reached the limit of messages.")
