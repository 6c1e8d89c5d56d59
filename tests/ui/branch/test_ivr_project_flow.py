"""Issue 22, done when: a new user builds a three-trigger appointment flow (confirm,
reschedule, speak to someone) with a time-of-day rule and a variable carried
across triggers, through the widgets; walks it offline and saves two walks;
exports the endpoint and its tests; runs the endpoint as a real process; and
both the exported tests and the console's tester pass against it over real
HTTP, while a malformed request gets the fallback reply and a log line."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from console.api.branch_endpoint import post_branch_request
from console.branch.project.model import Place
from console.ui.branch.models import PlayModel
from console.ui.branch_tab import BranchTab
from console.ui.messages import MessageBridge
from tests.branch.project.running import RunningEndpoint, run_exported_tests
from tests.ui.branch.editing import type_into_cell

WAIT_MS = 20_000


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_in(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def choose(tab, place: Place) -> None:
    """Click the place in the tree, as the user does."""
    editor = tab.editor
    index = editor.model.index_of(place)
    editor.tree.scrollTo(index)
    rect = editor.tree.visualRect(index)
    from PySide6.QtTest import QTest

    QTest.mouseClick(editor.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.place == place


def design_reply(qtbot, tab, *, say: str, keys=(), variables=(), goto: str = "") -> None:
    designer = tab.designer
    click(qtbot, designer.play_section.add_buttons[1])  # Add text
    row = designer.play_model.rowCount() - 1
    type_into_cell(qtbot, designer.play_section.table, row, PlayModel.TEXT, say)
    for key, branch in keys:
        click(qtbot, designer.keys_section.add_buttons[0])
        row = designer.keys_model.rowCount() - 1
        type_into_cell(qtbot, designer.keys_section.table, row, 0, key)
        type_into_cell(qtbot, designer.keys_section.table, row, 1, branch)
    for name, value in variables:
        click(qtbot, designer.variables_section.add_buttons[0])
        row = designer.variables_model.rowCount() - 1
        type_into_cell(qtbot, designer.variables_section.table, row, 0, name)
        type_into_cell(qtbot, designer.variables_section.table, row, 1, value)
    if goto:
        type_in(qtbot, designer.goto_edit, goto)


def add_rule(qtbot, tab, name: str, when: str) -> None:
    click(qtbot, tab.editor.add_rule_button)
    type_in(qtbot, tab.editor.rule_header.name_edit, name)
    type_in(qtbot, tab.editor.rule_header.when_edit, when)


def build_the_flow(qtbot, tab) -> None:
    editor = tab.editor
    choose(tab, Place("project"))
    form = editor.settings_form
    type_in(qtbot, form.name_edit, "Appointments")
    type_in(qtbot, form.hotline_edit, "8459511110")
    type_in(qtbot, form.start_edit, "100")
    click(qtbot, form.others.add_buttons[0])
    type_into_cell(qtbot, form.others.table, 0, 0, "500")
    type_into_cell(qtbot, form.others.table, 0, 1, "Front desk queue")

    choose(tab, Place("trigger", 0))
    type_in(qtbot, editor.trigger_form.branch_edit, "100")
    type_in(qtbot, editor.trigger_form.name_edit, "Confirm")
    choose(tab, Place("otherwise", 0))
    design_reply(qtbot, tab, say="You have an appointment on Tuesday at 10. Press 1 to "
                 "confirm, 2 to reschedule, 0 to speak to someone.",
                 keys=[("1", "100"), ("2", "200"), ("0", "300")],
                 variables=[("appointment", "Tuesday 10:00")])
    add_rule(qtbot, tab, "Confirmed", "input is 1")
    design_reply(qtbot, tab, say="Thank you, your appointment is confirmed.",
                 variables=[("status", "confirmed")])

    click(qtbot, editor.add_trigger_button)  # proposes 200
    type_in(qtbot, editor.trigger_form.name_edit, "Reschedule")
    add_rule(qtbot, tab, "Has an appointment", "variable appointment is set")
    design_reply(qtbot, tab, say="We will move your appointment. Press 0 to speak to someone.",
                 keys=[("0", "300")], variables=[("status", "reschedule")])
    choose(tab, Place("otherwise", 1))
    design_reply(qtbot, tab, say="We found no appointment. Press 0 to speak to someone.",
                 keys=[("0", "300")])

    click(qtbot, editor.add_trigger_button)  # proposes 300
    type_in(qtbot, editor.trigger_form.name_edit, "Speak to someone")
    add_rule(qtbot, tab, "Office hours", "time is between 09:00 and 17:00")
    design_reply(qtbot, tab, say="Connecting you to the front desk.", goto="500")
    choose(tab, Place("otherwise", 2))
    design_reply(qtbot, tab, say="The office is closed. It opens at 9.")

    choose(tab, Place("fallback"))
    design_reply(qtbot, tab, say="Sorry, we cannot take your call right now.")


def walk_and_save(qtbot, tab, when: str, keys: list[str], name: str) -> list[str]:
    walker = tab.walker
    tab.pages.setCurrentWidget(walker)
    type_in(qtbot, walker.time_edit, when)
    click(qtbot, walker.start_button)
    for key in keys:
        click(qtbot, walker.keypad.buttons[key])
    answered = [step.answered_by for step in walker.walk.steps]
    type_in(qtbot, walker.name_edit, name)
    click(qtbot, walker.save_button)
    return answered


def exchange(url: str, body: bytes) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_a_new_user_builds_walks_exports_and_tests_an_appointment_flow(
        qtbot, qloop, tmp_path, monkeypatch):
    tab = BranchTab(post_request=post_branch_request, messages=MessageBridge(),
                    confirm=lambda box: True)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)

    build_the_flow(qtbot, tab)
    project = tab.editor.project
    assert [(t.branch, t.name, len(t.rules)) for t in project.triggers] == [
        ("100", "Confirm", 1), ("200", "Reschedule", 1), ("300", "Speak to someone", 1)]
    assert project.triggers[0].otherwise.variables == (("appointment", "Tuesday 10:00"),)
    assert [f.message for f in tab.editor.findings if f.severity != "info"] == []

    # Offline: the variable set by "Confirm" is read by "Reschedule"; the time of day
    # decides who answers at "Speak to someone".
    assert walk_and_save(qtbot, tab, "2024-05-14 10:30:00", ["2", "0"],
                         "Reschedule in office hours") == [
        "trigger 100 \u201cConfirm\u201d, its \u201cotherwise\u201d reply",
        "trigger 200 \u201cReschedule\u201d, rule 1 \u201cHas an appointment\u201d",
        "trigger 300 \u201cSpeak to someone\u201d, rule 1 \u201cOffice hours\u201d"]
    assert walk_and_save(qtbot, tab, "2024-05-14 19:30:00", ["0"], "Closed in the evening")[-1] \
        == "trigger 300 \u201cSpeak to someone\u201d, its \u201cotherwise\u201d reply"
    assert [w.name for w in tab.editor.project.walks] == ["Reschedule in office hours",
                                                          "Closed in the evening"]
    assert all(tab.walker.saved_list.item(i).text().startswith("\u2713") for i in range(2))

    # Export both files through the buttons.
    answers = iter([str(tmp_path / "appointments-endpoint.py"),
                    str(tmp_path / "test_appointments.py")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (next(answers), "")))
    tab.pages.setCurrentWidget(tab.editor)
    click(qtbot, tab.editor.export_button)
    click(qtbot, tab.editor.export_tests_button)
    assert tab.editor.status.text().startswith("Exported the saved walks as tests")

    endpoint = RunningEndpoint(tmp_path / "appointments-endpoint.py")
    try:
        assert endpoint.name == "Appointments"
        result = run_exported_tests(tmp_path / "test_appointments.py", endpoint.url)
        assert result.returncode == 0, result.stderr
        assert "Ran 3 tests" in result.stderr

        # The console's tester replays the same walks against it.
        tab.pages.setCurrentIndex(2)
        tab.tester.url_edit.setText(endpoint.url)
        tab.tester.result_tabs.setCurrentWidget(tab.replay)
        assert not tab.tester.result_splitter.widget(1).isVisible()  # the keypad makes room
        with qtbot.waitSignal(tab.replay.replay_finished, timeout=WAIT_MS) as finished:
            click(qtbot, tab.replay.replay_button)
        assert finished.args == [5, 5]
        assert tab.replay.outcome.text() == "All 5 replies of 2 saved walks are as expected."
        assert all(tab.replay.list.item(i).text().startswith("\u2713") for i in range(5))

        before = len(endpoint.log)
        status, text = exchange(endpoint.url, b"{not json")
        assert status == 200
        assert json.loads(text) == {"play": [{"type": "tts", "text": "Sorry, we cannot take "
                                                                     "your call right now."}]}
        endpoint.wait_for_log("refused a request: its body is not JSON", before)
    finally:
        endpoint.stop()


def test_the_round_trip_shows_where_an_endpoint_differs_and_takes_its_reply(
        qtbot, qloop, tmp_path):
    from console.branch.project.edits import set_rule
    from tests.branch.project.running import start_exported
    from tests.branch.project.sample import sample_project

    tab = BranchTab(post_request=post_branch_request, confirm=lambda box: True)
    qtbot.addWidget(tab)
    tab.editor.set_project(sample_project())
    # "Their" endpoint closes the desk an hour later than the project says.
    other = start_exported(set_rule(sample_project(), 2, 0,
                                    when="time is between 11:00 and 17:00"), tmp_path)
    try:
        tab.tester.url_edit.setText(other.url)
        with qtbot.waitSignal(tab.replay.replay_finished, timeout=WAIT_MS) as finished:
            click(qtbot, tab.replay.replay_button)
    finally:
        other.stop()
    assert finished.args == [4, 5]
    wrong = [i for i in range(tab.replay.list.count())
             if tab.replay.list.item(i).text().startswith("\u2717")]
    assert len(wrong) == 1
    tab.replay.list.setCurrentRow(wrong[0])
    assert "Go to branch is none instead of 500" in tab.replay.list.item(wrong[0]).text()
    assert tab.replay.use_button.isEnabled()
    click(qtbot, tab.replay.use_button)
    # The endpoint's reply is now the reply of the rule that answered that request.
    assert tab.editor.project.triggers[2].rules[0].reply.goto is None
    assert "The office is closed" in tab.editor.project.triggers[2].rules[0].reply.play[0].text
