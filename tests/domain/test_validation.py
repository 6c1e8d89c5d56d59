from __future__ import annotations

import pytest

from console.domain.validation import (
    ALBUM_MAX,
    BRANCH_MAX,
    BRANCH_MIN,
    LIBRARY_FILE_ID_MAX,
    LIBRARY_FILE_ID_MIN,
    SMS_MAX_CHARS,
    SORT_MAX,
    TTS_MAX_CHARS,
    FieldError,
    check_sms_body,
    check_tts_text,
    counted_length,
    leading_number,
    parse_album,
    parse_branch,
    parse_library_file_id,
    parse_sort,
)


def test_field_error_carries_field_and_message():
    err = FieldError("Album", "Album: enter a whole number, for example 1.")
    assert isinstance(err, ValueError)
    assert err.field == "Album"
    assert err.message == "Album: enter a whole number, for example 1."
    assert str(err) == err.message


def test_limits_are_our_documented_decisions():
    assert (LIBRARY_FILE_ID_MIN, LIBRARY_FILE_ID_MAX) == (1, 999_999_999)
    assert (BRANCH_MIN, BRANCH_MAX) == (1, 999_999)
    assert TTS_MAX_CHARS == 3000
    assert SMS_MAX_CHARS == 1600
    assert ALBUM_MAX == 9999
    assert SORT_MAX == 99999


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), (" 13 ", 13), ("007", 7), ("9999", 9999), (5, 5), ("\uff11\uff12", 12)],
)
def test_parse_album_accepts(text, expected):
    assert parse_album(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Album: this field is empty. Enter a whole number from 1 to 9,999, for example 1."),
        ("  ", "Album: this field is empty. Enter a whole number from 1 to 9,999, for example 1."),
        ("abc", "Album: 'abc' is not a number. Enter a whole number using digits only, for example 1."),
        ("1a", "Album: '1a' is not a number. Enter a whole number using digits only, for example 1."),
        ("+3", "Album: '+3' is not a number. Enter a whole number using digits only, for example 1."),
        ("-3", "Album: '-3' is below 1. Enter a whole number from 1 to 9,999, for example 1."),
        ("1.5", "Album: '1.5' is not a whole number. Enter it without decimals, for example 1."),
        ("2,5", "Album: '2,5' is not a whole number. Enter it without decimals, for example 1."),
        ("3.", "Album: '3.' is not a whole number. Enter it without decimals, for example 1."),
        ("0", "Album: 0 is too small. Enter a whole number from 1 to 9,999, for example 1."),
        ("10000", "Album: 10000 is too large. Enter a whole number from 1 to 9,999, for example 1."),
        (
            "9" * 5000,
            "Album: '" + "9" * 29 + "\u2026' is too large. "
            "Enter a whole number from 1 to 9,999, for example 1.",
        ),
        (0, "Album: 0 is too small. Enter a whole number from 1 to 9,999, for example 1."),
    ],
)
def test_parse_album_refuses(text, message):
    with pytest.raises(FieldError) as info:
        parse_album(text)
    assert str(info.value) == message
    assert info.value.field == "Album"


def test_parse_album_uses_the_given_field_name():
    with pytest.raises(FieldError) as info:
        parse_album("x", field="Default album")
    assert info.value.field == "Default album"
    assert str(info.value).startswith("Default album: ")


@pytest.mark.parametrize(
    ("text", "optional", "expected"),
    [
        ("0", False, 0),
        ("5", False, 5),
        (" 99999 ", False, 99999),
        ("", True, None),
        ("   ", True, None),
        ("15", True, 15),
    ],
)
def test_parse_sort_accepts(text, optional, expected):
    assert parse_sort(text, optional=optional) == expected


@pytest.mark.parametrize(
    ("text", "optional", "message"),
    [
        ("", False, "Sort number: this field is empty. "
                    "Enter a whole number from 0 to 99,999, for example 5."),
        ("-1", True, "Sort number: '-1' is below 0. "
                     "Enter a whole number from 0 to 99,999, for example 5."),
        ("100000", False, "Sort number: 100000 is too large. "
                          "Enter a whole number from 0 to 99,999, for example 5."),
        ("5.0", True, "Sort number: '5.0' is not a whole number. "
                      "Enter it without decimals, for example 5."),
        ("five", False, "Sort number: 'five' is not a number. "
                        "Enter a whole number using digits only, for example 5."),
    ],
)
def test_parse_sort_refuses(text, optional, message):
    with pytest.raises(FieldError) as info:
        parse_sort(text, optional=optional)
    assert str(info.value) == message
    assert info.value.field == "Sort number"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("150", "150"), (" 1 ", "1"), ("1000", "1000"), ("0150", "0150"), (105, "105"),
     ("999999", "999999")],
)
def test_parse_branch_accepts(text, expected):
    assert parse_branch(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Branch number: this field is empty. Enter the branch number, for example 150."),
        ("15a", "Branch number: '15a' is not a branch number. Use digits only, for example 150."),
        ("-150", "Branch number: '-150' is not a branch number. Use digits only, for example 150."),
        ("1.5", "Branch number: '1.5' is not a branch number. Use digits only, for example 150."),
        ("1 50", "Branch number: '1 50' is not a branch number. Use digits only, for example 150."),
        ("0", "Branch number: 0 is too small. "
              "Enter a whole number from 1 to 999,999, for example 150."),
        ("99999999999", "Branch number: 99999999999 is too large. "
                        "Enter a whole number from 1 to 999,999, for example 150."),
        ("9" * 40, "Branch number: '" + "9" * 29 + "\u2026' is too large. "
                   "Enter a whole number from 1 to 999,999, for example 150."),
    ],
)
def test_parse_branch_refuses(text, message):
    with pytest.raises(FieldError) as info:
        parse_branch(text)
    assert str(info.value) == message
    assert info.value.field == "Branch number"


@pytest.mark.parametrize(("text", "expected"), [("918357", "918357"), (" 42\n", "42"),
                                               ("1", "1"), ("999999999", "999999999")])
def test_parse_library_file_id_accepts(text, expected):
    assert parse_library_file_id(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Library file id: this field is empty. "
             "Enter the library file id, for example 918357."),
        ("abc", "Library file id: 'abc' is not a library file id. "
                "Use digits only, for example 918357."),
        ("#918357", "Library file id: '#918357' is not a library file id. "
                    "Use digits only, for example 918357."),
        ("0", "Library file id: 0 is too small. "
              "Enter a whole number from 1 to 999,999,999, for example 918357."),
        ("99999999999", "Library file id: 99999999999 is too large. "
                        "Enter a whole number from 1 to 999,999,999, for example 918357."),
    ],
)
def test_parse_library_file_id_refuses(text, message):
    with pytest.raises(FieldError) as info:
        parse_library_file_id(text)
    assert str(info.value) == message
    assert info.value.field == "Library file id"


@pytest.mark.parametrize(
    ("check", "text", "expected"),
    [
        (check_tts_text, "  Hello there.\n", "Hello there."),
        (check_tts_text, "x" * TTS_MAX_CHARS, "x" * TTS_MAX_CHARS),
        (check_sms_body, "\nYour order is ready ", "Your order is ready"),
        (check_sms_body, "y" * SMS_MAX_CHARS, "y" * SMS_MAX_CHARS),
        (check_sms_body, "  " + "y" * SMS_MAX_CHARS + "  ", "y" * SMS_MAX_CHARS),
    ],
)
def test_text_checks_accept_and_strip(check, text, expected):
    assert check(text) == expected


@pytest.mark.parametrize(
    ("check", "text", "field", "message"),
    [
        (check_tts_text, "", "Text", "Text: this field is empty. Enter the words to be spoken."),
        (check_tts_text, " \n\t", "Text", "Text: this field is empty. Enter the words to be spoken."),
        (check_tts_text, "x" * 3001, "Text",
         "Text: too long at 3,001 of 3,000 characters. Remove 1 character."),
        (check_tts_text, "x" * 3250, "Text",
         "Text: too long at 3,250 of 3,000 characters. Remove 250 characters."),
        (check_sms_body, "", "Message",
         "Message: this field is empty. Enter the text of the message."),
        (check_sms_body, "y" * 1700, "Message",
         "Message: too long at 1,700 of 1,600 characters. Remove 100 characters."),
    ],
)
def test_text_checks_refuse(check, text, field, message):
    with pytest.raises(FieldError) as info:
        check(text)
    assert str(info.value) == message
    assert info.value.field == field


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("05 Welcome.wav", 5),
        ("5-intro.mp3", 5),
        ("007_x", 7),
        ("12.wav", 12),
        ("12", 12),
        ("0 silence.wav", 0),
        ("  3 padded.wav", 3),
        ("20240501 meeting.mp3", 20240501),
        ("recordings/12 hours.wav", 12),
        ("C:\\Users\\ann\\Music\\09 closing.mp3", 9),
        ("01 album/Welcome.wav", None),
        ("Welcome.wav", None),
        ("Welcome 05.wav", None),
        ("1st message.wav", None),
        ("3D audio.wav", None),
        ("12a3.wav", None),
        ("", None),
        ("9" * 5000 + ".wav", None),
    ],
)
def test_leading_number(filename, expected):
    assert leading_number(filename) == expected


def test_counted_length_is_what_the_limit_error_counts():
    text = "\n" + "x" * 3010 + "\n\n"
    assert counted_length(text) == 3010
    with pytest.raises(FieldError) as info:
        check_tts_text(text)
    assert "3,010 of 3,000 characters" in str(info.value)
