"""The branch designer and the request composer keep drafts like the other tabs:
closing the window loses nothing, and the cvv is never kept."""
from __future__ import annotations

import json
import re

from PySide6.QtCore import Qt

import pytest

from console.api.branch_endpoint import post_branch_request
from console.branch.request import BranchRequest, Payment, Step
from console.ui.branch_tab import BranchTab
from tests.console_env import drive

CVV = "7319"


def make_tab(qtbot, confirm=lambda box: True):
    tab = BranchTab(post_request=post_branch_request, confirm=confirm)
    qtbot.addWidget(tab)
    return tab


def test_a_draft_round_trips_both_designs_and_never_holds_the_cvv(qtbot, qloop):
    tab = make_tab(qtbot)
    qtbot.keyClicks(tab.designer.goto_edit, "150")
    tab.composer.set_request(BranchRequest(
        call_id="AST10-1689867312.264", cid="8459511000", cnam="VOITEX",
        date_time="2023-07-20 11:35:35", did="8459511110", branch_data=(Step("0", "1"),),
        payment_info=(Payment(last_four="4444", expiration="0126", cvv=CVV, amount="57"),)))
    tab.composer.edits["cnam"].setText("FRONT DESK")
    draft = json.loads(json.dumps(tab.draft()))  # as drafts.json holds it
    assert not re.search(rf"(?<![0-9]){CVV}(?![0-9])", json.dumps(draft))

    asked = []
    again = make_tab(qtbot, confirm=lambda box: asked.append(box.text()) or False)
    again.restore_draft(draft)
    assert again.draft_problems == []
    assert again.designer.goto_edit.text() == "150"
    request = again.composer.request()
    assert (request.cnam, request.branch_data) == ("FRONT DESK", (Step("0", "1"),))
    assert request.payment_info[0].amount == "57" and request.payment_info[0].cvv == ""
    # Restored work still counts as unsaved: New asks before throwing it away.
    assert again.editor.is_modified()
    qtbot.mouseClick(again.editor.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(again.composer.new_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2
    assert again.designer.goto_edit.text() == "150"


def test_an_untouched_request_is_not_brought_back_stale(qtbot, qloop):
    tab = make_tab(qtbot)
    draft = json.loads(json.dumps(tab.draft()))
    again = make_tab(qtbot)
    fresh_call = again.composer.request().call_id
    again.restore_draft(draft)
    assert again.composer.request().call_id == fresh_call
    assert not again.designer.is_modified() and not again.composer.is_modified()


@pytest.mark.parametrize("design", [None, [1, 2], {"play": "not a list"}, "150"])
def test_a_damaged_design_in_a_draft_from_before_projects_costs_the_design_only(
        qtbot, qloop, design):
    tab = make_tab(qtbot)
    tab.composer.edits["cnam"].setText("FRONT DESK")
    draft = {key: value for key, value in tab.draft().items()
             if key in ("design", "request", "request_modified")}
    draft["design"] = design
    again = make_tab(qtbot)
    again.restore_draft(draft)
    assert again.draft_problems == ["the response design"]
    assert again.composer.request().cnam == "FRONT DESK"
    assert again.designer.goto_edit.text() == ""


def test_a_draft_from_before_projects_becomes_a_project_with_its_design(qtbot, qloop):
    again = make_tab(qtbot)
    again.restore_draft({"design": {"goto": "150"}, "design_clean": "{}"})
    assert again.draft_problems == []
    assert again.designer.goto_edit.text() == "150"
    assert again.editor.project.triggers[0].otherwise.goto == "150"
    assert again.editor.place.kind == "otherwise" and again.editor.is_modified()


@pytest.mark.parametrize("project", [None, [1], {"format": "voitex-ivr-project", "schema": 9},
                                     {"format": "voitex-ivr-project", "schema": 2,
                                      "triggers": "x"}])
def test_a_damaged_project_in_a_draft_costs_the_project_only(qtbot, qloop, project):
    tab = make_tab(qtbot)
    tab.composer.edits["cnam"].setText("FRONT DESK")
    draft = tab.draft()
    draft["project"] = project
    again = make_tab(qtbot)
    again.restore_draft(draft)
    assert again.draft_problems == ["the IVR project"]
    assert again.composer.request().cnam == "FRONT DESK"


def test_typing_150_and_closing_the_window_loses_nothing(qtbot, qloop, memory_keyring):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    app.window.show()
    try:
        app.window.show_tab("branch")
        designer = app.tabs["branch"].designer
        designer.goto_edit.setFocus()
        qtbot.keyClicks(designer.goto_edit, "150")
        app.window.close()
    finally:
        drive(app.shutdown(), timeout_s=20)
    again = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    again.window.show()
    try:
        designer = again.tabs["branch"].designer
        assert designer.goto_edit.text() == "150"
        assert '"goto": "150"' in designer.json_text()
        assert again.tabs["branch"].editor.is_modified()
        assert again.messages.notices.damaged() == []
    finally:
        again.window.close()
        drive(again.shutdown(), timeout_s=20)
