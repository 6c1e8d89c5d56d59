"""Small helpers for the words the console shows."""
from __future__ import annotations

__all__ = ["plural", "shorten_at_word"]


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


def shorten_at_word(text: str, limit: int) -> str:
    """`text` on one line, cut at the last whole word that fits in `limit`
    characters, with "…" when anything was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"
