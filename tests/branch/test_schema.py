import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.branch.schema import Design, DesignFormatError, FilePlay, TtsPlay, design_to_json, parse_design
from tests.branch.fake_endpoint import DOC_RESPONSE_SAMPLE

DOC_DESIGN = Design(
    goto="150",
    play=(FilePlay("10", "25"), TtsPlay("This is a reply TTS recording from the API.")),
    inputs=(("1", "3"), ("4", "2"), ("6", "105")),
    variables=(("album_num", "13"), ("var_2", "var_val")),
)


# -- reading valid responses ------------------------------------------------------

@pytest.mark.parametrize("text, design", [
    ("{}", Design()),
    ('{"goto": "150"}', Design(goto="150")),
    ('{"play": [{"type": "tts", "text": "Hello"}]}', Design(play=(TtsPlay("Hello"),))),
    ('{"play": [{"type": "file", "album": "1", "sort": "5"}], "inputs": {"#": "7"}}',
     Design(play=(FilePlay("1", "5"),), inputs=(("#", "7"),))),
    ('{"variables": {"caller_pin ": "123"}}', Design(variables=(("caller_pin ", "123"),))),
    # Field order in the file does not matter.
    ('{"inputs": {"1": "2"}, "goto": "3"}', Design(goto="3", inputs=(("1", "2"),))),
    # The documentation's sample, with its trailing commas removed by hand.
    (DOC_RESPONSE_SAMPLE.replace('API.", }', 'API." }').replace('"105", }', '"105" }'),
     DOC_DESIGN),
    # Mistakes that are still JSON are kept as typed, for validation to point at.
    ('{"goto": " 15a", "inputs": {"10": "", "1": "2", "1": "3"}}',
     Design(goto=" 15a", inputs=(("10", ""), ("1", "2"), ("1", "3")))),
    ('{"play": [{"type": "file", "album": "", "sort": ""}]}',
     Design(play=(FilePlay("", ""),))),
])
def test_valid_responses_are_read_without_notes(text, design):
    parsed = parse_design(text)
    assert parsed.design == design
    assert parsed.notes == ()


def test_the_documentation_sample_verbatim_opens_with_one_warning():
    parsed = parse_design(DOC_RESPONSE_SAMPLE)
    assert parsed.design == DOC_DESIGN
    assert [note.code for note in parsed.notes] == ["import.lenient"]
    assert parsed.notes[0].severity == "warning"
    assert "trailing commas" in parsed.notes[0].message
    assert "saves or copies is valid JSON" in parsed.notes[0].message


@pytest.mark.parametrize("text, design, codes", [
    ('{"goto": 150, "inputs": {"1": 3}}', Design(goto="150", inputs=(("1", "3"),)),
     ["import.number_as_text", "import.number_as_text"]),
    ('{"play": [{"text": "Hi"}, {"album": "1", "sort": "2"}]}',
     Design(play=(TtsPlay("Hi"), FilePlay("1", "2"))),
     ["import.type_added", "import.type_added"]),
    ('{"play": [{"type": "TTS", "text": "Hi"}]}', Design(play=(TtsPlay("Hi"),)),
     ["import.type_normalised"]),
    ('{"play": [{"type": "file", "album": "1", "sort": "2", "text": "x"}]}',
     Design(play=(FilePlay("1", "2"),)), ["import.item_field_dropped"]),
    ('{"play": {"type": "tts", "text": "Hi"}}', Design(play=(TtsPlay("Hi"),)),
     ["import.play_single"]),
    ('{"variables": [{"a": "1"}, {"b": "2"}]}', Design(variables=(("a", "1"), ("b", "2"))),
     ["import.list_of_objects"]),
    ('{"goto": "1", "extra": true, "status": "ok"}', Design(goto="1"),
     ["import.unknown_field"]),
    ('{"goto": "1", "goto": "2"}', Design(goto="2"), ["import.field_repeated"]),
    ('{"goto": ""}', Design(), ["import.goto_empty"]),
    ('{"goto": null}', Design(), ["import.goto_null"]),
])
def test_readable_variations_are_read_with_a_note_each(text, design, codes):
    parsed = parse_design(text)
    assert parsed.design == design
    assert [note.code for note in parsed.notes] == codes
    assert all(note.severity == "warning" for note in parsed.notes)


@pytest.mark.parametrize("text, words, path", [
    ("", "not valid JSON", ()),
    ("{'goto': '150'}", "Line 1, column 2", ()),
    ("[1, 2]", "must be a JSON object", ()),
    ('"goto"', "must be a JSON object", ()),
    ('{"goto": ["150"]}', "must be text in double quotes", ("goto",)),
    ('{"goto": true}', "not true or false", ("goto",)),
    ('{"play": "hello"}', "must be a list", ("play",)),
    ('{"play": ["hello"]}', "Play item 1 must be an object", ("play", 0)),
    ('{"play": [{"type": "audio", "file": "x.wav"}]}', "\"audio\"", ("play", 0, "type")),
    ('{"play": [{"kind": "x"}]}', "has no \"type\"", ("play", 0)),
    ('{"inputs": ["1", "2"]}', "must be an object", ("inputs",)),
    ('{"inputs": {"1": {"branch": "2"}}}', "not an object", ("inputs", 0, "value")),
    ('{"variables": "a=1"}', "must be an object", ("variables",)),
])
def test_unusable_responses_are_refused_with_a_reason(text, words, path):
    with pytest.raises(DesignFormatError) as caught:
        parse_design(text)
    assert words in caught.value.message
    assert caught.value.path == path


# -- writing ----------------------------------------------------------------------

def test_pretty_and_compact_json_match_the_standard_library():
    as_dict = json.loads(design_to_json(DOC_DESIGN))
    assert design_to_json(DOC_DESIGN) == json.dumps(as_dict, indent=2, ensure_ascii=False)
    assert design_to_json(DOC_DESIGN, compact=True) == json.dumps(
        as_dict, separators=(",", ":"), ensure_ascii=False)
    assert list(as_dict) == ["goto", "play", "inputs", "variables"]


def test_the_empty_design_is_an_empty_object():
    assert design_to_json(Design()) == "{}"
    assert design_to_json(Design(), compact=True) == "{}"


def test_a_key_given_twice_is_written_twice_and_read_back_twice():
    design = Design(play=(TtsPlay("Menu"),), inputs=(("1", "100"), ("1", "200")))
    text = design_to_json(design)
    assert text.count('"1": ') == 2
    assert parse_design(text).design == design


def test_line_separators_inside_text_are_escaped():
    design = Design(play=(TtsPlay("a\u2028b\u2029c\nd"),))
    text = design_to_json(design, compact=True)
    assert "\u2028" not in text and "\\u2028" in text and "\\n" in text
    assert parse_design(text).design == design


# -- any design the designer can build survives JSON --------------------------------

# What a text cell or field can hold; the goto field's empty text means "no goto".
texts = st.text(max_size=40)
play_items = st.one_of(st.builds(FilePlay, album=texts, sort=texts),
                       st.builds(TtsPlay, text=texts))
pairs = st.lists(st.tuples(texts, texts), max_size=8).map(tuple)
designs = st.builds(
    Design,
    goto=st.none() | st.text(min_size=1, max_size=20),
    play=st.lists(play_items, max_size=8).map(tuple),
    inputs=pairs,
    variables=pairs,
)


@settings(max_examples=300, deadline=None)
@given(design=designs, compact=st.booleans())
def test_any_design_serialises_to_json_that_parses_back_to_the_same_design(design, compact):
    text = design_to_json(design, compact=compact)
    json.loads(text)  # valid JSON for any JSON reader
    parsed = parse_design(text)
    assert parsed.design == design
    assert parsed.notes == ()


@settings(max_examples=100, deadline=None)
@given(design=designs)
def test_pretty_and_compact_forms_are_the_same_design(design):
    pretty = parse_design(design_to_json(design)).design
    compact = parse_design(design_to_json(design, compact=True)).design
    assert pretty == compact == design
