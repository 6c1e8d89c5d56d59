"""The offline walk page: keys pressed on the keypad, each request (card data
masked) and reply, the variables as they change, and walks kept as test cases."""
from __future__ import annotations

import json
import re

from PySide6.QtCore import Qt

from console.branch.project.edits import set_rule
from console.branch.request import BranchRequest, Payment, Step
from tests.branch.project.sample import sample_project
from tests.ui.branch.test_project_editor import asked, tab  # noqa: F401 - fixtures

CVV = "7319"


def start(qtbot, tab, when="2024-05-14 10:30:00"):  # noqa: F811 - the fixture, passed on
    tab.pages.setCurrentWidget(tab.walker)
    walker = tab.walker
    walker.time_edit.setText(when)
    qtbot.mouseClick(walker.start_button, Qt.MouseButton.LeftButton)
    return walker


def test_a_call_is_walked_with_the_keypad(qtbot, tab):  # noqa: F811
    tab.editor.set_project(sample_project())
    walker = start(qtbot, tab)
    assert walker.steps_list.count() == 1
    assert walker.keypad.buttons["2"].isEnabled() and walker.keypad.buttons["2"].text() == "2\n\u2192 200"
    assert not walker.keypad.buttons["5"].isEnabled()
    qtbot.mouseClick(walker.keypad.buttons["2"], Qt.MouseButton.LeftButton)
    assert walker.steps_list.count() == 2
    assert "rule 1 \u201cHas an appointment\u201d" in walker.answered.text()
    request = json.loads(walker.request_view.toPlainText())
    assert request["branch_data"] == [{"branch": "100", "input": "2"},
                                      {"branch": "200", "input": ""}]
    assert request["variables"] == [{"appointment": "Tuesday 10:00"}]
    cells = [(walker.variables_table.item(r, 0).text(), walker.variables_table.item(r, 1).text())
             for r in range(walker.variables_table.rowCount())]
    assert cells == [("appointment", "Tuesday 10:00"), ("status \u2605", "reschedule")]
    qtbot.mouseClick(walker.keypad.buttons["0"], Qt.MouseButton.LeftButton)
    assert walker.goto_button.isEnabled() and walker.goto_button.text().endswith("\u2192 500")
    qtbot.mouseClick(walker.goto_button, Qt.MouseButton.LeftButton)
    assert "Front desk queue" in walker.hint.text() and "walk ends here" in walker.hint.text()
    qtbot.mouseClick(walker.back_button, Qt.MouseButton.LeftButton)
    assert walker.goto_button.isEnabled()
    walker.steps_list.setCurrentRow(0)
    assert "its \u201cotherwise\u201d reply" in walker.answered.text()


def test_the_composers_payment_is_masked_and_never_saved(qtbot, tab):  # noqa: F811
    tab.editor.set_project(sample_project())
    tab.composer.set_request(BranchRequest(
        call_id="AST10-1.1", cid="8451112222", date_time="2024-05-14 10:30:00",
        branch_data=(Step("0"),), payment_info=(Payment(last_four="4444", cvv=CVV),)))
    walker = tab.walker
    qtbot.mouseClick(walker.from_composer_button, Qt.MouseButton.LeftButton)
    assert walker.caller_edit.text() == "8451112222"
    start(qtbot, tab)
    shown = walker.request_view.toPlainText()
    assert '"cvv": "***"' in shown and '"last_four": "4444"' in shown
    assert walker.walk.steps[0].request.payment_info[0].cvv == CVV
    walker.name_edit.setText("With a payment")
    qtbot.mouseClick(walker.save_button, Qt.MouseButton.LeftButton)
    saved = tab.editor.project.walks[-1]
    assert saved.name == "With a payment"
    pattern = re.compile(rf"(?<![0-9]){CVV}(?![0-9])")
    assert not pattern.search(json.dumps(tab.draft()))
    assert not any(pattern.search(step.request) for step in saved.steps)


def test_saved_walks_say_when_the_project_no_longer_answers_alike(qtbot, tab):  # noqa: F811
    tab.editor.set_project(sample_project())
    walker = tab.walker
    assert [walker.saved_list.item(i).text()[:1] for i in range(2)] == ["\u2713", "\u2713"]
    tab.editor.apply_change(set_rule(tab.editor.project, 2, 0, when="time is between 11:00 and 17:00"))
    first = walker.saved_list.item(0).text()
    assert first.startswith("\u2717 Reschedule, then the front desk in office hours: 2 of 3 as "
                            "expected. Step 3: branch 300, after key 0: Go to branch is none")
    walker.saved_list.setCurrentRow(1)
    qtbot.mouseClick(walker.remove_button, Qt.MouseButton.LeftButton)
    assert [w.name for w in tab.editor.project.walks] == [
        "Reschedule, then the front desk in office hours"]


def test_a_walk_needs_a_readable_time_and_a_name(qtbot, tab):  # noqa: F811
    tab.editor.set_project(sample_project())
    walker = start(qtbot, tab, when="tomorrow")
    assert walker.status.kind == "error" and "\u201ctomorrow\u201d" in walker.status.text()
    assert walker.walk is None and walker.time_edit.hasFocus()
    start(qtbot, tab)
    qtbot.mouseClick(walker.save_button, Qt.MouseButton.LeftButton)
    assert walker.status.kind == "error" and "Give the walk a name" in walker.status.text()
    assert len(tab.editor.project.walks) == 2
    qtbot.keyClick(walker.time_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert walker.steps_list.count() == 1
