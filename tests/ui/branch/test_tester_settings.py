"""The endpoint tester's remembered settings: a damaged field costs that field only."""
from __future__ import annotations

import json

import pytest

from console.store.notices import Notices
from console.ui.branch.tester_settings import read_tester_settings, write_tester_settings

GOOD = {"endpoint_url": "https://desk.example/branch", "budget_s": 3.5, "walk_sends": True}


def _damaged(*values):
    return pytest.param(*values, marks=[
        pytest.mark.expect_log("WARNING", r"the branch tester settings .* are damaged",
                               logger="console.ui.branch.tester_settings"),
        pytest.mark.expect_log("WARNING", r"damaged state file: The branch tester's settings",
                               logger="console.store.notices"),
    ])


@pytest.mark.parametrize("changes, kept, wrong", [
    ({}, GOOD, None),
    ({"budget_s": 4}, {**GOOD, "budget_s": 4.0}, None),
    _damaged({"budget_s": "fast"}, {k: v for k, v in GOOD.items() if k != "budget_s"}, "time budget"),
    _damaged({"budget_s": 1e308 * 10}, {k: v for k, v in GOOD.items() if k != "budget_s"}, "time budget"),
    _damaged({"budget_s": 10**400}, {k: v for k, v in GOOD.items() if k != "budget_s"}, "time budget"),
    _damaged({"endpoint_url": None, "walk_sends": "yes"}, {"budget_s": 3.5}, "endpoint address"),
])
def test_each_setting_is_checked_on_its_own(tmp_path, changes, kept, wrong):
    path = tmp_path / "branch-tester.json"
    path.write_text(json.dumps({**GOOD, **changes}), encoding="utf-8")
    notices = Notices()
    assert read_tester_settings(path, notices) == kept
    if wrong is None:
        assert notices.damaged() == [] and path.exists()
    else:
        [notice] = notices.about(path)
        assert wrong in notice.problem and notice.kept_as.exists() and not path.exists()


def test_settings_are_written_whole(tmp_path):
    path = tmp_path / "config" / "branch-tester.json"
    write_tester_settings(path, GOOD)
    assert read_tester_settings(path) == GOOD
    assert [p.name for p in path.parent.iterdir()] == ["branch-tester.json"]
