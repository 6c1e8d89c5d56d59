"""The Broadcast tab's rules and words, with no Qt: the widgets read their fields into
these values, and show what comes back.

- `MessageChoice`: what is sent (an SMS and its text, or a call and what it does).
- `run_settings`: a run's settings from the fields, or the problems, by field.
- `sending_window`, `pending_words`, `check_failure_field`, `left_out_counts`: the check.
- `confirmation_text`, `confirmation_lines`, `started_words`: Start's words.
- `draft_of`, `read_draft`: what the tab keeps between sessions.
- `Context`: what every part reads when it needs it (the office's zone, the calling
  rules, the clock): one object, so a change is seen by all of them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from console.domain import validation
from console.domain.broadcast.preflight import KIND_WORDS, LEFT_OUT, SKIP, WAIT, Preflight, RowDecision
from console.domain.broadcast.quiet_hours import Window
from console.domain.broadcast.rate import RateError, check_rates
from console.domain.calling_rules import RuleBook
from console.domain.office_rules import window_refusal
from console.domain.phone import InvalidPhoneError, normalize_phone
from console.domain.wording import plural, shorten_at_word
from console.store.broadcasts import RunSettings

__all__ = ["Context", "SMS", "CALL", "STREAM", "GOTO", "MessageChoice", "Problem", "run_settings",
           "sending_window", "pending_words", "check_failure_field", "left_out_counts",
           "confirmation_text", "confirmation_lines", "started_words", "draft_of", "read_draft",
           "NO_NUMBER"]

SMS, CALL = "sms", "call"
STREAM, GOTO = "stream", "goto"
NO_NUMBER = "this profile has no numbers of its own yet. Add one in Profile ▸ Manage profiles."

# (field, what to tell the user): the field is one of "from", "cid", "sfile", "route",
# "branch", "window", "rate", "start"; "" for the window, whose own check said it already.
Problem = tuple[str, str]


@dataclass
class Context:
    office_zone: str  # IANA name: the zone of a number with no place of its own
    rules: RuleBook
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()


@dataclass(frozen=True)
class MessageChoice:
    """What goes to each row: `body` for an SMS; for a call its type and what it plays
    (`sfile_shown` as the field shows it, `sfile_id` the id in it) or where it routes."""

    kind: str = SMS
    body: str = ""
    call_type: str = STREAM
    sfile_shown: str = ""
    sfile_id: str = ""
    route: str = ""
    branch: str = ""

    @property
    def sms(self) -> bool:
        return self.kind == SMS

    def call_description(self) -> str:
        if self.call_type == STREAM:
            return f"Plays library file {self.sfile_shown.strip() or '(not chosen yet)'}"
        return (f"Routes into branch {self.branch.strip() or '?'} of "
                f"{self.route.strip() or '?'}")

    def key(self) -> str:
        """What a test send went out with: the text of an SMS, the description of a call."""
        return self.body if self.sms else self.call_description()

    def run_name(self) -> str:
        return (shorten_at_word(self.body, 60) or "Broadcast") if self.sms else self.call_description()


def sending_window(opens: time, closes: time, book: RuleBook) -> tuple[Window | None, str | None]:
    """The office's sending hours, or None with the reason they cannot be used."""
    try:
        window = Window(opens, closes)
    except ValueError as err:
        return None, str(err)
    refused = window_refusal(book, opens, closes)
    return (None if refused else window), refused


def run_settings(choice: MessageChoice, *, number: str | None, window: Window | None,
                 per_second: float, per_minute: int, quiet_mode: str, start: datetime | None,
                 now: datetime, office_zone: str) -> tuple[RunSettings, list[Problem]]:
    """A run's settings from the fields; the problems in the order of the fields on screen.
    `number` is the From number of an SMS or the caller id of a call."""
    settings: RunSettings = {}
    problems: list[Problem] = []
    if choice.sms:
        if not number:
            problems.append(("from", f"From: {NO_NUMBER}"))
        settings["from"] = number or ""
    else:
        if not number:
            problems.append(("cid", f"Caller id: {NO_NUMBER}"))
        settings["cid"] = number or ""
        settings["type"] = choice.call_type
        if choice.call_type == STREAM:
            try:
                settings["sfile_id"] = validation.parse_library_file_id(choice.sfile_id)
            except validation.FieldError as err:
                problems.append(("sfile", str(err)))
        else:
            try:
                settings["route_number"] = normalize_phone(choice.route, field="Route number")
            except InvalidPhoneError as err:
                problems.append(("route", str(err)))
            try:
                settings["branch_number"] = validation.parse_branch(choice.branch)
            except validation.FieldError as err:
                problems.append(("branch", str(err)))
    if window is None:
        problems.append(("window", ""))
    else:
        settings["window_opens"] = f"{window.opens:%H:%M}"
        settings["window_closes"] = f"{window.closes:%H:%M}"
    try:
        check_rates(per_second, per_minute)
    except RateError as err:
        problems.append(("rate", str(err)))
    settings["per_second"] = per_second
    settings["per_minute"] = per_minute
    settings["quiet_mode"] = quiet_mode
    if start is not None and start <= now:
        problems.append(("start", "Start: that time has passed. Choose a later time, or Now."))
    settings["office_zone"] = office_zone
    return settings, problems


def pending_words(*, has_list: bool, template_error: bool, window_bad: bool) -> str:
    """What the check says while it cannot run."""
    if not has_list:
        return "No recipients yet: open a file or paste cells under 1. Recipients."
    if template_error:
        return "Correct the message to see what happens to each row."
    if window_bad:
        return "Correct the sending hours to see what happens to each row."
    return "Write the message to see what happens to each row."


def check_failure_field(text: str) -> str | None:
    """Which field a failed check's words are about: "mapping", "body" or None."""
    if text.startswith("Column") or text.startswith("Choose the column"):
        return "mapping"
    if text.startswith("Message"):
        return "body"
    return None


def left_out_counts(preflight: Preflight) -> dict[str, int]:
    """Rows not sent, by reason, in plain words."""
    counts = preflight.counts
    return {KIND_WORDS[k].lower(): counts[k] for k in (SKIP, *LEFT_OUT) if counts[k]}


def confirmation_text(choice: MessageChoice, count: int, profile_name: str) -> str:
    what = "SMS" if choice.sms else "notification call"
    return (f"Send this {what} to {plural(count, 'recipient')} on the live account "
            f"'{profile_name}'?")


def confirmation_lines(choice: MessageChoice, rows: Sequence[RowDecision], *,
                       left_out: Mapping[str, int], tested: bool) -> list[str]:
    """The details of the live confirmation: the cost, the first messages, who waits, who
    is left out, whether a test went out."""
    lines = []
    if choice.sms:
        lines.append(f"Total: {plural(sum(r.segments for r in rows), 'text')} (a long message "
                     "is sent as several texts, each one paid for).")
        lines.append("The first messages:")
        lines += [f"{i}. To {r.shown_number}: {r.text}" for i, r in enumerate(rows[:3], start=1)]
    else:
        lines.append(f"Each call: {choice.call_description()}.")
    waits = sum(1 for r in rows if r.kind == WAIT)
    if waits:
        lines.append(f"{plural(waits, 'recipient waits', 'recipients wait')} for their hours "
                     "and will get it when the rules allow.")
    if left_out:
        lines.append("Not sent: " + ", ".join(f"{n:,} {w}" for w, n in left_out.items()) + ".")
    lines.append("A test went out with this message." if tested
                 else "No test was sent with this message: consider sending one first.")
    lines.append("This cannot be undone.")
    return lines


def started_words(run_id: int, count: int, *, left_out_twice: int, starts_at: str | None) -> str:
    """`starts_at`: the start time as shown, for a run that starts later."""
    when = (f"It starts at {starts_at}." if starts_at
            else "It is running; follow each row under 5. Runs.")
    text = f"Broadcast #{run_id} started to {plural(count, 'recipient')}."
    if left_out_twice:
        text += f" {plural(left_out_twice, 'recipient')} left out who would have got it twice."
    return f"{text} {when}"


def draft_of(choice: MessageChoice) -> dict[str, str]:
    return {"kind": choice.kind, "body": choice.body, "sfile_id": choice.sfile_shown}


def read_draft(draft: object) -> tuple[str, str | None, str | None] | None:
    """(kind, body, library file id) of a kept draft (None for a part it lacks), or None
    when it is not a draft at all."""
    if not isinstance(draft, dict):
        return None
    body, sfile = draft.get("body"), draft.get("sfile_id")
    return (CALL if draft.get("kind") == CALL else SMS, body if isinstance(body, str) else None,
            sfile if isinstance(sfile, str) else None)
