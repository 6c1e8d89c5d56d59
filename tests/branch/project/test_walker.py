"""Walking a call offline, keeping the walk, and checking it again later."""
from __future__ import annotations

import json
from dataclasses import replace

from console.branch.project.edits import set_rule
from console.branch.project.model import Place, Project, Trigger, with_reply
from console.branch.project.walker import CallSetup, OfflineWalk, merge_variables
from console.branch.project.walks import compare_reply, differences, replay_offline, walk_summary
from console.branch.request import Payment, Step
from console.branch.schema import Design, TtsPlay
from tests.branch.project.sample import sample_project

TUESDAY_MORNING = "2024-05-14 10:30:00"
TUESDAY_EVENING = "2024-05-14 19:30:00"


def walk(when: str = TUESDAY_MORNING, project: Project | None = None, **setup) -> OfflineWalk:
    result = OfflineWalk(project or sample_project(), CallSetup(date_time=when, **setup))
    result.start()
    return result


def test_a_call_walks_from_the_hotline_through_keys_with_its_variables():
    call = walk()
    first = call.steps[0]
    assert first.request.branch_data == (Step("100"),)
    assert first.request.did == "8459511110" and first.request.variables == ()
    assert first.answered_by == "trigger 100 \u201cConfirm\u201d, its \u201cotherwise\u201d reply"
    assert call.offered() == {"1": "100", "2": "200", "0": "300"}
    assert first.variables == (("appointment", "Tuesday 10:00"),)
    assert first.changed == ("appointment",)

    call.press("2")
    second = call.steps[1]
    # The key is recorded on the branch where it was pressed, as the tester does.
    assert second.request.branch_data == (Step("100", "2"), Step("200"))
    assert second.request.variables == (("appointment", "Tuesday 10:00"),)
    assert second.answered_by == "trigger 200 \u201cReschedule\u201d, rule 1 \u201cHas an appointment\u201d"
    assert second.variables == (("appointment", "Tuesday 10:00"), ("status", "reschedule"))

    call.press("0")
    assert call.steps[2].answered_by.endswith("rule 1 \u201cOffice hours\u201d")
    assert call.goto_target() == "500" and call.offered() == {}
    call.follow_goto()
    assert call.ended == ("The call goes to branch 500 \u201cFront desk queue\u201d, set up in the "
                          "Voitex portal: not a trigger of this project, so the walk ends here.")
    call.back()
    assert call.ended == "" and call.goto_target() == "500" and len(call.steps) == 3
    assert {s.request.call_id for s in call.steps} == {call.setup.call_id}


def test_the_time_of_day_picks_the_rule():
    evening = walk(TUESDAY_EVENING)
    evening.press("0")
    assert evening.steps[-1].answered_by.endswith("its \u201cotherwise\u201d reply")
    assert evening.ended.startswith("The reply offers no keys and no Go to branch")
    evening.press("1")  # nothing offered any more: nothing happens
    assert len(evening.steps) == 2
    evening.back()
    assert len(evening.steps) == 1 and evening.ended == "" and evening.offered()


def test_without_the_variable_the_other_rule_answers():
    project = sample_project()
    project = with_reply(project, Place("otherwise", 0),
                         replace(project.triggers[0].otherwise, variables=()))
    call = walk(project=project)
    call.press("2")
    assert call.steps[-1].answered_by.endswith("its \u201cotherwise\u201d reply")


def test_the_walk_cannot_start_without_a_first_trigger():
    for start, words in (("", "first branch is not set"), ("500", "is not one of its triggers")):
        call = walk(project=replace(sample_project(), start_branch=start))
        assert call.steps == [] and words in call.ended


def test_a_key_to_a_branch_the_project_does_not_know():
    project = Project(start_branch="1", triggers=(Trigger("1", otherwise=Design(
        play=(TtsPlay("x"),), inputs=(("5", "77"),))),))
    call = walk(project=project)
    call.press("5")
    assert "branch 77, which the project does not know" in call.ended


def test_a_saved_walk_keeps_requests_and_replies_never_the_cvv():
    call = walk(payments=(Payment(last_four="4444", cvv="7319", amount="57"),))
    assert call.steps[0].request.payment_info[0].cvv == "7319"  # as Voitex would send it
    call.press("2")
    saved = call.saved("Reschedule")
    assert saved.name == "Reschedule" and [s.how for s in saved.steps] == ["start", "key"]
    assert saved.steps[1].key == "2"
    for step in saved.steps:
        assert "7319" not in step.request
        assert json.loads(step.request)["payment_info"][0]["last_four"] == "4444"
    assert saved.steps[1].expect == call.steps[1].reply


def test_saved_walks_are_checked_again_against_the_changed_project():
    project = sample_project()
    results = replay_offline(project)
    assert [walk_summary(results, w) for w in range(len(project.walks))] == [(3, 3), (2, 2)]
    changed = set_rule(project, 2, 0, when="time is between 11:00 and 17:00")
    results = replay_offline(changed)
    assert walk_summary(results, 0) == (2, 3)
    wrong = next(r for r in results if not r.matches)
    assert (wrong.walk, wrong.step) == (0, 2)
    assert wrong.words.startswith("Go to branch is none instead of 500. It plays \u201cThe office")


def test_differences_are_said_field_by_field():
    expected = Design(goto="1", play=(TtsPlay("a"),), inputs=(("1", "2"),),
                      variables=(("x", "1"),))
    assert differences(expected, expected) == []
    assert differences(expected, Design()) == [
        "Go to branch is none instead of 1.", "It plays nothing instead of \u201ca\u201d.",
        "Its keys are none instead of 1 \u2192 2.", "It sets none instead of x = 1."]
    assert compare_reply(expected, '{"goto": 1, "play": [{"type": "tts", "text": "a"}], '
                                   '"inputs": {"1": "2"}, "variables": {"x": "1"}}')[0]
    assert compare_reply(expected, "<html>")[1].startswith("The reply is not a branch response")


def test_merging_variables_keeps_their_places():
    assert merge_variables((("a", "1"), ("b", "2")), (("b", "3"), ("c", "4"))) == (
        ("a", "1"), ("b", "3"), ("c", "4"))
