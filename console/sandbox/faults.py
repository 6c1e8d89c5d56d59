"""Fault injection: which request fails, and how.

A `FaultRule` says what should go wrong ("the next two SMS get HTTP 500"); a
`FaultPlan` holds the rules of one sandbox and decides, request by request,
whether one of them fires. Both are plain logic so they can be tested with
tables, without a server.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

ENDPOINTS = ("upload", "tts", "call", "sms")
ANY_ENDPOINT = "*"
KINDS = ("http500", "http429", "drop", "slow", "html", "api_error")

# A slow reply is still a success, so by default the work is done; every other
# kind is a failure, and by default the sandbox did nothing before failing.
_ACTED_BY_DEFAULT = {kind: kind == "slow" for kind in KINDS}

_YES = {"yes", "true", "1", "on"}
_NO = {"no", "false", "0", "off"}


@dataclass(frozen=True)
class FaultRule:
    """One kind of failure for one endpoint (or "*" for all four).

    Fires on every matching request unless limited: `count` caps how many times
    it fires, `probability` makes each matching request fire with that chance
    (reproducible with `seed`). `acted` says whether the sandbox carries out
    the request (stores the file, "sends" the SMS) before the fault shows; left
    out, it takes the kind's default (True for "slow", False otherwise).
    """

    endpoint: str
    kind: str
    count: int | None = None
    probability: float | None = None
    retry_after: float = 1.0
    delay: float = 5.0
    acted: bool | None = None  # None until __post_init__ picks the kind's default
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.endpoint not in (*ENDPOINTS, ANY_ENDPOINT):
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)} or {ANY_ENDPOINT}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.count is not None and (not _is_int(self.count) or self.count < 1):
            raise ValueError("count must be a whole number of at least 1")
        if self.probability is not None and (
            not _is_number(self.probability) or not 0.0 <= self.probability <= 1.0
        ):
            raise ValueError("probability must be a number from 0 to 1")
        for name in ("retry_after", "delay"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                raise ValueError(f"{name} must be a number of seconds, 0 or more")
        if self.seed is not None and not _is_int(self.seed):
            raise ValueError("seed must be a whole number")
        if self.acted is None:
            object.__setattr__(self, "acted", _ACTED_BY_DEFAULT[self.kind])
        elif not isinstance(self.acted, bool):
            raise ValueError("acted must be true or false")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        """Build a rule from decoded JSON (the body of POST /sandbox/faults)."""
        if not isinstance(data, Mapping):
            raise ValueError("a fault rule must be a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault rule field: {', '.join(unknown)}")
        for required in ("endpoint", "kind"):
            if required not in data:
                raise ValueError(f"{required} is required")
        return cls(**data)

    @classmethod
    def parse(cls, spec: str) -> FaultRule:
        """Build a rule from the command line form.

        ENDPOINT:KIND[:count=N|probability=P][:retry_after=S][:delay=S][:acted=yes|no][:seed=N]
        """
        endpoint, _, rest = spec.partition(":")
        kind, _, rest = rest.partition(":")
        if not endpoint or not kind:
            raise ValueError(f"fault {spec!r} must start with ENDPOINT:KIND, for example sms:http500")
        options: dict[str, Any] = {}
        for item in filter(None, rest.split(":")):
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"fault option {item!r} must look like name=value")
            options[name] = _parse_option(name, value)
        return cls(endpoint=endpoint, kind=kind, **options)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse_option(name: str, value: str) -> Any:
    try:
        if name in ("count", "seed"):
            return int(value)
        if name in ("probability", "retry_after", "delay"):
            return float(value)
    except ValueError:
        raise ValueError(f"fault option {name} must be a number, not {value!r}") from None
    if name == "acted":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise ValueError(f"fault option acted must be yes or no, not {value!r}")
    raise ValueError(
        f"unknown fault option {name!r} (known: count, probability, retry_after, delay, acted, seed)"
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class _ArmedRule:
    rule: FaultRule
    remaining: int | None
    rng: random.Random
    fired: int = 0

    def matches(self, endpoint: str) -> bool:
        if self.remaining == 0:
            return False
        return self.rule.endpoint in (endpoint, ANY_ENDPOINT)


class FaultPlan:
    """The rules of one sandbox, consulted once per valid API request.

    Thread-safe: the server consults it while tests add and clear rules.
    """

    def __init__(self, rules: Iterable[FaultRule] = ()) -> None:
        self._armed: list[_ArmedRule] = []
        self._lock = threading.Lock()
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._armed.append(_ArmedRule(rule, rule.count, random.Random(rule.seed)))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def pick(self, endpoint: str) -> FaultRule | None:
        """The rule that fires for this request, if any; firing uses up one count.

        Rules are tried in the order they were added; the first that fires wins.
        """
        with self._lock:
            for armed in self._armed:
                if not armed.matches(endpoint):
                    continue
                probability = armed.rule.probability
                if probability is not None and armed.rng.random() >= probability:
                    continue
                armed.fired += 1
                if armed.remaining is not None:
                    armed.remaining -= 1
                return armed.rule
            return None

    def snapshot(self) -> list[dict[str, Any]]:
        """Every rule with how often it fired and how many firings are left (None: no limit)."""
        with self._lock:
            return [
                {**armed.rule.to_dict(), "remaining": armed.remaining, "fired": armed.fired}
                for armed in self._armed
            ]
