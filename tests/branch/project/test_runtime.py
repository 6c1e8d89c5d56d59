"""Choosing the reply for a request, and judging a condition on what is known
before the call: properties against `evaluate`, and the request read leniently."""
from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from console.branch.project.conditions import CallFacts, evaluate, format_condition
from console.branch.project.partial import Known, could_hold
from console.branch.project.runtime import (
    RuntimeProject,
    RuntimeRule,
    RuntimeTrigger,
    choose_reply,
    facts_from_payload,
    load_project,
    version_of,
)
from tests.branch.project.strategies import conditions, facts


@given(conditions(), facts(), st.booleans(), st.integers(0, 4))
def test_what_is_known_before_the_call_never_contradicts_the_call(condition, facts_,
                                                                  input_known, end_size):
    end = facts_.path[max(0, len(facts_.path) - end_size):]
    known = Known(input=facts_.input if input_known else None, path_end=end,
                  path_complete=len(end) == len(facts_.path))
    verdict = could_hold(condition, known)
    assert verdict is None or verdict is evaluate(condition, facts_)


def payload_of(facts_: CallFacts) -> dict:
    steps = [{"branch": branch, "input": ""} for branch in facts_.path]
    if steps:
        steps[-1]["input"] = facts_.input
    minute = facts_.minute if facts_.minute is not None else 0
    return {"cid": facts_.caller, "did": facts_.hotline,
            "date_time": f"2024-05-13 {minute // 60:02d}:{minute % 60:02d}:00",  # a Monday
            "branch_data": steps, "variables": [dict(facts_.variables)]}


@given(st.lists(conditions(), max_size=4), facts())
def test_the_first_rule_that_holds_answers_else_otherwise(rules, facts_):
    facts_ = replace(facts_, path=facts_.path or ("100",))
    payload = payload_of(facts_)
    seen = facts_from_payload(payload)
    project = RuntimeProject("p", "v", "FALLBACK", (RuntimeTrigger(
        facts_.path[-1], "t",
        tuple(RuntimeRule(f"r{n}", rule, f"REPLY{n}") for n, rule in enumerate(rules)),
        "OTHERWISE"),))
    choice = choose_reply(project, payload)
    matching = [n for n, rule in enumerate(rules) if evaluate(rule, seen)]
    if matching:
        assert (choice.rule, choice.reply) == (matching[0], f"REPLY{matching[0]}")
    else:
        assert (choice.rule, choice.reply) == (None, "OTHERWISE")
    assert choice.trigger == 0


def test_the_request_is_read_as_voitex_writes_it():
    facts_ = facts_from_payload({
        "cid": "8459511000", "did": "8459511110", "date_time": "2023-07-20 11:35:35",
        "branch_data": [{"branch": "0", "input": "1"}, {"branch": "1000", "input": "17"},
                        {"branch": "2000", "input": ""}],
        "variables": [{"caller_pin ": "123", "var_2": "var_val"}, {"var_2": 5}]})
    assert facts_ == CallFacts(input="17", path=("0", "1000", "2000"),
                               variables=(("caller_pin ", "123"), ("var_2", "var_val"),
                                          ("var_2", "5")),
                               caller="8459511000", hotline="8459511110",
                               minute=11 * 60 + 35, day="thu")
    assert facts_.variable("var_2") == "5"


@given(st.dictionaries(st.sampled_from(["cid", "did", "date_time", "branch_data", "variables"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                                    lambda inner: st.lists(inner, max_size=3)
                                    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                                    max_leaves=6)))
def test_a_request_of_any_shape_is_read_without_an_error(payload):
    facts_from_payload(payload)
    project = load_project({"name": "p", "fallback": "{}", "triggers": [
        {"branch": "1", "name": "t", "rules": [{"name": "r", "when": "input is 1 or always",
                                                "reply": "{}"}], "otherwise": "{}"}]})
    assert choose_reply(project, payload).reply == "{}"


def test_a_request_for_no_trigger_or_no_branch_gets_the_fallback():
    project = load_project({"name": "p", "fallback": "F", "triggers": [
        {"branch": "100", "name": "t", "rules": [], "otherwise": "O"}]})
    assert choose_reply(project, {}).reply == "F"
    assert choose_reply(project, {"branch_data": [{"branch": "999"}]}).reason.startswith(
        "branch 999 is not a trigger")
    assert choose_reply(project, {"branch_data": [{"branch": "100"}]}).reply == "O"


def test_a_condition_that_does_not_parse_never_answers():
    project = load_project({"name": "p", "fallback": "F", "triggers": [
        {"branch": "1", "name": "t", "rules": [{"name": "bad", "when": "input is", "reply": "R"}],
         "otherwise": "O"}]})
    assert project.triggers[0].rules[0].condition is None
    assert choose_reply(project, {"branch_data": [{"branch": "1", "input": ""}]}).reply == "O"


@given(conditions())
def test_the_version_follows_the_rules_and_nothing_else(condition):
    data = {"name": "p", "fallback": "{}", "triggers": [
        {"branch": "1", "name": "t", "rules": [
            {"name": "r", "when": format_condition(condition), "reply": "{}"}],
         "otherwise": "{}"}]}
    same = json.loads(json.dumps({key: data[key] for key in reversed(list(data))}))
    assert version_of(data) == version_of(same) == load_project(data).version
    data["triggers"][0]["rules"][0]["reply"] = '{"goto":"1"}'
    assert version_of(data) != version_of(same)
