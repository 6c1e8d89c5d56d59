"""Hypothesis strategies for conditions and the requests they are checked against."""
from __future__ import annotations

from hypothesis import strategies as st

from console.branch.project.conditions import DAYS, AllOf, Always, AnyOf, CallFacts, Clause, Not

# Few values, so tests and facts often meet.
WORDS = st.sampled_from(["1", "2", "0", "#", "100", "200", "845", "ok", "and", "a b", ""])
VALUES = st.lists(WORDS | st.text(max_size=4), min_size=1, max_size=3).map(tuple)
BRANCHES = st.sampled_from(["100", "200", "300", "0"])
TIMES = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23),
                  st.sampled_from([0, 30, 59])) | st.just("24:00")
NAMES = st.sampled_from(["appointment", "status", "caller_pin ", "time", ""]) | st.text(max_size=3)


def _tests() -> st.SearchStrategy[Clause]:
    text = st.builds(
        lambda subject, op, values: Clause(subject, op, () if op == "is_empty" else values),
        st.sampled_from(["input", "caller", "hotline"]),
        st.sampled_from(["is", "is_empty", "starts_with", "contains"]), VALUES)
    variable = st.builds(
        lambda op, values, name: Clause("variable", op,
                                      () if op in ("is_empty", "is_set") else values, name),
        st.sampled_from(["is", "is_empty", "is_set", "starts_with", "contains"]), VALUES, NAMES)
    path = st.builds(lambda op, values: Clause("path", op, values),
                     st.sampled_from(["ends_with", "contains"]),
                     st.lists(BRANCHES, min_size=1, max_size=3).map(tuple))
    time = st.builds(lambda a, b: Clause("time", "between", (a, b)), TIMES, TIMES)
    day = st.builds(lambda days: Clause("day", "is", days),
                    st.lists(st.sampled_from(DAYS), min_size=1, max_size=3).map(tuple))
    return st.one_of(text, variable, path, time, day)


def conditions():
    base = st.one_of(st.just(Always()), _tests())
    return st.recursive(base, lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(AllOf, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(AnyOf, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ), max_leaves=8)


def facts():
    return st.builds(
        CallFacts,
        input=WORDS,
        path=st.lists(BRANCHES, max_size=4).map(tuple),
        variables=st.lists(st.tuples(NAMES, WORDS), max_size=3).map(tuple),
        caller=WORDS,
        hotline=WORDS,
        minute=st.none() | st.integers(0, 1439),
        day=st.none() | st.sampled_from(DAYS),
    )
