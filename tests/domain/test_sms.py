from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    REPLACEMENTS,
    SmsAnalysis,
    analyze_sms,
    describe,
    replace_forcing_chars,
)

relaxed = settings(deadline=None)


def test_basic_table_is_the_gsm_03_38_default_alphabet():
    # 128 code points minus the escape to the extension table.
    assert len(GSM7_BASIC) == 127
    assert "\x1b" not in GSM7_BASIC
    for ch in "@£$¥èéùìòÇ\nØø\rÅå_ÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡§¿ÄÖÑÜäöñüà":
        assert ch in GSM7_BASIC, repr(ch)
    greek = ["DELTA", "PHI", "GAMMA", "LAMDA", "OMEGA", "PI", "PSI", "SIGMA", "THETA", "XI"]
    for name in greek:
        assert unicodedata.lookup(f"GREEK CAPITAL LETTER {name}") in GSM7_BASIC
    assert GSM7_BASIC.issuperset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    # Characters people expect but the alphabet does not have.
    for ch in "`ç\táíóú\u2126\u2206€{":
        assert ch not in GSM7_BASIC, repr(ch)


def test_extension_table():
    assert frozenset("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_EXTENSION & GSM7_BASIC


def test_every_replacement_turns_a_non_gsm_character_into_gsm_text():
    for ch, plain in REPLACEMENTS.items():
        assert ch not in GSM7_BASIC and ch not in GSM7_EXTENSION, repr(ch)
        assert all(c in GSM7_BASIC for c in plain), repr(plain)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments", "limit"),
    [
        ("", "GSM-7", 0, 0, 160),
        ("Your order is ready", "GSM-7", 19, 1, 160),
        ("a" * 160, "GSM-7", 160, 1, 160),
        ("a" * 161, "GSM-7", 161, 2, 153),
        ("a" * 306, "GSM-7", 306, 2, 153),
        ("a" * 307, "GSM-7", 307, 3, 153),
        ("a" * 459, "GSM-7", 459, 3, 153),
        ("Price: 5€", "GSM-7", 10, 1, 160),
        ("{}[]~\\|^€\f", "GSM-7", 20, 1, 160),
        ("{" * 80, "GSM-7", 160, 1, 160),
        ("{" * 81, "GSM-7", 162, 2, 153),
        ("Caf\u00e9 @ 5 \u00a3", "GSM-7", 10, 1, 160),
        ("It\u2019s ready", "UCS-2", 10, 1, 70),
        ("\U0001F44D", "UCS-2", 2, 1, 70),
        ("ok \U0001F44D", "UCS-2", 5, 1, 70),
        ("\u00e1" * 70, "UCS-2", 70, 1, 70),
        ("\u00e1" * 71, "UCS-2", 71, 2, 67),
        ("\u00e1" * 134, "UCS-2", 134, 2, 67),
        ("\u00e1" * 135, "UCS-2", 135, 3, 67),
        ("\U0001F44D" * 35, "UCS-2", 70, 1, 70),
        ("\U0001F44D" * 36, "UCS-2", 72, 2, 67),
    ],
)
def test_encoding_units_and_segments(text, encoding, units, segments, limit):
    analysis = analyze_sms(text)
    assert (analysis.encoding, analysis.units, analysis.segments, analysis.segment_limit) == (
        encoding,
        units,
        segments,
        limit,
    )
    assert analysis.characters == len(text)


def test_an_extension_character_is_never_split_across_parts():
    # 306 septets would fill two parts exactly, but "{" (escape + brace) cannot
    # straddle the boundary after 152 letters, so a third part is needed.
    text = "a" * 152 + "{" + "a" * 152
    analysis = analyze_sms(text)
    assert analysis.units == 306
    assert analysis.segments == 3


def test_an_emoji_is_never_split_across_parts():
    text = "a" * 66 + "\U0001F44D" + "a" * 66
    analysis = analyze_sms(text)
    assert analysis.units == 134
    assert analysis.segments == 3


def test_forcing_characters_are_listed_with_their_index():
    analysis = analyze_sms("It\u2019s \u201cok\u201d \U0001F44D")
    assert analysis.forcing_chars == [
        (2, "\u2019"),
        (5, "\u201c"),
        (8, "\u201d"),
        (10, "\U0001F44D"),
    ]
    assert analysis.replaceable == {"\u2019": "'", "\u201c": '"', "\u201d": '"'}


def test_gsm_text_has_nothing_forcing_or_replaceable():
    analysis = analyze_sms("Plain {text} with € and \u00e9")
    assert analysis.forcing_chars == []
    assert analysis.replaceable == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cHello\u201d \u2014 it\u2019s ready\u2026", "\"Hello\" - it's ready..."),
        ("\u2018a\u2019 \u201ab\u201b \u201ec\u201f", "'a' 'b' \"c\""),
        ("9\u20135 \u2012 x \u2015 y \u2212 z \u2010 \u2011", "9-5 - x - y - z - -"),
        ("Open\u00a0now\u2009today\u202f!", "Open now today !"),
        ("\u2022 milk\n\u2022 eggs", "- milk\n- eggs"),
        ("a\tb", "a b"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("Don`t", "Don't"),
    ],
)
def test_replacements_produce_gsm_7(text, expected):
    before = analyze_sms(text)
    assert before.encoding == "UCS-2"
    replaced = replace_forcing_chars(text)
    assert replaced == expected
    assert analyze_sms(replaced).encoding == "GSM-7"


def test_characters_without_a_plain_equivalent_are_kept():
    text = "\u201cCaf\u00e1\u201d \U0001F44D"
    assert replace_forcing_chars(text) == "\"Caf\u00e1\" \U0001F44D"


def test_ellipses_are_not_expanded_when_that_would_add_a_message():
    text = "\u2026" * 70  # one UCS-2 message; as "..." it would be 210 septets, two messages
    analysis = analyze_sms(text)
    assert analysis.segments == 1
    assert analysis.replaceable == {}
    assert replace_forcing_chars(text) == text


def test_quotes_are_still_replaced_when_ellipses_are_kept():
    text = "\u201c" + "\u2026" * 69
    assert analyze_sms(text).replaceable == {"\u201c": '"'}
    assert replace_forcing_chars(text) == '"' + "\u2026" * 69


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "0 characters · 0 messages · standard characters, 160 per message"),
        ("a", "1 character · 1 message · standard characters, 160 per message"),
        ("a" * 42, "42 characters · 1 message · standard characters, 160 per message"),
        ("a" * 161, "161 characters · 2 messages · standard characters, 153 per message"),
        ("{a}", "3 characters (counted as 5) · 1 message · standard characters, 160 per message"),
        (
            "\u201c" + "a" * 71 + "\u201d \u2014 b",
            "77 characters · 2 messages · special characters (\u201c \u201d \u2014), 67 per message",
        ),
        ("ok \U0001F44D", "4 characters (counted as 5) · 1 message · special characters "
                          "(\U0001F44D), 70 per message"),
        ("a\u00a0b", "3 characters · 1 message · special characters (no-break space), 70 per message"),
        ("a\tb", "3 characters · 1 message · special characters (tab), 70 per message"),
        (
            "\u0430\u0431\u0432\u0433\u0434\u0435\u0436",
            "7 characters · 1 message · special characters (\u0430 \u0431 \u0432 \u0433 \u0434 "
            "and 2 more), 70 per message",
        ),
        ("a" * 1600, "1,600 characters · 11 messages · standard characters, 153 per message"),
    ],
)
def test_describe(text, expected):
    assert describe(analyze_sms(text)) == expected


def test_analysis_is_frozen():
    analysis = analyze_sms("hi")
    assert isinstance(analysis, SmsAnalysis)
    with pytest.raises(AttributeError):
        analysis.segments = 5  # type: ignore[misc]


sms_text = st.one_of(
    st.text(
        alphabet=st.sampled_from(
            sorted(GSM7_BASIC) + sorted(GSM7_EXTENSION) + sorted(REPLACEMENTS)
            + ["\U0001F44D", "\u00e1", "\u200d"]
        ),
        max_size=400,
    ),
    st.text(max_size=200),
    # Runs of a few characters, so texts reach the segment boundaries and long
    # stretches of ellipses sit next to emoji.
    st.lists(
        st.tuples(
            st.sampled_from(["\u2026", "a", "{", "\U0001F44D", "\u201c", "\u200b"]),
            st.integers(min_value=1, max_value=90),
        ),
        max_size=6,
    ).map(lambda runs: "".join(ch * count for ch, count in runs)),
)


@relaxed
@given(sms_text)
def test_replacing_never_adds_a_message_and_leaves_nothing_replaceable(text):
    replaced = replace_forcing_chars(text)
    after = analyze_sms(replaced)
    assert after.segments <= analyze_sms(text).segments
    assert after.replaceable == {}
    # Only an ellipsis may survive, and only where expanding it would cost a message.
    assert set(replaced) & set(REPLACEMENTS) <= {"\u2026"}


@relaxed
@given(st.text(alphabet=st.sampled_from(sorted(GSM7_BASIC) + sorted(REPLACEMENTS)), max_size=400))
def test_text_whose_only_problems_are_look_alikes_becomes_gsm_7(text):
    replaced = replace_forcing_chars(text)
    if "\u2026" not in replaced:
        assert analyze_sms(replaced).encoding == "GSM-7"


@relaxed
@given(sms_text)
def test_segments_hold_at_least_the_units(text):
    analysis = analyze_sms(text)
    assert analysis.segments * analysis.segment_limit >= analysis.units
    assert (analysis.segments == 0) == (text == "")
    assert analysis.encoding == ("UCS-2" if analysis.forcing_chars else "GSM-7")
