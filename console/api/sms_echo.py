"""The SMS reply's ``data`` echo, whatever its form, and the JSON reading it needs (pure).

Voitex's documentation prints the echo as pseudo-JSON that is not valid JSON
(values not escaped, ``"from "`` twice); it may also come as an object or as a
JSON string. :func:`read_sms_data` takes all three; :func:`load_json` keeps
every key/value pair in order (duplicate keys included), which the echo needs.
"""
from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["PairsDict", "load_json", "pairs_of", "scalar_text", "pseudo_json_pairs", "read_sms_data"]


class PairsDict(dict[str, Any]):
    """A JSON object as json.loads makes it, plus every key/value pair in order.

    ``pairs`` keeps duplicate keys, which the SMS echo uses (``"from "`` twice).
    """

    pairs: list[tuple[str, Any]]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> PairsDict:
        obj = cls(pairs)
        obj.pairs = list(pairs)
        return obj


_DECODER = json.JSONDecoder(object_pairs_hook=PairsDict.from_pairs)


def load_json(text: str) -> Any:
    """json.loads keeping the pairs of every object (see :class:`PairsDict`)."""
    return _DECODER.decode(text)


def pairs_of(obj: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every key/value pair of ``obj`` in order (duplicates too when it is a :class:`PairsDict`)."""
    return obj.pairs if isinstance(obj, PairsDict) else list(obj.items())


def scalar_text(value: Any) -> str | None:
    """A string or whole number as trimmed text; None for anything else or an empty one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


# --- the SMS echo ---------------------------------------------------------

_KEY_AT = re.compile(r'\s*"([^"]*)"\s*:\s*')
_VALUE_AT = re.compile(r'(?:"([^"]*)"|([^,"]*?))\s*(?:,|$)')
_TRAILING_PAIR = re.compile(r',\s*"([^"]*)"\s*:\s*"([^"]*)"\s*$')
_TRAILING_KEYS = frozenset({"to", "from", "did_type", "reference_id", "referenceid", "reference", "ref_id"})
_REF_KEYS = frozenset({"referenceid", "reference", "refid"})


def pseudo_json_pairs(text: str) -> list[tuple[str, str]] | None:
    """Key/value pairs of the documentation's SMS echo, which is not valid JSON.

    Values are not escaped, so the message body may hold quotes, commas or
    braces. Pairs are read from the left up to ``"body"``, and from the right
    back to it (only keys the echo is known to carry); the body is what lies
    between. Returns None when the text is not of that form at all.
    """
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    inner = stripped[1:-1]
    pairs: list[tuple[str, str]] = []
    pos = 0
    body_at: int | None = None
    while pos < len(inner) and inner[pos:].strip():
        key_match = _KEY_AT.match(inner, pos)
        if key_match is None:
            break
        key = key_match.group(1)
        if key.strip().lower() == "body":
            body_at = key_match.end()
            break
        value_match = _VALUE_AT.match(inner, key_match.end())
        if value_match is None:
            break
        value = value_match.group(1) if value_match.group(1) is not None else value_match.group(2)
        pairs.append((key, value))
        pos = value_match.end()
    if body_at is None:
        return pairs or None
    rest = inner[body_at:]
    trailing: list[tuple[str, str]] = []
    while True:
        match = _TRAILING_PAIR.search(rest)
        if match is None or match.group(1).strip().lower() not in _TRAILING_KEYS:
            break
        trailing.append((match.group(1), match.group(2)))
        rest = rest[: match.start()]
    rest = rest.strip()
    if rest.startswith('"') and rest.endswith('"') and len(rest) >= 2:
        rest = rest[1:-1]
    pairs.append(("body", rest))
    pairs.extend(reversed(trailing))
    return pairs


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in pairs_of(value):
            out.setdefault(k.strip() if isinstance(k, str) else k, _trim(v))
        return out
    if isinstance(value, list):
        return [_trim(v) for v in value]
    return value


def _interpret(pairs: list[tuple[str, Any]]) -> tuple[str | None, str | None, dict[str, Any]]:
    data: dict[str, Any] = {}
    froms: list[Any] = []
    reference_id: str | None = None
    for raw_key, raw_value in pairs:
        key = raw_key.strip() if isinstance(raw_key, str) else str(raw_key)
        value = _trim(raw_value)
        folded = key.lower().replace("_", "").replace(" ", "")
        if folded == "from":
            froms.append(value)
        elif folded in _REF_KEYS and reference_id is None:
            reference_id = scalar_text(value)
        data.setdefault(key, value)
    if reference_id is None and len(froms) >= 2:
        reference_id = scalar_text(froms[-1])
        if reference_id is not None:
            data.setdefault("reference_id", reference_id)
    did_type = None
    for key, value in data.items():
        if key.lower() == "did_type":
            did_type = scalar_text(value)
            break
    return reference_id, did_type, data


_DID_TYPE_RE = re.compile(r'"\s*did_type\s*"\s*:\s*"\s*([^"]*?)\s*"', re.IGNORECASE)


def read_sms_data(data: Any) -> tuple[str | None, str | None, dict[str, Any] | str]:
    """``(reference_id, did_type, data)`` from the SMS reply's ``data``, whatever its form."""
    if isinstance(data, dict):
        return _interpret(pairs_of(data))
    if data is None:
        return None, None, ""
    if not isinstance(data, str):
        return None, None, json.dumps(data)
    try:
        parsed = load_json(data)
    except (ValueError, RecursionError):
        parsed = None
    if isinstance(parsed, dict):
        return _interpret(pairs_of(parsed))
    pairs = pseudo_json_pairs(data)
    if pairs:
        return _interpret(pairs)
    did = _DID_TYPE_RE.search(data)
    return None, (did.group(1) or None) if did else None, data.strip()
