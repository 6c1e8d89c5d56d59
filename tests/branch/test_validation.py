import pytest

from console.branch.schema import Design, FilePlay, TtsPlay, parse_design
from console.branch.validation import branch_number_problem, validate
from console.domain.validation import TTS_MAX_CHARS
from tests.branch.fake_endpoint import DOC_RESPONSE_SAMPLE

MENU = (TtsPlay("For hours press 1."),)


def codes(design: Design) -> list[tuple[tuple, str, str]]:
    return [(f.path, f.severity, f.code) for f in validate(design)]


@pytest.mark.parametrize("design", [
    Design(goto="150"),
    Design(play=MENU, inputs=(("1", "100"), ("*", "0"), ("#", "9"))),
    Design(play=(TtsPlay("Bye"),), inputs=(("0", "1"),), variables=(("a", ""), ("b", "x y"))),
    Design(goto="0", variables=(("caller_pin", "123"),)),
])
def test_sound_designs_have_no_problems_or_warnings(design):
    assert [f for f in validate(design) if f.severity != "info"] == []


def test_the_documentation_sample_only_gets_the_note_about_the_two_editions():
    findings = validate(parse_design(DOC_RESPONSE_SAMPLE).design)
    assert [(f.path, f.severity, f.code) for f in findings] == [
        (("goto",), "info", "goto.editions_differ")]
    message = findings[0].message
    assert "two editions" in message and "goes to the Go to branch" in message
    assert "play first" in message and "only counts when there is nothing to play" in message


@pytest.mark.parametrize("design, expected", [
    # a branch number that is not a number
    (Design(goto="15a"), [(("goto",), "error", "goto.not_number")]),
    (Design(goto=" 150"), [(("goto",), "error", "goto.spaces")]),
    (Design(goto="\uff11\uff15\uff10"), [(("goto",), "error", "goto.not_number")]),
    (Design(play=MENU, inputs=(("1", "abc"),)),
     [(("inputs", 0, "branch"), "error", "inputs.bad_branch")]),
    (Design(play=MENU, inputs=(("1", ""),)),
     [(("inputs", 0, "branch"), "error", "inputs.no_branch")]),
    # a key that is not on a keypad, a key used twice
    (Design(play=MENU, inputs=(("10", "1"),)),
     [(("inputs", 0, "key"), "error", "inputs.not_keypad")]),
    (Design(play=MENU, inputs=(("A", "1"),)),
     [(("inputs", 0, "key"), "error", "inputs.not_keypad")]),
    (Design(play=MENU, inputs=(("1 ", "1"),)),
     [(("inputs", 0, "key"), "error", "inputs.key_spaces")]),
    (Design(play=MENU, inputs=(("", "1"),)),
     [(("inputs", 0, "key"), "error", "inputs.no_key")]),
    (Design(play=MENU, inputs=(("1", "2"), ("2", "3"), ("1", "4"))),
     [(("inputs", 2, "key"), "error", "inputs.duplicate_key")]),
    # a play item with no album, sort or text
    (Design(play=(FilePlay("", "25"),)),
     [(("goto",), "info", "response.no_goto"), (("play", 0, "album"), "error", "play.no_album")]),
    (Design(play=(FilePlay("10", " "),)),
     [(("goto",), "info", "response.no_goto"), (("play", 0, "sort"), "error", "play.no_sort")]),
    (Design(play=(TtsPlay("  "),)),
     [(("goto",), "info", "response.no_goto"), (("play", 0, "text"), "error", "play.no_text")]),
    (Design(goto="1", play=(FilePlay("x", "-1"),)),
     [(("goto",), "info", "goto.editions_differ"),
      (("play", 0, "album"), "error", "play.bad_album"),
      (("play", 0, "sort"), "error", "play.bad_sort")]),
    (Design(goto="1", play=(FilePlay("0", "1.5"),)),
     [(("goto",), "info", "goto.editions_differ"),
      (("play", 0, "album"), "error", "play.bad_album"),
      (("play", 0, "sort"), "error", "play.bad_sort")]),
    (Design(goto="1", play=(TtsPlay("a" * (TTS_MAX_CHARS + 1)),)),
     [(("goto",), "info", "goto.editions_differ"),
      (("play", 0, "text"), "warning", "play.long_text")]),
    # variable names used twice or with spaces around them
    (Design(goto="1", variables=(("a", "1"), ("b", "2"), ("a", "3"))),
     [(("variables", 2, "name"), "error", "variables.duplicate_name")]),
    (Design(goto="1", variables=(("caller_pin ", "1"),)),
     [(("variables", 0, "name"), "warning", "variables.name_spaces")]),
    (Design(goto="1", variables=((" ", "1"),)),
     [(("variables", 0, "name"), "error", "variables.no_name")]),
    # a response with nothing in it; one that only sets variables
    (Design(), [((), "warning", "response.empty")]),
    (Design(variables=(("a", "1"),)), [((), "info", "response.variables_only")]),
    # keys with nothing to play
    (Design(inputs=(("1", "2"),)), [(("inputs",), "warning", "inputs.without_play")]),
    (Design(goto="5", inputs=(("1", "2"),)),
     [(("goto",), "info", "goto.editions_differ"),
      (("inputs",), "warning", "inputs.without_play")]),
])
def test_each_rule(design, expected):
    assert codes(design) == expected


@pytest.mark.parametrize("design, must_say", [
    (Design(goto="15a"), ["Go to branch", "“15a”", "not a branch number", "digits only"]),
    (Design(play=MENU, inputs=(("10", "1"),)),
     ["Key row 1", "“10”", "not a key on a phone keypad"]),
    (Design(play=MENU, inputs=(("1", "2"), ("1", "3"))), ["Key 1 is used twice", "rows 1 and 2"]),
    (Design(play=(FilePlay("", "2"),)), ["Play item 1", "no album"]),
    (Design(play=(TtsPlay(""),)), ["Play item 1", "no text"]),
    (Design(goto="1", variables=(("x", "1"), ("x", "2"))), ["“x”", "used twice", "rows 1 and 2"]),
    (Design(goto="1", variables=(("pin ", "1"),)), ["“pin ”", "space", "“pin”"]),
    (Design(), ["empty", "No Route Found"]),
    (Design(inputs=(("1", "2"),)), ["only work while something plays"]),
])
def test_messages_name_the_field_and_the_value_in_plain_words(design, must_say):
    text = " ".join(f.message for f in validate(design))
    for words in must_say:
        assert words in text
    for jargon in ("JSON", "null", "string", "array", "dict", "Traceback"):
        assert jargon not in text


def test_editions_note_names_what_sits_next_to_goto():
    only_play = validate(Design(goto="9", play=MENU))
    only_keys = validate(Design(goto="9", inputs=(("1", "2"),)))
    note = next(f for f in only_play if f.code == "goto.editions_differ")
    assert "next to Play." in note.message
    note = next(f for f in only_keys if f.code == "goto.editions_differ")
    assert "next to Keys." in note.message


@pytest.mark.parametrize("text, fine", [
    ("0", True), ("150", True), ("0150", True), ("", False), (" 1", False), ("1a", False),
    ("-1", False), ("1.0", False), ("\u0661", False),
])
def test_branch_numbers(text, fine):
    assert (branch_number_problem(text) is None) is fine
