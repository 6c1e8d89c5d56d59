"""The request Voitex POSTs to a Trigger branch's endpoint, for composing test calls.

Field order and value forms follow the documentation's request sample (see the
notes, "API branch"). The card verification value is card data that must never
be stored (notes, "Card data"): `request_payload` takes a ``cvv`` mode, and
only the payload actually sent to the endpoint carries it. Everything shown,
copied or saved uses "mask" or "omit".
"""
from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from console.branch.errors import MessageError
from console.branch.findings import Finding, PathPart, Severity
from console.branch.lenient import JsonObject, LenientJSONError, read_json
from console.branch.validation import branch_number_problem, shown

CvvMode = Literal["send", "mask", "omit"]
CVV_MASK = "***"
DATE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PAYMENT_FIELDS = ("last_four", "expiration", "cvv", "zip", "phone", "amount", "transaction_id")
PAYMENT_LABELS = {
    "last_four": "Last four digits",
    "expiration": "Expiration (MMYY)",
    "cvv": "Card verification value (CVV)",
    "zip": "ZIP code",
    "phone": "Phone",
    "amount": "Amount",
    "transaction_id": "Transaction ID",
}


@dataclass(frozen=True)
class Step:
    """A branch the caller passed through and what they keyed in there."""

    branch: str
    input: str = ""


@dataclass(frozen=True)
class Payment:
    last_four: str = ""
    expiration: str = ""
    cvv: str = ""
    zip: str = ""
    phone: str = ""
    amount: str = ""
    transaction_id: str = ""


@dataclass(frozen=True)
class BranchRequest:
    call_id: str
    cid: str = ""
    cnam: str = ""
    contact_info: str = "null"
    date_time: str = ""
    did: str = ""
    branch_data: tuple[Step, ...] = ()
    payment_info: tuple[Payment, ...] = ()
    variables: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def cvvs(self) -> tuple[str, ...]:
        """The card verification values in this request (to keep them out of everything)."""
        return tuple(p.cvv for p in self.payment_info if p.cvv)

    def with_step(self, step: Step) -> BranchRequest:
        return replace(self, branch_data=self.branch_data + (step,))

    @property
    def current_branch(self) -> str | None:
        """The branch of the last step: the one whose endpoint this request is for."""
        return self.branch_data[-1].branch if self.branch_data else None


def new_call_id(now: float | None = None, rng: random.Random | None = None) -> str:
    """A call id shaped like Voitex's: ``AST10-<epoch seconds>.<sequence>``."""
    seconds = int(time.time() if now is None else now)
    sequence = (rng or random).randint(1, 999)
    return f"AST10-{seconds}.{sequence}"


def now_text(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime(DATE_TIME_FORMAT)


def sample_request(*, now: datetime | None = None, rng: random.Random | None = None,
                   with_payment: bool = True) -> BranchRequest:
    """The documentation's request sample, with a fresh call id and the current time."""
    moment = now or datetime.now()
    payments = (Payment(last_four="4444", expiration="0126", cvv="987", zip="10950",
                        phone="8451239876", amount="57", transaction_id="875891"),)
    return BranchRequest(
        call_id=new_call_id(moment.timestamp(), rng),
        cid="8459511000",
        cnam="VOITEX",
        contact_info="null",
        date_time=now_text(moment),
        did="8459511110",
        branch_data=(Step("0", "1"), Step("1000", "17")),
        payment_info=payments if with_payment else (),
        variables=(("caller_pin ", "123"), ("var_2", "var_val")),
    )


def _cvv_value(cvv: str, mode: CvvMode) -> Any:
    if mode == "mask":
        return CVV_MASK if cvv else ""
    # The sample sends the cvv as a number (987). One starting with 0 stays text,
    # because as a number its leading zero would be lost.
    if cvv.isascii() and cvv.isdigit() and not cvv.startswith("0"):
        return int(cvv)
    return cvv


def request_payload(request: BranchRequest, *, cvv: CvvMode) -> dict[str, Any]:
    """The request as the JSON object Voitex sends, ordered like the sample.

    ``cvv="send"`` is only for the payload posted to the endpoint; "mask" puts
    "***" in its place (screen, clipboard, history), "omit" leaves it out (files).
    """
    payments = []
    for payment in request.payment_info:
        entry: dict[str, Any] = {}
        for name in PAYMENT_FIELDS:
            if name == "cvv":
                if cvv != "omit":
                    entry["cvv"] = _cvv_value(payment.cvv, cvv)
            else:
                entry[name] = getattr(payment, name)
        payments.append(entry)
    return {
        "call_id": request.call_id,
        "cid": request.cid,
        "cnam": request.cnam,
        "contact_info": request.contact_info,
        "date_time": request.date_time,
        "did": request.did,
        "branch_data": [{"branch": s.branch, "input": s.input} for s in request.branch_data],
        "payment_info": payments,
        # One object holding every variable, as in the sample.
        "variables": [dict(request.variables)] if request.variables else [],
    }


def request_to_json(request: BranchRequest, *, cvv: CvvMode, compact: bool = False) -> str:
    payload = request_payload(request, cvv=cvv)
    if compact:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(payload, ensure_ascii=False, indent=2)


def scrub(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """`text` with every stand-alone occurrence of a secret replaced by "***"."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        pattern = re.escape(secret)
        if secret.isdigit():
            # Digits inside a longer number (987 in 49870) are not the secret.
            pattern = rf"(?<![0-9]){pattern}(?![0-9])"
        text = re.sub(pattern, CVV_MASK, text)
    return text


# ---------------------------------------------------------------------------
# Checks

_KEYPAD_INPUT = re.compile(r"[0-9*#]*")


def validate_request(request: BranchRequest) -> tuple[Finding, ...]:
    """Problems in a composed request. Errors stop it being sent: Voitex never
    sends such a request, so an endpoint's answer to it would prove nothing."""
    findings: list[Finding] = []

    def add(path: tuple[PathPart, ...], severity: Severity, code: str, message: str) -> None:
        findings.append(Finding(tuple(path), severity, code, message))

    if not request.call_id.strip():
        add(("call_id",), "error", "request.no_call_id",
            "Call ID is empty. Press \u201cNew ID\u201d to make one.")
    try:
        datetime.strptime(request.date_time, DATE_TIME_FORMAT)
    except ValueError:
        add(("date_time",), "error", "request.bad_date_time",
            f"Date and time {shown(request.date_time)} is not a date and time written as "
            "YYYY-MM-DD HH:MM:SS, like 2023-07-20 11:35:35.")
    for name, label in (("cid", "Caller's number"), ("did", "Hotline number")):
        value = getattr(request, name)
        if value and not (value.isascii() and value.isdigit()):
            add((name,), "warning", f"request.{name}_not_digits",
                f"{label} {shown(value)} is not digits only; Voitex sends numbers like "
                "8459511000.")
    for row, step in enumerate(request.branch_data):
        label = f"Branch step {row + 1}"
        problem = branch_number_problem(step.branch)
        if problem:
            add(("branch_data", row, "branch"), "error", "request.bad_step_branch",
                f"{label}: the branch {problem}.")
        if not _KEYPAD_INPUT.fullmatch(step.input):
            add(("branch_data", row, "input"), "error", "request.bad_step_input",
                f"{label}: the keys pressed, {shown(step.input)}, can only be 0 to 9, * and #.")
    for row, payment in enumerate(request.payment_info):
        label = f"Payment {row + 1}"
        checks = (
            ("last_four", r"[0-9]{4}", "four digits, like 4444"),
            ("expiration", r"(0[1-9]|1[0-2])[0-9]{2}", "a month and year as MMYY, like 0126"),
            ("cvv", r"[0-9]{3,4}", "three or four digits"),
            ("amount", r"[0-9]+(\.[0-9]{1,2})?", "an amount like 57 or 57.50"),
        )
        for name, pattern, expected in checks:
            value = getattr(payment, name)
            if value and not re.fullmatch(pattern, value):
                # Never quote the cvv, not even a wrong one.
                what = "the value typed" if name == "cvv" else shown(value)
                add(("payment_info", row, name), "warning", f"request.bad_{name}",
                    f"{label}: {PAYMENT_LABELS[name]} should be {expected}; {what} is not.")
    seen: dict[str, int] = {}
    for row, (name, _value) in enumerate(request.variables):
        if name in seen:
            add(("variables", row, "name"), "warning", "request.duplicate_variable",
                f"The variable {shown(name)} is given twice (rows {seen[name] + 1} and "
                f"{row + 1}); only the last value is sent.")
        else:
            seen[name] = row
        if not name:
            add(("variables", row, "name"), "error", "request.no_variable_name",
                f"Variable row {row + 1} has no name.")
    return tuple(findings)


# ---------------------------------------------------------------------------
# Reading a saved request


class RequestFormatError(MessageError, ValueError):
    """The message says what is wrong, for the user."""


def _text(value: Any, label: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if value is None:
        return ""
    raise RequestFormatError(f"{label} must be text, not a list or an object.")


def _objects(value: Any, label: str) -> list[JsonObject]:
    if value is None:
        return []
    if isinstance(value, JsonObject):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, JsonObject) for v in value):
        raise RequestFormatError(f"{label} must be a list of objects.")
    return value


def parse_request(text: str) -> BranchRequest:
    """A request from saved JSON (strict or with trailing commas)."""
    try:
        value = read_json(text, keep_pairs=True).value
    except LenientJSONError as error:
        raise RequestFormatError(f"This is not valid JSON. {error.message}") from None
    if not isinstance(value, JsonObject):
        raise RequestFormatError("A branch request must be a JSON object, starting with {.")
    steps = tuple(
        Step(_text(obj.get("branch"), "A branch step's branch"),
             _text(obj.get("input"), "A branch step's input"))
        for obj in _objects(value.get("branch_data"), "branch_data"))
    payments = tuple(
        Payment(**{name: _text(obj.get(name), PAYMENT_LABELS[name]) for name in PAYMENT_FIELDS})
        for obj in _objects(value.get("payment_info"), "payment_info"))
    variables = tuple(
        (name, _text(item, f"The variable {shown(name)}"))
        for obj in _objects(value.get("variables"), "variables") for name, item in obj)
    return BranchRequest(
        call_id=_text(value.get("call_id"), "call_id"),
        cid=_text(value.get("cid"), "cid"),
        cnam=_text(value.get("cnam"), "cnam"),
        contact_info=_text(value.get("contact_info", "null"), "contact_info"),
        date_time=_text(value.get("date_time"), "date_time"),
        did=_text(value.get("did"), "did"),
        branch_data=steps,
        payment_info=payments,
        variables=variables,
    )
