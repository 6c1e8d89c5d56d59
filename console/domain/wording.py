"""Small helpers for the words the console shows."""
from __future__ import annotations

__all__ = ["plural"]


def plural(n: int | float, one: str, many: str | None = None) -> str:
    """The count and the noun that fits it: "1 second", "2 seconds", "1,500 messages".

    `many` is for nouns that do not just take an "s" ("1 entry", "3 entries").
    Only exactly one is singular: "0 messages", "1.5 seconds".
    """
    word = one if n == 1 else (many if many is not None else one + "s")
    if isinstance(n, float) and n.is_integer():
        n = int(n)  # "2 seconds", not "2.0 seconds"
    count = f"{n:,}"
    return f"{count} {word}"
