"""Checks for what office staff type into the console's fields.

Every refusal is a `FieldError` whose message names the field and says what to
type instead, so the UI can show it as it is.
"""
from __future__ import annotations

import re
import unicodedata

from console.domain.wording import plural

__all__ = [
    "FieldError",
    "ALBUM_MIN",
    "ALBUM_MAX",
    "SORT_MIN",
    "SORT_MAX",
    "LIBRARY_FILE_ID_MIN",
    "LIBRARY_FILE_ID_MAX",
    "BRANCH_MIN",
    "BRANCH_MAX",
    "TTS_MAX_CHARS",
    "SMS_MAX_CHARS",
    "parse_album",
    "parse_sort",
    "parse_branch",
    "parse_library_file_id",
    "check_tts_text",
    "check_sms_body",
    "counted_length",
    "leading_number",
]

# The API documents no ranges. These are our decision, wide enough for any
# library seen in the samples and narrow enough to catch a number typed into the
# wrong field.
ALBUM_MIN = 1
ALBUM_MAX = 9999
SORT_MIN = 0
SORT_MAX = 99999
# A library file id is the id Voitex gives a recording (the samples show
# 918357). Nine digits is as many as the sandbox hands out and leaves room
# for a library far larger than any seen; 0 names no recording.
LIBRARY_FILE_ID_MIN = 1
LIBRARY_FILE_ID_MAX = 999_999_999
# IVR branch ids in the samples run from 2 to 2100; a six-digit ceiling is
# generous and still catches a phone number typed into the branch field
# (one documentation sample does exactly that).
BRANCH_MIN = 1
BRANCH_MAX = 999_999

# The API documents no limit for TTS text; 3000 is our decision, and the sandbox
# enforces the same so the limit is felt before production refuses something.
TTS_MAX_CHARS = 3000
# Long messages are split into segments and each one is billed; 1600 characters
# is the usual carrier ceiling for a concatenated SMS.
SMS_MAX_CHARS = 1600

_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"-\s*[0-9]+(?:[.,][0-9]*)?")
_DECIMAL = re.compile(r"[0-9]*[.,][0-9]+|[0-9]+[.,]")
# Digit strings longer than this are refused before int() sees them: no field
# here needs them, and very long ones make int() itself raise.
_MAX_DIGITS = 18
_SHOWN_MAX = 30


class FieldError(ValueError):
    """A value typed into a field was refused; `message` is meant for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


def field_label(field: str) -> str:
    """The field name as it starts a sentence ("to" -> "To")."""
    return field[:1].upper() + field[1:] if field else "This field"


def shown(text: str) -> str:
    """What the user typed, shortened so a pasted essay does not flood the message."""
    text = text.strip()
    if len(text) > _SHOWN_MAX:
        return text[: _SHOWN_MAX - 1] + "\u2026"
    return text


def _clean(text: str | int) -> str:
    # Spin boxes hand over ints; fullwidth digits from an East Asian input method
    # are the same digits to the user, and NFKC turns them into ASCII ones.
    if isinstance(text, bool):
        raise TypeError("expected text or an int, not a bool")
    if isinstance(text, int):
        return str(text)
    return unicodedata.normalize("NFKC", text).strip()


def _ranged(lo: int, hi: int, example: int | str) -> str:
    return f"Enter a whole number from {lo:,} to {hi:,}, for example {example}."


def _parse_whole(value: str, field: str, lo: int, hi: int, example: int) -> int:
    label = field_label(field)
    ranged = _ranged(lo, hi, example)
    if not value:
        raise FieldError(field, f"{label}: this field is empty. {ranged}")
    if _NEGATIVE.fullmatch(value):
        raise FieldError(field, f"{label}: '{shown(value)}' is below {lo}. {ranged}")
    if _DECIMAL.fullmatch(value):
        raise FieldError(
            field,
            f"{label}: '{shown(value)}' is not a whole number. "
            f"Enter it without decimals, for example {example}.",
        )
    if not _DIGITS.fullmatch(value):
        raise FieldError(
            field,
            f"{label}: '{shown(value)}' is not a number. "
            f"Enter a whole number using digits only, for example {example}.",
        )
    return _in_range(value, field, label, lo, hi, ranged)


def _in_range(value: str, field: str, label: str, lo: int, hi: int, ranged: str) -> int:
    """The digits `value` as a number within lo..hi; `ranged` says the range to the user."""
    if len(value.lstrip("0")) > _MAX_DIGITS:
        raise FieldError(field, f"{label}: '{shown(value)}' is too large. {ranged}")
    number = int(value)
    if number < lo:
        raise FieldError(field, f"{label}: {number} is too small. {ranged}")
    if number > hi:
        raise FieldError(field, f"{label}: {number} is too large. {ranged}")
    return number


def parse_album(text: str | int, field: str = "Album") -> int:
    """The album number typed by the user, ALBUM_MIN..ALBUM_MAX."""
    return _parse_whole(_clean(text), field, ALBUM_MIN, ALBUM_MAX, 1)


def parse_sort(text: str | int, field: str = "Sort number",
               optional: bool = False) -> int | None:
    """The sort number typed by the user, SORT_MIN..SORT_MAX; None when optional and empty."""
    value = _clean(text)
    if not value and optional:
        return None
    return _parse_whole(value, field, SORT_MIN, SORT_MAX, 5)


def _parse_digit_id(text: str | int, field: str, what: str, example: str,
                    lo: int, hi: int) -> str:
    label = field_label(field)
    value = _clean(text)
    if not value:
        raise FieldError(
            field, f"{label}: this field is empty. Enter the {what}, for example {example}."
        )
    if not _DIGITS.fullmatch(value):
        raise FieldError(
            field,
            f"{label}: '{shown(value)}' is not a {what}. "
            f"Use digits only, for example {example}.",
        )
    _in_range(value, field, label, lo, hi, _ranged(lo, hi, example))
    # Kept exactly as typed (leading zeros included): it is an identifier on the
    # provider's side, and we cannot know that "0150" and "150" name the same thing.
    return value


def parse_branch(text: str | int, field: str = "Branch number") -> str:
    """An IVR branch id, BRANCH_MIN..BRANCH_MAX, returned as the decimal string to send."""
    return _parse_digit_id(text, field, "branch number", "150", BRANCH_MIN, BRANCH_MAX)


def parse_library_file_id(text: str | int, field: str = "Library file id") -> str:
    """A library recording id (the `sfile_id` of a call), LIBRARY_FILE_ID_MIN..MAX."""
    return _parse_digit_id(text, field, "library file id", "918357",
                           LIBRARY_FILE_ID_MIN, LIBRARY_FILE_ID_MAX)


def counted_length(text: str) -> int:
    """How many characters of `text` count against a limit: what is sent, so
    the spaces and blank lines around it do not count. Counters and errors
    both use this, so they always show the same number."""
    return len(text.strip())


def _check_text(text: str, field: str, limit: int, empty_hint: str) -> str:
    label = field_label(field)
    value = text.strip()
    if not value:
        raise FieldError(field, f"{label}: this field is empty. {empty_hint}")
    count = counted_length(value)
    if count > limit:
        raise FieldError(
            field,
            f"{label}: too long at {count:,} of {limit:,} characters. "
            f"Remove {plural(count - limit, 'character')}.",
        )
    return value


def check_tts_text(text: str, field: str = "Text") -> str:
    """The text to speak, stripped; refused when empty or longer than TTS_MAX_CHARS."""
    return _check_text(text, field, TTS_MAX_CHARS, "Enter the words to be spoken.")


def check_sms_body(text: str, field: str = "Message") -> str:
    """The SMS body, stripped; refused when empty or longer than SMS_MAX_CHARS."""
    return _check_text(text, field, SMS_MAX_CHARS, "Enter the text of the message.")


# The number must end at something that is neither a letter nor a digit:
# "3D audio.wav" and "1st.wav" are words, not numbered files.
_LEADING_NUMBER = re.compile(r"\s*([0-9]+)(?![^\W_])")


def leading_number(filename: str) -> int | None:
    """The number a file name starts with ("05 Welcome.wav" -> 5), used as a sort number.

    Only the last path component counts, so a numbered folder does not number
    every file inside it.
    """
    name = re.split(r"[\\/]", filename)[-1]
    match = _LEADING_NUMBER.match(name)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits.lstrip("0")) > _MAX_DIGITS:
        return None
    return int(digits)
