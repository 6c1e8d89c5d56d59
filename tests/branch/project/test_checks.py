"""The project-wide check: each kind of problem found, worded, and tied to its place."""
from __future__ import annotations

from dataclasses import replace

from console.branch.project.checks import check_project
from console.branch.project.edits import set_rule
from console.branch.project.model import OtherBranch, Place, Project, Rule, Trigger, place_of_path
from console.branch.schema import Design, FilePlay, TtsPlay
from tests.branch.project.sample import sample_project


def codes(findings):
    return {(f.code, f.path) for f in findings}


def menu(**changes) -> Project:
    """A first branch 100 offering keys 1 -> 200 and 2 -> 300."""
    project = Project(
        name="Menu", start_branch="100", other_branches=(OtherBranch("500", "Queue"),),
        triggers=(
            Trigger("100", "Menu", (), Design(play=(TtsPlay("Press 1 or 2"),),
                                              inputs=(("1", "200"), ("2", "300")),
                                              variables=(("seen", "yes"),))),
            Trigger("200", "One", (Rule("Seen", "variable seen is set",
                                        Design(play=(TtsPlay("Hi"),), goto="500")),),
                    Design(goto="500")),
            Trigger("300", "Two", (), Design(goto="500")),
        ))
    return replace(project, **changes)


def test_the_sample_and_a_sound_menu_have_nothing_to_say():
    assert check_project(sample_project()) == ()
    assert check_project(menu()) == ()


def test_a_goto_and_a_key_that_lead_nowhere():
    project = menu()
    triggers = list(project.triggers)
    triggers[0] = replace(triggers[0], otherwise=replace(
        triggers[0].otherwise, goto="999", inputs=(("1", "200"), ("2", "301"))))
    findings = check_project(replace(project, triggers=tuple(triggers)))
    nowhere = [f for f in findings if f.code == "project.leads_nowhere"]
    assert [f.path for f in nowhere] == [("triggers", 0, "otherwise", "goto"),
                                         ("triggers", 0, "otherwise", "inputs", 1, "branch")]
    assert nowhere[0].message.startswith("Trigger 100 \u201cMenu\u201d, \u201cotherwise\u201d "
                                         "reply: its Go to branch leads to branch 999")
    assert "add the branch under Other branches" in nowhere[1].message
    assert place_of_path(nowhere[1].path) == (Place("otherwise", 0), ("inputs", 1, "branch"))


def test_a_key_to_a_trigger_where_no_rule_answers_it():
    project = menu()
    triggers = list(project.triggers)
    triggers[2] = Trigger("300", "Two", (Rule("Only 3", "input is 3", Design(goto="500")),),
                          Design())
    findings = check_project(replace(project, triggers=tuple(triggers)))
    found = [f for f in findings if f.code == "project.nothing_answers"]
    assert [f.path for f in found] == [("triggers", 0, "otherwise", "inputs", 1, "branch")]
    assert "where no rule answers key 2 and the \u201cotherwise\u201d reply is empty" in \
        found[0].message
    # A rule that can answer key 2 (or one that depends on more than the key) is enough.
    triggers[2] = replace(triggers[2], rules=(Rule("2", "input is 3, 2", Design(goto="500")),))
    assert not [f for f in check_project(replace(project, triggers=tuple(triggers)))
                if f.code == "project.nothing_answers"]


def test_a_variable_read_before_any_reply_sets_it():
    project = menu()
    triggers = list(project.triggers)
    triggers[0] = replace(triggers[0], otherwise=replace(triggers[0].otherwise, variables=()))
    findings = check_project(replace(project, triggers=tuple(triggers)))
    found = [f for f in findings if f.code == "project.variable_unset"]
    assert [f.path for f in found] == [("triggers", 1, "rules", 0, "when")]
    assert "reads the variable \u201cseen\u201d, but no reply in the project sets it" in \
        found[0].message
    # Set only by a trigger the call reaches later: not "on the way".
    triggers[2] = replace(triggers[2], otherwise=Design(goto="500", variables=(("seen", "1"),)))
    found = [f for f in check_project(replace(project, triggers=tuple(triggers)))
             if f.code == "project.variable_unset"]
    assert "no reply on the way to this trigger sets it" in found[0].message


def test_a_recording_missing_from_the_catalogue():
    project = menu()
    triggers = list(project.triggers)
    triggers[1] = replace(triggers[1], otherwise=Design(
        play=(FilePlay("10", "25"), FilePlay("10", "26")), goto="500"))
    project = replace(project, triggers=tuple(triggers))
    assert not [f for f in check_project(project) if f.code == "project.not_in_library"]
    found = [f for f in check_project(project, frozenset({(10, 25)}))
             if f.code == "project.not_in_library"]
    assert [f.path for f in found] == [("triggers", 1, "otherwise", "play", 1)]
    assert "album 10 / sort 26, is not in the Library's catalogue" in found[0].message


def test_conditions_rules_and_numbers():
    project = menu()
    project = set_rule(project, 1, 0, when="input is")
    triggers = list(project.triggers)
    triggers[2] = replace(triggers[2], branch="200", rules=(
        Rule("All", "always", Design(goto="500")),
        Rule("Late", "time is between 10:00 and 10:00", Design(goto="500"))))
    findings = check_project(replace(project, triggers=tuple(triggers), start_branch="1 00"))
    found = codes(findings)
    assert ("project.bad_condition", ("triggers", 1, "rules", 0, "when")) in found
    assert ("project.duplicate_trigger", ("triggers", 2, "branch")) in found
    assert ("project.unreachable_rule", ("triggers", 2, "rules", 1, "when")) in found
    assert ("project.empty_time", ("triggers", 2, "rules", 1, "when")) in found
    assert ("project.bad_start", ("settings", "start_branch")) in found
    bad = next(f for f in findings if f.code == "project.bad_condition")
    assert bad.message == ("Trigger 200 \u201cOne\u201d, rule 1 \u201cSeen\u201d: its condition "
                           "cannot be read at character 9: Expected a value after \u201cis\u201d, "
                           "not the end. The rule never answers until it is corrected.")
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["error", "warning", "info"].index)


def test_each_reply_brings_its_own_findings_with_its_place():
    project = menu()
    triggers = list(project.triggers)
    triggers[1] = replace(triggers[1], rules=(Rule("Seen", "variable seen is set", Design(
        play=(TtsPlay(""),), inputs=(("x", "500"),))),))
    findings = check_project(replace(project, triggers=tuple(triggers)))
    found = codes(findings)
    assert ("project.play.no_text", ("triggers", 1, "rules", 0, "reply", "play", 0, "text")) in found
    assert ("project.inputs.not_keypad", ("triggers", 1, "rules", 0, "reply", "inputs", 0, "key")) \
        in found
    assert place_of_path(("triggers", 1, "rules", 0, "reply", "play", 0, "text")) == (
        Place("rule", 1, 0), ("play", 0, "text"))


def test_settings_and_a_trigger_no_reply_leads_to():
    project = menu(start_branch="", triggers=menu().triggers + (Trigger("700", "Lonely", (),
                                                                        Design(goto="500")),))
    found = codes(check_project(project))
    assert ("project.no_start", ("settings", "start_branch")) in found
    assert ("project.not_reached", ("triggers", 3)) not in found  # no start: no flow to judge
    found = codes(check_project(replace(project, start_branch="100")))
    assert ("project.not_reached", ("triggers", 3)) in found
    assert ("project.start_not_trigger", ("settings", "start_branch")) in codes(
        check_project(replace(project, start_branch="500")))
    assert ("project.no_triggers", ("settings",)) in codes(check_project(Project()))
