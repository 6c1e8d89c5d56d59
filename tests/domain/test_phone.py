from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.phone import (
    InvalidPhoneError,
    format_as_you_type,
    format_phone,
    keypad_digits,
    normalize_phone,
)
from console.domain.validation import FieldError

# Shared machine: no deadline, so a slow moment never fails a property.
relaxed = settings(deadline=None)

def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


nanp_digits = st.builds(
    lambda area, rest: area + rest,
    st.from_regex(r"[2-9][0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
)


@pytest.mark.parametrize(
    "text",
    [
        "8459511000",
        "(845) 951-1000",
        "(845)951-1000",
        "845-951-1000",
        "845.951.1000",
        "845 951 1000",
        "+1 845 951 1000",
        "+1 (845) 951-1000",
        "+18459511000",
        "1-845-951-1000",
        "1 845 951 1000",
        "18459511000",
        "  845-951-1000\t",
        "845\u00a0951\u00a01000",  # non-breaking spaces from a web page
        "845\u2013951\u20131000",  # en dashes from a word processor
        "\uff18\uff14\uff15\uff19\uff15\uff11\uff11\uff10\uff10\uff10",  # fullwidth digits
    ],
)
def test_common_ways_of_writing_a_number_normalise_to_ten_digits(text):
    assert normalize_phone(text) == "8459511000"


@pytest.mark.parametrize("text", ["8451234567", "(845) 123-4567", "+1 845 123 4567"])
def test_documentation_sample_numbers_are_accepted(text):
    # Exchange 123 is not a real NANP exchange, but the provider's samples use it.
    assert normalize_phone(text) == "8451234567"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "12345",
            "To: '12345' is not a phone number. "
            "Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "845 951 10001",
            "To: '845 951 10001' is not a phone number. "
            "Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "+1 845 951 100",
            "To: '+1 845 951 100' is not a phone number. "
            "Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "845*951*1000",
            "To: '845*951*1000' is not a phone number. "
            "Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "845-951+1000",
            "To: '845-951+1000' is not a phone number. "
            "Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "28459511000",
            "To: '28459511000' is not a phone number. "
            "Enter the 10-digit number, for example (845) 951-1000.",
        ),
        ("", "To: this field is empty. Enter a phone number, for example (845) 951-1000."),
        ("   ", "To: this field is empty. Enter a phone number, for example (845) 951-1000."),
        (
            "1-800-FLOW",
            "To: '1-800-FLOW' is not a phone number: read on a phone keypad it gives 8 "
            "digits, not 10. Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "call me",
            "To: 'call me' contains letters. "
            "Enter the number with digits only, for example (845) 951-1000.",
        ),
        (
            "1-800-FLÖWERS",
            "To: '1-800-FLÖWERS' contains letters. "
            "Enter the number with digits only, for example (845) 951-1000.",
        ),
        (
            "845-951-1000 ext 12",
            "To: '845-951-1000 ext 12' contains letters. "
            "Enter the number with digits only, for example (845) 951-1000.",
        ),
        (
            "0459511000",
            "To: '0459511000' is not a valid number: the area code (the first three digits) "
            "cannot start with 0. Enter the 10-digit number, for example (845) 951-1000.",
        ),
        (
            "(145) 951-1000",
            "To: '(145) 951-1000' is not a valid number: the area code (the first three "
            "digits) cannot start with 1. Enter the 10-digit number, for example (845) 951-1000.",
        ),
    ],
)
def test_refusals_name_the_field_and_say_what_to_do(text, message):
    with pytest.raises(InvalidPhoneError) as info:
        normalize_phone(text, field="To")
    assert str(info.value) == message
    assert info.value.field == "To"


@pytest.mark.parametrize(
    "text", ["+44 20 7946 0958", "+33 1 23 45 67 89", "011 44 20 7946 0958", "0044 20 7946 0958"]
)
def test_numbers_from_other_countries_get_their_own_explanation(text):
    with pytest.raises(InvalidPhoneError) as info:
        normalize_phone(text, field="To")
    assert str(info.value) == (
        f"To: '{text}' is not a North American number. Voitex numbers here are "
        "10-digit North American numbers, for example (845) 951-1000."
    )


def test_error_is_a_value_error_and_a_field_error_and_the_field_starts_the_sentence():
    with pytest.raises(ValueError) as info:
        normalize_phone("12", field="from")
    assert isinstance(info.value, FieldError)
    assert info.value.field == "from"
    assert str(info.value).startswith("From: '12' ")


def test_default_field_name():
    with pytest.raises(InvalidPhoneError) as info:
        normalize_phone("12")
    assert info.value.field == "number"
    assert str(info.value).startswith("Number: ")


def test_a_pasted_paragraph_is_shortened_in_the_message():
    with pytest.raises(InvalidPhoneError) as info:
        normalize_phone("9" * 200, field="To")
    assert "9" * 40 not in str(info.value)
    assert "\u2026" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8459511000", "(845) 951-1000"),
        ("+1 845.951.1000", "(845) 951-1000"),
        ("1-845-123-4567", "(845) 123-4567"),
        ("12345", "12345"),
        ("call me", "call me"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("", ""),
    ],
)
def test_format_phone(text, expected):
    assert format_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("8", "(8"),
        ("84", "(84"),
        ("845", "(845"),
        ("8459", "(845) 9"),
        ("84595", "(845) 95"),
        ("845951", "(845) 951"),
        ("8459511", "(845) 951-1"),
        ("845951100", "(845) 951-100"),
        ("8459511000", "(845) 951-1000"),
        ("(845) 951-1000", "(845) 951-1000"),
        ("845.951.1000", "(845) 951-1000"),
        (" (845) 9", "(845) 9"),
        ("84595110001", "84595110001"),
        ("+", "+"),
        ("+1", "+1"),
        ("+1 ", "+1"),
        ("+18", "+1 (8"),
        ("+1845951", "+1 (845) 951"),
        ("+1 845 951 1000", "+1 (845) 951-1000"),
        ("1", "1"),
        ("18", "1 (8"),
        ("18459511000", "1 (845) 951-1000"),
        ("+44 20", "+44 20"),
        ("abc", "abc"),
        ("845-abc", "(845) 222"),
        ("1-800-FLOWERS", "1 (800) 356-9377"),
        ("1 (800F", "1 (800) 3"),
        ("800-flowers", "(800) 356-9377"),
        ("call me", "call me"),
        ("845-951-1000 ext 12", "845-951-1000 ext 12"),
    ],
)
def test_format_as_you_type(text, expected):
    assert format_as_you_type(text) == expected


@relaxed
@given(nanp_digits)
def test_formatted_number_normalises_back_to_itself(digits):
    formatted = format_phone(digits)
    assert formatted == f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    assert normalize_phone(formatted) == digits
    assert format_phone(formatted) == formatted


@relaxed
@given(
    nanp_digits,
    st.sampled_from(
        ["{a}{e}{n}", "({a}) {e}-{n}", "{a}-{e}-{n}", "{a}.{e}.{n}", "+1 {a} {e} {n}",
         "+1 ({a}) {e}-{n}", "1-{a}-{e}-{n}", " {a} {e} {n} "]
    ),
)
def test_every_common_style_normalises(digits, style):
    written = style.format(a=digits[:3], e=digits[3:6], n=digits[6:])
    assert normalize_phone(written) == digits


@relaxed
@given(st.one_of(st.text(alphabet="0123456789 ()-.+", max_size=20), st.text(max_size=20)))
def test_format_as_you_type_is_idempotent(text):
    once = format_as_you_type(text)
    assert format_as_you_type(once) == once


@relaxed
@given(nanp_digits, st.sampled_from(["", "1", "+1"]))
def test_typing_digit_by_digit_ends_with_the_formatted_number(digits, prefix):
    shown = ""
    for key in prefix + digits:
        shown = format_as_you_type(shown + key)
        if shown == "+":
            continue
        # No trailing separator, so backspace always takes away a digit instead
        # of a separator the formatter would put straight back.
        assert shown[-1].isdigit()
        assert _digits(format_as_you_type(shown[:-1])) == _digits(shown)[:-1]
    expected = {"": "", "1": "1 ", "+1": "+1 "}[prefix] + format_phone(digits)
    assert shown == expected
    assert normalize_phone(shown) == digits


@relaxed
@given(st.text(alphabet="0123456789", max_size=11))
def test_format_as_you_type_keeps_every_typed_digit(digits):
    assert _digits(format_as_you_type(digits)) == digits


@pytest.mark.parametrize(
    ("text", "digits"),
    [("1-800-FLOWERS", "8003569377"), ("800 FLOWERS", "8003569377"),
     ("+1 (800) GOT-JUNK", "8004685865"), ("845-951-TEST", "8459518378")],
)
def test_keypad_letters_are_read_as_their_digits(text, digits):
    assert normalize_phone(text) == digits
    assert format_phone(text) == f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


@pytest.mark.parametrize("text", ["call me", "845-951-1000 ext 12", "abc", "1-800-FLÖWERS", ""])
def test_keypad_digits_leaves_what_is_not_a_number_in_words(text):
    assert keypad_digits(text) is None
