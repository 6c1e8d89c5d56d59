"""What an endpoint's reply means for a live call, in plain words.

The HTTP exchange itself happens in `console.api.branch_endpoint`; this module
only reads its result (anything with the attributes of `ReplyLike`), so it is
tested with tables and no network.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, Protocol, TypedDict

from console.branch.findings import Finding, summary_text
from console.branch.lenient import JsonObject, LenientJSONError, read_json
from console.branch.request import Step, scrub
from console.branch.schema import Design, DesignFormatError, FilePlay, parse_design
from console.branch.validation import validate
from console.domain.wording import plural

OutcomeKind = Literal["valid", "invalid", "not_json", "http_error", "no_reply"]
# A reply taking most of the budget works today and fails on a busy day.
NEAR_BUDGET = 0.8


class ReplyLike(Protocol):
    """A reply as read (`console.api.branch_endpoint.EndpointReply`, frozen: read-only here)."""

    @property
    def status_code(self) -> int | None: ...
    @property
    def elapsed_s(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True)
class ReplyOutcome:
    kind: OutcomeKind
    headline: str  # one sentence: what happened and what it means for the call
    status_text: str  # "HTTP 200 OK", "No reply"
    timing_text: str  # "0.12 s of the 3.0 s budget"
    over_budget: bool
    near_budget: bool
    reply_text: str  # the raw reply, card verification values masked
    headers: tuple[tuple[str, str], ...] = ()  # as received, values masked like the text
    design: Design | None = None  # the reply as a design, when it is one
    findings: tuple[Finding, ...] = ()  # reading notes + validation, or why it is unusable
    echoed_secret: bool = False

    @property
    def ok(self) -> bool:
        return self.kind == "valid"


def status_text(status_code: int | None) -> str:
    if status_code is None:
        return "No reply"
    try:
        phrase = HTTPStatus(status_code).phrase
    except ValueError:
        phrase = ""
    return f"HTTP {status_code} {phrase}".rstrip()


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def timing_text(elapsed_s: float, budget_s: float) -> str:
    return f"{_seconds(elapsed_s)} of the {budget_s:g} s budget"


def describe_design(design: Design) -> str:
    """What the call will do with `design`, in one sentence."""
    parts = []
    if design.play:
        files = sum(isinstance(item, FilePlay) for item in design.play)
        tts = len(design.play) - files
        what = []
        if files:
            what.append(plural(files, "recording"))
        if tts:
            what.append(plural(tts, "text-to-speech item"))
        parts.append("plays " + " and ".join(what))
    if design.inputs:
        keys = ", ".join(key for key, _ in design.inputs)
        parts.append(f"offers the key{'s' if len(design.inputs) != 1 else ''} {keys}")
    if design.goto is not None:
        parts.append(f"goes to branch {design.goto}")
    if design.variables:
        parts.append(f"sets {plural(len(design.variables), 'variable')}")
    if not parts:
        return "The reply asks for nothing."
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return "The call " + text + "."


def _looks_like_html(text: str, headers: dict[str, str]) -> bool:
    content_type = _header(headers, "content-type").lower()
    start = text.lstrip()[:15].lower()
    return "html" in content_type or start.startswith(("<!doctype", "<html", "<"))


def _header(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


class _Shared(TypedDict):
    """What every outcome of one reply carries, whatever its kind."""
    status_text: str
    timing_text: str
    over_budget: bool
    near_budget: bool
    reply_text: str
    headers: tuple[tuple[str, str], ...]
    echoed_secret: bool


def interpret_reply(reply: ReplyLike, *, budget_s: float,
                    secrets: tuple[str, ...] = ()) -> ReplyOutcome:
    """Read `reply` as Voitex would and say what happens to the call."""
    shown_text = scrub(reply.text or "", secrets)
    shown_headers = tuple((name, scrub(value, secrets)) for name, value in reply.headers.items())
    echoed = (shown_text != (reply.text or "")
              or shown_headers != tuple(reply.headers.items()))
    timed_out = getattr(reply, "error_kind", None) == "timeout"
    over = timed_out or reply.elapsed_s > budget_s
    common = _Shared(
        status_text=status_text(reply.status_code),
        timing_text=timing_text(reply.elapsed_s, budget_s),
        over_budget=over,
        near_budget=not over and reply.elapsed_s >= budget_s * NEAR_BUDGET,
        reply_text=shown_text,
        headers=shown_headers,
        echoed_secret=echoed,
    )
    extra: list[Finding] = []
    if echoed:
        extra.append(Finding((), "error", "reply.echoed_cvv",
                             "The reply repeats the card verification value (shown as ***). "
                             "An endpoint must never send card data back."))

    if reply.status_code is None:
        reason = reply.error or "The endpoint did not answer."
        return ReplyOutcome(kind="no_reply", headline=reason, findings=tuple(extra), **common)

    if not 200 <= reply.status_code < 300:
        headline = (f"The endpoint answered {status_text(reply.status_code)} instead of 200 OK. "
                    "Voitex gets no instructions from such a reply.")
        location = scrub(_header(reply.headers, "location"), secrets)
        if 300 <= reply.status_code < 400 and location:
            headline += f" It points elsewhere ({location}); enter that address instead."
        return ReplyOutcome(kind="http_error", headline=headline, findings=tuple(extra), **common)

    if not shown_text.strip():
        return ReplyOutcome(kind="not_json", findings=tuple(extra), headline=(
            "The endpoint answered 200 OK with an empty body. Voitex needs a JSON object; "
            "send {} at least, knowing the call then follows \u201cNo Route Found\u201d."),
            **common)
    try:
        parsed = parse_design(shown_text)
    except DesignFormatError as error:
        if _looks_like_html(shown_text, reply.headers):
            headline = ("The endpoint answered with a web page (HTML) instead of JSON. Voitex "
                        "cannot read it; look at the raw reply for the endpoint's error.")
            kind: OutcomeKind = "not_json"
        elif error.message.startswith("This is not valid JSON"):
            headline = f"The reply is not JSON Voitex can read. {error.message}"
            kind = "not_json"
        else:
            headline = f"The reply is JSON but not a branch response. {error.message}"
            kind = "invalid"
        finding = Finding(error.path, "error", "reply.unreadable", error.message)
        return ReplyOutcome(kind=kind, headline=headline, findings=tuple(extra) + (finding,),
                            **common)

    findings = tuple(extra) + parsed.notes + validate(parsed.design)
    content_type = _header(reply.headers, "content-type")
    if content_type and "json" not in content_type.lower():
        findings += (Finding((), "info", "reply.content_type",
                             f"The reply says its content is \u201c{content_type}\u201d; "
                             "JSON replies usually say application/json. The documentation "
                             "does not say whether Voitex checks this."),)
    errors = [f for f in findings if f.severity == "error"]
    lenient = any(f.code == "import.lenient" for f in findings)
    if errors or lenient:
        reasons = summary_text(findings)
        if lenient and not errors:
            reasons = "it has trailing commas, which strict JSON readers refuse"
        headline = (f"The reply is not a response Voitex can rely on: {reasons}. "
                    + describe_design(parsed.design))
        kind = "invalid"
    else:
        headline = "The reply is a valid response. " + describe_design(parsed.design)
        kind = "valid"
    if common["over_budget"]:
        headline += " But it came too late for a live call."
    return ReplyOutcome(kind=kind, headline=headline, design=parsed.design, findings=findings,
                        **common)


def walk_steps(steps: tuple[Step, ...] | list[Step], target: str,
               key: str | None = None) -> tuple[Step, ...]:
    """The branch steps after the caller moves on to branch `target`.

    `key` is the key pressed while the reply of the current branch (the last
    step's) was heard, or None when the call followed the reply's "goto".
    The documentation lists "each branch the caller navigated through, along
    with the inputs pressed at each step", and its sample reads the same way
    ({"branch":"0","input":"1"}: key 1 pressed in branch 0): so the key is
    recorded on the branch where it was pressed, and the branch it leads to is
    added as the caller's new position, with no input yet. See README.md,
    "Decisions on the provider's documentation".
    """
    walked = list(steps)
    if key:
        if walked and walked[-1].input == "":
            walked[-1] = Step(walked[-1].branch, key)
        elif walked:
            # The caller already keyed something in this branch (a PIN, say) and
            # now presses a menu key there too: a second step for the same branch.
            walked.append(Step(walked[-1].branch, key))
    walked.append(Step(target, ""))
    return tuple(walked)


def _dump(value: Any, indent: int = 0) -> str:
    pad = "  " * (indent + 1)
    if isinstance(value, JsonObject):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(name, ensure_ascii=False)}: {_dump(item, indent + 1)}"
                 for name, item in value]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [pad + _dump(item, indent + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


def reply_as_received(text: str) -> str:
    """The reply's JSON laid out for reading, with only what the endpoint sent:
    no field added, none dropped, names written twice kept twice, values as they
    came (a number stays a number). Empty when the text is not JSON."""
    try:
        return _dump(read_json(text, keep_pairs=True).value)
    except (LenientJSONError, RecursionError):
        return ""


@dataclass(frozen=True)
class EndpointRun:
    """One request sent by the tester and what came back, as kept in the list of
    test runs and written by "Save runs". Holds no card verification value: the
    request is kept with it left out and the reply text with it masked."""

    sent_at: str  # local time, YYYY-MM-DD HH:MM:SS
    url: str
    budget_s: float
    request: dict[str, Any]  # request_payload(..., cvv="omit")
    status_code: int | None
    elapsed_s: float
    outcome: ReplyOutcome

    def title(self) -> str:
        branch = self.request.get("branch_data") or [{}]
        at = branch[-1].get("branch", "?") if branch else "?"
        verdict = {"valid": "valid", "invalid": "has problems", "not_json": "not JSON",
                   "http_error": "HTTP error", "no_reply": "no reply"}[self.outcome.kind]
        return (f"{self.sent_at[-8:]}  branch {at}: {self.outcome.status_text}, "
                f"{_seconds(self.elapsed_s)}, {verdict}")


def runs_to_json(runs: list[EndpointRun] | tuple[EndpointRun, ...]) -> str:
    records = []
    for run in runs:
        records.append({
            "sent_at": run.sent_at,
            "url": run.url,
            "budget_s": run.budget_s,
            "request": run.request,
            "status_code": run.status_code,
            "elapsed_s": round(run.elapsed_s, 4),
            "outcome": run.outcome.kind,
            "headline": run.outcome.headline,
            "findings": [{"severity": f.severity, "message": f.message}
                         for f in run.outcome.findings],
            "reply": run.outcome.reply_text,
        })
    return json.dumps({"test_runs": records}, ensure_ascii=False, indent=2)
