"""The office's own calling rules: stricter than the law, never looser.

An office may open later, close earlier, block more days (Saturdays, public
holidays) or send fewer messages to one person than a law's entry allows, for
every customer ("ALL") or for the customers of one state. A setting that would
be looser than the law's entry is refused with a sentence that says which
setting, what the law allows and where that comes from; the law's value stays.
The settings are kept office-wide in the broadcast store and are read again for
every row a broadcast sends, so a change applies to the next row.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from typing import Any

from console.domain.calling_rules import DAY_NAMES, Cap, Hours, Rule, RuleBook, clock

__all__ = ["ALL", "OfficeSetting", "OfficeRules", "Refusal", "check_setting", "apply_setting",
           "effective_rule", "window_refusal"]

ALL = "ALL"  # the office setting for every customer, wherever they are


@dataclass(frozen=True)
class OfficeSetting:
    opens: time | None = None
    closes: time | None = None
    blocked_days: frozenset[int] = frozenset()  # 0 = Monday
    holidays_closed: bool = False
    cap: Cap | None = None

    @property
    def empty(self) -> bool:
        return self == OfficeSetting()

    def to_json(self) -> dict[str, Any]:
        return {"opens": self.opens.strftime("%H:%M") if self.opens else None,
                "closes": self.closes.strftime("%H:%M") if self.closes else None,
                "blocked_days": sorted(self.blocked_days), "holidays_closed": self.holidays_closed,
                "cap": {"messages": self.cap.messages, "hours": self.cap.hours} if self.cap else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OfficeSetting:
        def when(value: Any) -> time | None:
            return time.fromisoformat(value) if isinstance(value, str) and value else None

        cap = data.get("cap")
        return cls(opens=when(data.get("opens")), closes=when(data.get("closes")),
                   blocked_days=frozenset(int(d) for d in data.get("blocked_days") or ()
                                          if 0 <= int(d) <= 6),
                   holidays_closed=bool(data.get("holidays_closed")),
                   cap=Cap(int(cap["messages"]), int(cap["hours"])) if isinstance(cap, Mapping)
                   else None)


@dataclass(frozen=True)
class OfficeRules:
    settings: Mapping[str, OfficeSetting] = field(default_factory=dict)

    def for_key(self, key: str) -> OfficeSetting:
        return self.settings.get(key, OfficeSetting())

    def to_json(self) -> dict[str, Any]:
        return {key: s.to_json() for key, s in sorted(self.settings.items()) if not s.empty}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> OfficeRules:
        settings = {}
        for key, value in (data or {}).items():
            if isinstance(value, Mapping):
                try:
                    setting = OfficeSetting.from_json(value)
                except (KeyError, TypeError, ValueError):
                    continue  # a damaged setting is dropped; the law still applies
                if not setting.empty:
                    settings[str(key)] = setting
        return cls(settings)

    def with_setting(self, key: str, setting: OfficeSetting) -> OfficeRules:
        settings = dict(self.settings)
        settings[key] = setting
        return OfficeRules({k: v for k, v in settings.items() if not v.empty})


@dataclass(frozen=True)
class Refusal:
    field: str  # "Opens", "Closes", "Messages per person"
    text: str


def _short(source: str) -> str:
    return source.split(" (")[0].split(";")[0].strip()


def check_setting(law: Rule, setting: OfficeSetting) -> tuple[OfficeSetting, list[Refusal]]:
    """`setting` with every part looser than `law` put back to the law, and why."""
    refusals: list[Refusal] = []
    open_days = [h for h in law.days if h is not None]
    earliest = min((h.opens for h in open_days), default=None)
    latest = max((h.closes for h in open_days), default=None)
    where = f"{law.name}: " if law.state else ""
    cite = _short(law.source)
    opens, closes, cap = setting.opens, setting.closes, setting.cap
    if opens is not None and earliest is not None and opens < earliest:
        refusals.append(Refusal("Opens", (
            f"{where}opening at {clock(opens)} is earlier than the law allows ({clock(earliest)}, "
            f"{cite}). The opening stays {clock(earliest)}.")))
        opens = None
    if closes is not None and latest is not None and closes > latest:
        refusals.append(Refusal("Closes", (
            f"{where}closing at {clock(closes)} is later than the law allows ({clock(latest)}, "
            f"{cite}). The closing stays {clock(latest)}.")))
        closes = None
    if opens is not None and closes is not None and opens >= closes:
        refusals.append(Refusal("Closes", (
            f"{where}the office's hours must open before they close ({clock(opens)} to "
            f"{clock(closes)}). Nothing was changed.")))
        opens = closes = None
    if cap is not None:
        if cap.messages < 1 or cap.hours < 1:
            refusals.append(Refusal("Messages per person", (
                f"{where}a limit must allow at least 1 message in at least 1 hour.")))
            cap = None
        else:
            looser = [c for c in law.caps if not cap.at_least_as_strict_as(c)]
            if looser:
                refusals.append(Refusal("Messages per person", (
                    f"{where}{cap.describe()} is more than the law allows (at most "
                    f"{looser[0].describe()}, {cite}). The law's limit stays.")))
                cap = None
    return replace(setting, opens=opens, closes=closes, cap=cap), refusals


def apply_setting(rule: Rule, setting: OfficeSetting) -> Rule:
    """`rule` made stricter by `setting` (assumed checked)."""
    if setting.empty:
        return rule
    days: list[Hours | None] = []
    for day, hours in enumerate(rule.days):
        if hours is None or day in setting.blocked_days:
            days.append(None)
            continue
        opens = max(hours.opens, setting.opens or hours.opens)
        closes = min(hours.closes, setting.closes or hours.closes)
        days.append(Hours(opens, closes) if opens < closes else None)
    notes = list(rule.notes)
    if setting.opens or setting.closes:
        notes.append("office hours")
    if setting.blocked_days:
        notes.append("office: no messages on " + ", ".join(DAY_NAMES[d] + "s"
                                                           for d in sorted(setting.blocked_days)))
    if setting.holidays_closed and not rule.holidays_closed:
        notes.append("office: none on public holidays")
    caps = rule.caps + ((setting.cap,) if setting.cap and setting.cap not in rule.caps else ())
    return replace(rule, days=tuple(days), holidays_closed=rule.holidays_closed or setting.holidays_closed,
                   caps=caps, notes=tuple(notes))


def effective_rule(book: RuleBook, office: OfficeRules, state: str | None, place: str | None = None,
                   *, window: Hours | None = None) -> Rule:
    """The law for `state`, then the office's setting for every customer and for that state,
    then this broadcast's own sending hours (`window`)."""
    rule = book.law_for(state, place)
    for key in ("ALL", state):
        if key:
            setting, _refused = check_setting(rule, office.for_key(key))
            rule = apply_setting(rule, setting)
    if window is not None:
        rule = apply_setting(rule, OfficeSetting(opens=window.opens, closes=window.closes))
    return rule


def window_refusal(book: RuleBook, opens: time, closes: time) -> str | None:
    """Why a broadcast's sending hours cannot be used (looser than the federal floor), or None."""
    _setting, refusals = check_setting(book.federal, OfficeSetting(opens=opens, closes=closes))
    if not refusals:
        return None
    return "Sending hours: " + " ".join(r.text for r in refusals)
