"""Reading what still parses from damaged JSON, and saying what was wrong."""
from __future__ import annotations

import json

import pytest

from console.store.notices import DamagedFile, Notices, join_names, json_problem, set_aside
from console.store.salvage import read_json_file, salvage_json


@pytest.mark.parametrize("text, open_levels, expected", [
    ('{"a": {"x": 1}, "b": {"y": 2', 1, {"a": {"x": 1}}),
    ('{"a": {"x": 1}, "b": {"y": 2}}', 1, {"a": {"x": 1}, "b": {"y": 2}}),
    ('{"v": 1, "items": [{"id": "a"}, {"id": "b", "n": [1,', 2, {"v": 1, "items": [{"id": "a"}]}),
    ('{"v": 1, "items": [{"id": "a"}, {"id": "b", "n": [1,', 1, {"v": 1}),
    ('{"v": 1, "items": [{"id": "a"} {"id": "b"}]}', 2, {"v": 1, "items": [{"id": "a"}]}),
    ('[1, 2, 3', 1, [1, 2, 3]),
    ('{"a": 1}} trailing', 1, {"a": 1}),
    ('{"a": tru', 1, {}),
    ('{5: 1}', 1, {}),
    ("garbage", 1, None),
    ("", 2, None),
    ("[" * 5000, 3, [[[]]]),
])
def test_salvage_keeps_whole_items_before_the_damage(text, open_levels, expected):
    assert salvage_json(text, open_levels=open_levels) == expected


@pytest.mark.parametrize("text, words", [
    ('{"a": [1,', "the file ends too early at line 1"),
    ('{\n "a": "cut her', "the file ends too early at line 2"),
    ('{"a": 1 "b": 2}', "it is not valid JSON (line 1, column 9)"),
])
def test_json_problems_in_words(text, words):
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    assert json_problem(caught.value).startswith(words)


def test_read_json_file_tells_missing_whole_and_damaged(tmp_path):
    path = tmp_path / "state.json"
    assert not read_json_file(path).exists
    path.write_text('{"a": 1}')
    assert read_json_file(path).value == {"a": 1} and not read_json_file(path).damaged
    path.write_bytes(b'{"a": 1, "b": "\xff\xfe"}')
    reading = read_json_file(path)
    assert reading.damaged and "not text" in reading.problem and reading.value["a"] == 1
    path.write_text("   ")
    assert read_json_file(path).problem == "it is empty"


@pytest.mark.expect_log("WARNING", r"could not set .*missing.json aside", logger="console.store.notices")
def test_set_aside_moves_or_copies_and_never_overwrites_an_earlier_copy(tmp_path):
    path = tmp_path / "drafts.json"
    path.write_text("first")
    first = set_aside(path)
    assert not path.exists() and first.read_text() == "first"
    path.write_text("second")
    second = set_aside(path, keep=True)
    assert second != first and second.read_text() == "second" and path.exists()
    assert set_aside(tmp_path / "missing.json") is None


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
def test_notices_collect_log_and_tell_listeners(caplog):
    notices = Notices()
    heard = []
    notices.subscribe(heard.append)
    notice = notices.damaged_file(path="/cfg/profiles.json", what="Your profiles",
                                  problem="it is empty", saved="no profile",
                                  kept_as="/cfg/profiles.json.broken-1")
    assert heard == [notice] and notices.damaged() == [notice] and len(notices) == 1
    assert notices.about("/cfg/profiles.json") == [notice]
    assert notice.text() == ("Your profiles (profiles.json): it is empty. Saved from it: "
                             "no profile. The damaged copy was kept as "
                             "/cfg/profiles.json.broken-1.")
    assert "profiles.json" in caplog.text
    assert "still at" in DamagedFile(path=notice.path, what="x", problem="p", saved="s").text()


@pytest.mark.parametrize("names, words", [
    ([], ""), (["SMS"], "SMS"), (["SMS", "Calls"], "SMS and Calls"),
    (["TTS", "SMS", "Calls"], "TTS, SMS and Calls"),
])
def test_join_names(names, words):
    assert join_names(names) == words
