"""The .voitexivr file: stable and diff-friendly, the older schema and a single
design opened as projects, and damaged or hostile files told in words."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.branch.project.model import Project, Rule, Trigger
from console.branch.project.project_file import (
    MAX_FILE_BYTES,
    ProjectFormatError,
    parse_project_bytes,
    parse_project_text,
    project_to_text,
)
from console.branch.schema import Design, FilePlay, TtsPlay
from console.resources import read_resource_text
from tests.branch.project.sample import SAMPLE, sample_project


def test_the_sample_is_written_exactly_as_the_console_writes_it():
    text = read_resource_text(SAMPLE)
    opened = parse_project_text(text)
    assert opened.schema == 2 and opened.notes == ()
    assert project_to_text(opened.project) == text


def test_the_file_is_sorted_indented_and_keeps_what_was_typed():
    project = Project(name="Z", triggers=(Trigger(branch="100 ", rules=(Rule(
        "b", "input is", Design(inputs=(("1", "200"), ("1", "300")),
                                variables=(("z", "1"), ("a", "2")))),)),))
    text = project_to_text(project)
    assert text.endswith("}\n") and "\n  \"fallback\"" in text
    value = json.loads(text)
    assert list(value) == sorted(value)
    assert value["schema"] == 2 and value["format"] == "voitex-ivr-project"
    # A key given twice and the order of variables survive the sorted keys.
    reply = value["triggers"][0]["rules"][0]["reply"]
    assert reply["inputs"] == [{"branch": "200", "key": "1"}, {"branch": "300", "key": "1"}]
    assert [v["name"] for v in reply["variables"]] == ["z", "a"]
    assert parse_project_text(text).project == project


def test_a_schema_1_project_opens_and_says_it_will_be_saved_as_schema_2():
    old = {
        "format": "voitex-ivr-project", "schema": 1, "name": "Old", "hotline": "8459511110",
        "start_branch": "100",
        "fallback": {"play": [{"type": "tts", "text": "Sorry."}]},
        "triggers": [{"branch": "100", "name": "Menu",
                      "rules": [{"name": "One", "when": "input is 1",
                                 "reply": {"goto": "200", "inputs": {"1": "100", "2": 300}}}],
                      "otherwise": {"play": [{"type": "file", "album": "10", "sort": "25"}]}}],
    }
    opened = parse_project_text(json.dumps(old, indent=2))
    assert opened.schema == 1
    assert opened.project == Project(
        name="Old", hotline="8459511110", start_branch="100",
        fallback=Design(play=(TtsPlay("Sorry."),)),
        triggers=(Trigger("100", "Menu", (Rule("One", "input is 1", Design(
            goto="200", inputs=(("1", "100"), ("2", "300")))),),
            Design(play=(FilePlay("10", "25"),))),))
    assert opened.notes[0].startswith("This project was written in the older schema 1")
    assert any("was written as the number 300" in note for note in opened.notes)
    again = parse_project_text(project_to_text(opened.project))
    assert again.schema == 2 and again.project == opened.project


def test_a_single_response_design_opens_as_a_project_with_one_trigger():
    opened = parse_project_text('{"goto": "150", "play": [{"type": "tts", "text": "Hi",},],}')
    assert opened.schema == 0
    assert opened.project.triggers == (Trigger(otherwise=Design(
        goto="150", play=(TtsPlay("Hi"),))),)
    assert "single reply" in opened.notes[0]


@pytest.mark.parametrize("text, words", [
    ("", "This is not valid JSON. The text is empty"),
    ('{"format": "voitex-ivr-project", "schema": 2, "triggers": [', "ends too early"),
    ("[1, 2]", "An IVR project file must be an object in curly brackets, not a list."),
    ('{"hello": 1}', "This is not an IVR project file"),
    ('{"format": "something-else", "schema": 1}', "its \u201cformat\u201d is not"),
    ('{"format": "voitex-ivr-project", "schema": "2"}', "must be a whole number"),
    ('{"format": "voitex-ivr-project", "schema": 3}', "newer Voitex Console (schema 3)"),
    ('{"format": "voitex-ivr-project", "schema": 2, "triggers": {}}',
     "Triggers must be a list in square brackets, not an object."),
    ('{"format": "voitex-ivr-project", "schema": 2, "triggers": [{"rules": [{"when": []}]}]}',
     "Trigger 1, rule 1, its condition (when) must be text in double quotes, not a list."),
    ('{"format": "voitex-ivr-project", "schema": 2, "triggers": [{"otherwise": {"play": 3}}]}',
     "Trigger 1, its \u201cotherwise\u201d reply: \"play\" must be a list"),
    ('{"format": "voitex-ivr-project", "schema": 2, "walks": [{"steps": [{"how": "fly"}]}]}',
     "Walk 1, step 1, its request must be an object"),
    ("[" * 100_000, "nested too deeply"),
])
def test_damaged_files_are_told_in_words(text, words):
    with pytest.raises(ProjectFormatError) as caught:
        parse_project_text(text)
    assert words in caught.value.message


def test_binary_and_huge_files_are_refused_by_what_they_are():
    with pytest.raises(ProjectFormatError, match="not a text file"):
        parse_project_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ProjectFormatError, match="at most 5,000,000"):
        parse_project_bytes(b" " * (MAX_FILE_BYTES + 1))


def test_a_card_verification_value_in_a_saved_walk_is_dropped_on_opening():
    value = json.loads(project_to_text(sample_project()))
    step = value["walks"][0]["steps"][0]
    step["request"]["payment_info"] = [{"last_four": "4444", "cvv": 7319}]
    opened = parse_project_text(json.dumps(value))
    assert "7319" not in opened.project.walks[0].steps[0].request
    assert "4444" in opened.project.walks[0].steps[0].request
    assert any("card verification value" in note for note in opened.notes)


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.sampled_from(
                         ["format", "schema", "triggers", "rules", "when", "reply", "walks",
                          "steps", "request", "how", "play", "inputs", "goto", "otherwise",
                          "name", "variables", "key", "branch", "type", "text"]), inner,
                         max_size=4), max_leaves=12)


@settings(max_examples=300)
@given(_JSON, st.booleans())
def test_any_json_is_a_project_or_a_message(value, as_project):
    if as_project and isinstance(value, dict):
        value = {**value, "format": "voitex-ivr-project", "schema": 2}
    try:
        opened = parse_project_text(json.dumps(value))
    except ProjectFormatError as error:
        assert error.message
    else:
        assert parse_project_text(project_to_text(opened.project)).project == opened.project
