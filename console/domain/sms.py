"""How an SMS body will be encoded and how many billed messages it becomes.

A message that fits the GSM 03.38 alphabet travels as 7-bit "GSM-7": 160
characters in one message, 153 per part once it has to be split (each part gives
7 characters to the header that stitches the parts together). A single character
outside that alphabet, very often a curly quote pasted from a word processor,
switches the whole message to UCS-2: 70 per message, 67 per part. Staff see
that before they send, and can swap the look-alike characters for plain ones.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from console.domain.wording import plural

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "REPLACEMENTS",
    "SmsAnalysis",
    "analyze_sms",
    "replace_forcing_chars",
    "describe",
    "ENCODING_WORDS",
    "ENCODING_HELP",
]

# GSM 03.38 default alphabet (3GPP TS 23.038, 6.2.1), in code order 0x00-0x7F.
# 0x1B is the escape to the extension table and is not a character of its own,
# so it is left out of the set below. Greek capitals are written as escapes
# because they look exactly like Latin letters in most fonts.
_GSM7_BASIC_ROWS = (
    "@£$¥èéùìòÇ\nØø\rÅå",  # 0x00
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\x1bÆæßÉ",  # 0x10
    " !\"#¤%&'()*+,-./",  # 0x20
    "0123456789:;<=>?",  # 0x30
    "¡ABCDEFGHIJKLMNO",  # 0x40
    "PQRSTUVWXYZÄÖÑÜ§",  # 0x50
    "¿abcdefghijklmno",  # 0x60
    "pqrstuvwxyzäöñüà",  # 0x70
)
GSM7_BASIC: frozenset[str] = frozenset("".join(_GSM7_BASIC_ROWS)) - {"\x1b"}

# Extension table (3GPP TS 23.038, 6.2.1.1): each costs two septets, the escape
# and the character.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")

# Characters outside GSM-7 that have a plain GSM-7 stand-in with the same
# meaning. Accented letters are deliberately absent: changing a customer's
# spelling is the writer's decision, not a formatting fix.
REPLACEMENTS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`\u2039\u203a", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
    # Non-breaking and typographic spaces, and tabs: invisible, yet each one
    # alone would switch the message to UCS-2.
    **dict.fromkeys(
        "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000",
        " ",
    ),
    **dict.fromkeys("\u2022\u2023\u2043\u2219", "-"),
    # Zero-width characters carry nothing a phone displays. The zero-width joiner
    # is absent: it holds multi-part emoji together.
    **dict.fromkeys("\u200b\u2060\ufeff\u00ad", ""),
}

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


@dataclass(frozen=True)
class SmsAnalysis:
    """What sending a text costs.

    `characters` is len(text) (code points). `units` is what counts against
    the limit: septets for GSM-7 (extension characters count 2), UTF-16 code
    units for UCS-2 (an emoji counts 2). Indexes in `forcing_chars` are Python
    string indexes (code points). `replaceable` maps each forcing character that
    replace_forcing_chars() will swap to its replacement.
    """

    encoding: str
    units: int
    segments: int
    segment_limit: int
    forcing_chars: list[tuple[int, str]]
    replaceable: dict[str, str]
    characters: int


def _is_gsm7(ch: str) -> bool:
    return ch in GSM7_BASIC or ch in GSM7_EXTENSION


def _sizes(text: str, encoding: str) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _segments(sizes: list[int], single: int, part: int) -> int:
    total = sum(sizes)
    if total == 0:
        return 0
    if total <= single:
        return 1
    # Phones never split an escape pair or a surrogate pair across two parts, so
    # a part can end one unit short; simple division would undercount.
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count += 1
            used = 0
        used += size
    return count


def _measure(text: str) -> tuple[str, int, int, int]:
    encoding = "GSM-7" if all(_is_gsm7(ch) for ch in text) else "UCS-2"
    sizes = _sizes(text, encoding)
    single, part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    units = sum(sizes)
    segments = _segments(sizes, single, part)
    return encoding, units, segments, part if units > single else single


def _apply(text: str, mapping: Mapping[str, str]) -> str:
    if not mapping:
        return text
    table: dict[str, str | int | None] = dict(mapping)
    return text.translate(str.maketrans(table))


def analyze_sms(text: str) -> SmsAnalysis:
    encoding, units, segments, limit = _measure(text)
    forcing = [(i, ch) for i, ch in enumerate(text) if not _is_gsm7(ch)]
    replaceable = {ch: REPLACEMENTS[ch] for _, ch in forcing if ch in REPLACEMENTS}
    # "…" becomes three characters. Where that would make the message longer
    # (it stays UCS-2 because of an emoji, or it holds many of them) the swap
    # costs money instead of saving it, so it is not offered.
    if replaceable and _measure(_apply(text, replaceable))[2] > segments:
        replaceable = {ch: rep for ch, rep in replaceable.items() if len(rep) <= 1}
    return SmsAnalysis(
        encoding=encoding,
        units=units,
        segments=segments,
        segment_limit=limit,
        forcing_chars=forcing,
        replaceable=replaceable,
        characters=len(text),
    )


def replace_forcing_chars(text: str) -> str:
    """`text` with the look-alike characters listed in analyze_sms(text).replaceable swapped.

    Never produces more messages than `text`; characters with no plain
    equivalent (emoji, most accented letters) are left as they are.
    """
    return _apply(text, analyze_sms(text).replaceable)


def _visible(ch: str) -> str:
    if unicodedata.category(ch)[0] in "CZ":
        if ch == "\t":
            return "tab"
        return unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
    return ch


# Office staff see plain words; the technical names go in a tooltip.
ENCODING_WORDS = {"GSM-7": "standard characters", "UCS-2": "special characters"}
ENCODING_HELP = (
    "Standard characters (the GSM-7 alphabet: plain letters, digits and common punctuation) "
    f"fit {GSM7_SINGLE} in one message, {GSM7_PART} per part when the text is split. "
    "A single special character (UCS-2: curly quotes, long dashes, emoji, many accented "
    f"letters) makes the whole text fit only {UCS2_SINGLE} in one message, {UCS2_PART} per part. "
    "Every part is billed as one message."
)


def describe(analysis: SmsAnalysis, *, max_shown: int = 5) -> str:
    """One line for under the message box:
    "42 characters · 1 message · standard characters, 160 per message"."""
    length = plural(analysis.characters, "character")
    if analysis.units != analysis.characters:
        length += f" (counted as {analysis.units:,})"
    kind = ENCODING_WORDS[analysis.encoding]
    if analysis.forcing_chars and max_shown:
        distinct = list(dict.fromkeys(ch for _, ch in analysis.forcing_chars))
        names = [_visible(ch) for ch in distinct[:max_shown]]
        more = len(distinct) - max_shown
        if more > 0:
            names.append(f"and {more} more")
        kind += f" ({' '.join(names)})"
    return (f"{length} · {plural(analysis.segments, 'message')} · "
            f"{kind}, {analysis.segment_limit} per message")
