"""The names card data goes by, in one place: what the log filter redacts, what the
Branch tester refuses to send over plain http://, and (part 2 of issue 23) what the
journal keeps out of its stored requests.

Names are compared folded: trimmed, lower case, without spaces, underscores or
dashes, so "CVV ", "card_number" and "Card-Verification-Value" match.
"""
from __future__ import annotations

# The card verification value under its usual names, as words (a separator, or
# none, may stand between the words of a name).
VERIFICATION_NAMES: tuple[tuple[str, ...], ...] = (
    ("cvv",), ("cvv2",), ("cvc",), ("cvc2",),
    ("card", "verification", "value"), ("card", "verification", "code"),
)
VERIFICATION_KEYS = frozenset("".join(words) for words in VERIFICATION_NAMES)

# Every key that holds card data, folded: the verification value, the number and
# what identifies the card (the payment_info object of a Branch request included).
CARD_KEYS = VERIFICATION_KEYS | frozenset({
    "paymentinfo", "cardnumber", "cardno", "pan", "lastfour", "expiration", "cardexpiration",
})


def folded(key: object) -> str:
    """`key` as compared with the names above."""
    return "".join(ch for ch in str(key).lower() if ch not in " _-\t")


def verification_name_pattern() -> str:
    """A regular expression (no groups; to be used case-insensitively) matching a
    verification value's name as written: `cvv`, `CVC2`, `card_verification-code`."""
    names = sorted((r"[_\-]?".join(words) for words in VERIFICATION_NAMES), key=len, reverse=True)
    return "(?:" + "|".join(names) + ")"
