import pytest

from console.branch.lenient import JsonObject, LenientJSONError, describe_fixes, read_json
from tests.branch.fake_endpoint import DOC_RESPONSE_SAMPLE


@pytest.mark.parametrize("text, value", [
    ('{"goto": "150"}', {"goto": "150"}),
    ("[]", []),
    ('  {"a": [1, 2, {"b": null}]}  ', {"a": [1, 2, {"b": None}]}),
    ('"just text"', "just text"),
])
def test_strict_json_is_read_as_it_is(text, value):
    result = read_json(text)
    assert result.value == value
    assert result.fixes == ()
    assert result.was_strict


@pytest.mark.parametrize("text, value, positions", [
    ('{"a": "1",}', {"a": "1"}, [(1, 10)]),
    ("[1, 2,\n]", [1, 2], [(1, 6)]),
    ('{"a": [1,],\n "b": {"c": "d" ,  }\n,}', {"a": [1], "b": {"c": "d"}},
     [(1, 9), (2, 17), (3, 1)]),
    # Commas and brackets inside strings are text, not syntax.
    ('{"a": ", ]", "b": "\\",}",}', {"a": ", ]", "b": '",}'}, [(1, 25)]),
])
def test_trailing_commas_are_removed_and_reported(text, value, positions):
    result = read_json(text)
    assert result.value == value
    assert [(fix.line, fix.column) for fix in result.fixes] == positions
    assert not result.was_strict


def test_the_documentation_response_sample_is_read_with_two_fixes():
    result = read_json(DOC_RESPONSE_SAMPLE)
    assert result.value["inputs"] == {"1": "3", "4": "2", "6": "105"}
    assert result.value["play"][1] == {"type": "tts",
                                       "text": "This is a reply TTS recording from the API."}
    assert len(result.fixes) == 2
    words = describe_fixes(result.fixes)
    assert "2 trailing commas" in words and "documentation's sample" in words


def test_a_byte_order_mark_is_removed_and_reported():
    result = read_json('\ufeff{"a": "b"}')
    assert result.value == {"a": "b"}
    assert "byte-order mark" in describe_fixes(result.fixes)


def test_keep_pairs_keeps_names_written_twice_in_order():
    result = read_json('{"1": "3", "4": "2", "1": "9"}', keep_pairs=True)
    assert isinstance(result.value, JsonObject)
    assert list(result.value) == [("1", "3"), ("4", "2"), ("1", "9")]
    assert result.value.get("1") == "9"
    assert result.value.names() == ["1", "4", "1"]


@pytest.mark.parametrize("text, line, column, words", [
    ("", None, None, "empty"),
    ("   \n ", None, None, "empty"),
    ('{"a": "1" "b": "2"}', 1, 11, "a comma is missing"),
    ("{goto: 150}", 1, 2, "double quotes"),
    ('{"a": \'x\'}', 1, 7, "a value is missing or not valid"),
    ('{"a": "no end}', 1, 7, "not closed"),
    ('{"a": "1"} x', 1, 12, "more text after the end"),
    # The position is in the text as given, even after a trailing comma was removed.
    ('{"a": [1,],\n "b": 1 "c": 2}', 2, 9, "a comma is missing"),
    ('{"a",}', 1, 6, "a colon is missing"),
])
def test_errors_name_line_column_and_say_what_is_wrong(text, line, column, words):
    with pytest.raises(LenientJSONError) as caught:
        read_json(text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert words in error.message
    if line is not None:
        assert error.message.startswith(f"Line {line}, column {column}: ")


@pytest.mark.parametrize("text, line, needs", [
    ('{"goto": "150"', 1, "}"),
    ('{\n  "play": [\n    {"type": "file", "album": "10"}', 3, "] }"),
    ('{\n  "play": [\n    {"type": "file", "text": "Hel', 3, '" } ] }'),
    ('{"goto":   \n', 1, "}"),
    ('{"inputs": {"1": "3",}', 1, "}"),
])
def test_a_cut_off_file_says_what_it_still_needs(text, line, needs):
    with pytest.raises(LenientJSONError) as caught:
        read_json(text)
    message = caught.value.message
    assert message.startswith(f"The text ends too early at line {line}:"), message
    assert f"still needs {needs} to be complete" in message


@pytest.mark.parametrize("text", ['{"a": 1} x', '{"a": 1 "b": 2}', '{"a": tru}'])
def test_other_mistakes_are_not_called_too_early(text):
    with pytest.raises(LenientJSONError) as caught:
        read_json(text)
    assert "too early" not in caught.value.message


@pytest.mark.parametrize("text, line", [
    ('{"a": "1"', 1),
    ('{\n "goto": "150",\n "play": [', 3),
    ('{\n "goto": "150",\n "play": [{"text": "Hel', 3),
])
def test_a_cut_off_text_is_said_to_end_too_early_at_its_last_line(text, line):
    with pytest.raises(LenientJSONError) as caught:
        read_json(text)
    assert caught.value.message.startswith(f"The text ends too early at line {line}:")
    assert caught.value.line == line
