"""What of a request never reaches the journal: the account key and the card
verification value, at any depth of the request's fields."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from console.domain.card_data import VERIFICATION_KEYS, folded

# The account key's field names, folded as console/domain/card_data.py folds names.
ACCOUNT_KEY_FIELDS = frozenset({"authkey", "key"})
# What never reaches the journal: the account key and the card verification value
# under any of its names (card_data's list). Compared folded, because the API's own
# samples carry stray spaces in key names ("cvv ", "from ").
SECRET_FIELDS = ACCOUNT_KEY_FIELDS | VERIFICATION_KEYS


def scrub(value: Any) -> Any:
    """A copy of `value` without secret fields, at any depth (payment_info
    is a list of objects). Values that JSON cannot hold become text."""
    if isinstance(value, Mapping):
        return {
            str(k): scrub(v)
            for k, v in value.items()
            if folded(k) not in SECRET_FIELDS
        }
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)
