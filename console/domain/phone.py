"""North American phone numbers as staff type them, and as the API wants them.

The API takes 10 digits ("8459511000"). People write "(845) 951-1000",
"+1 845-951-1000" and so on, and paste numbers out of e-mails and Word documents
where the hyphens have become en dashes.

Only the structure is checked (10 digits, area code starting 2-9), not whether
the exchange is in service: the provider's own samples use 845-123-4567, whose
exchange 123 cannot exist, and staff copy those samples while trying things out.
"""
from __future__ import annotations

import re
import unicodedata

from console.domain.validation import FieldError, field_label, shown

__all__ = ["InvalidPhoneError", "normalize_phone", "format_phone", "format_as_you_type",
           "keypad_digits"]

_EXAMPLE = "(845) 951-1000"

# Dashes that word processors and web pages substitute for the hyphen.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"), "-")
# One optional leading plus, then digits and the separators people use.
_WRITTEN_NUMBER = re.compile(r"\+?[0-9\s().\-]*")
_NON_DIGITS = re.compile(r"[^0-9]")
# Letters on a phone keypad, for numbers written as words ("1-800-FLOWERS").
_KEYPAD = str.maketrans({letter: digit
                         for digit, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL",
                                                "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ"}.items()
                         for letter in letters + letters.lower()})
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def keypad_digits(text: str) -> str | None:
    """`text` with its keypad letters turned into digits, when it reads as a number
    written partly in words: "1-800-FLOWERS" -> "1-800-3569377".

    None when it does not: no digits at all ("call me"), letters that are not on a
    keypad, or more digits than one number holds ("845-951-1000 ext 12"), so
    those keep their own explanation instead of becoming a wrong number.
    """
    value = _canonical(text)
    if not _ASCII_LETTER.search(value) or not any(ch.isdigit() for ch in value):
        return None
    mapped = value.translate(_KEYPAD)
    if not _WRITTEN_NUMBER.fullmatch(mapped):
        return None
    digits = _NON_DIGITS.sub("", mapped)
    if len(digits) > 11 or (len(digits) == 11 and not digits.startswith("1")):
        return None
    return mapped


class InvalidPhoneError(FieldError):
    """The text is not a 10-digit North American number; the message says why."""


def _canonical(text: str) -> str:
    # NFKC turns fullwidth digits and brackets from East Asian input methods into
    # ASCII, and non-breaking spaces into plain ones.
    return unicodedata.normalize("NFKC", text).translate(_DASHES).strip()


def normalize_phone(text: str, *, field: str = "number") -> str:
    """The 10 digits of a North American number written in any common way.

    Raises InvalidPhoneError naming `field` when it is not one.
    """
    label = field_label(field)
    value = _canonical(text)
    if not value:
        raise InvalidPhoneError(
            field, f"{label}: this field is empty. Enter a phone number, for example {_EXAMPLE}."
        )
    not_a_number = InvalidPhoneError(
        field,
        f"{label}: '{shown(text)}' is not a phone number. "
        f"Enter the 10-digit number, for example {_EXAMPLE}.",
    )
    if any(ch.isalpha() for ch in value):
        mapped = keypad_digits(value)
        if mapped is None:
            raise InvalidPhoneError(
                field,
                f"{label}: '{shown(text)}' contains letters. "
                f"Enter the number with digits only, for example {_EXAMPLE}.",
            )
        # Keypad letters read as digits ("1-800-FLOWERS"); the checks below
        # then judge the number they spell.
        value = mapped
        spelled = len(_NON_DIGITS.sub("", mapped))
        not_a_number = InvalidPhoneError(
            field,
            f"{label}: '{shown(text)}' is not a phone number: read on a phone keypad it "
            f"gives {spelled} digits, not 10. "
            f"Enter the 10-digit number, for example {_EXAMPLE}.",
        )
    if not _WRITTEN_NUMBER.fullmatch(value):
        raise not_a_number
    digits = _NON_DIGITS.sub("", value)
    international = (value.startswith("+") and digits[:1] not in ("", "1")) or (
        not value.startswith("+") and len(digits) > 11 and digits.startswith(("011", "00"))
    )
    if international:
        raise InvalidPhoneError(
            field,
            f"{label}: '{shown(text)}' is not a North American number. Voitex numbers "
            f"here are 10-digit North American numbers, for example {_EXAMPLE}.",
        )
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    elif len(digits) != 10 or value.startswith("+"):
        raise not_a_number
    if digits[0] in "01":
        raise InvalidPhoneError(
            field,
            f"{label}: '{shown(text)}' is not a valid number: the area code (the first "
            f"three digits) cannot start with {digits[0]}. "
            f"Enter the 10-digit number, for example {_EXAMPLE}.",
        )
    return digits


def format_phone(text: str) -> str:
    """ "(845) 951-1000" for anything normalize_phone accepts; otherwise `text` unchanged."""
    try:
        digits = normalize_phone(text)
    except InvalidPhoneError:
        return text
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def format_as_you_type(text: str) -> str:
    """Partial input formatted progressively for a line edit: "8459" -> "(845) 9".

    Never adds a trailing separator, so backspace is never "stuck" on a character
    the formatter keeps putting back. Input it cannot format (letters, another
    country's code, stray symbols) comes back unchanged, so nothing the user typed
    disappears; normalize_phone explains the problem when the form is submitted.
    Idempotent on its own output.
    """
    value = _canonical(text)
    if not _WRITTEN_NUMBER.fullmatch(value):
        # A number typed with keypad letters becomes its digits as it is typed,
        # so the field never shows a half-formatted mix like "1 (800FLOWERS".
        mapped = keypad_digits(value)
        if mapped is None:
            return text
        value = mapped
    digits = _NON_DIGITS.sub("", value)
    plus = value.startswith("+")
    if plus:
        if not digits:
            return "+"
        if digits[0] != "1":
            return text
        prefix, national = "+1 ", digits[1:]
    elif digits.startswith("1"):
        # No area code starts with 1, so a leading 1 is always the trunk prefix.
        prefix, national = "1 ", digits[1:]
    else:
        prefix, national = "", digits
    if not national:
        return prefix.rstrip()
    if len(national) > 10:
        # Too many digits for one number: show them plainly rather than a
        # formatted number that hides the surplus.
        return ("+" if plus else "") + digits
    if len(national) <= 3:
        body = f"({national}"
    elif len(national) <= 6:
        body = f"({national[:3]}) {national[3:]}"
    else:
        body = f"({national[:3]}) {national[3:6]}-{national[6:]}"
    return prefix + body
