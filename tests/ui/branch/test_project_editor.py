"""The IVR project editor: the tree, each reply in the designer, the project check
linked to its places, files (the older schema, damaged files) and shortcuts."""
from __future__ import annotations

import json
import shutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

import pytest

from console.api.branch_endpoint import post_branch_request
from console.branch.project.model import Place
from console.branch.project.project_file import parse_project_text
from console.branch.schema import FilePlay
from console.resources import resource_path
from console.ui.branch.project.tree_model import ProjectTreeModel
from console.ui.branch_tab import BranchTab
from console.ui.messages import MessageBridge
from tests.branch.project.sample import SAMPLE, sample_project
from tests.ui.branch.editing import type_into_cell
from tests.ui.branch.test_designer_library import library  # noqa: F401 - fixture


@pytest.fixture
def asked():
    return []


@pytest.fixture
def tab(qtbot, qloop, asked):
    widget = BranchTab(post_request=post_branch_request, messages=MessageBridge(),
                       confirm=lambda box: asked.append(box.text()) or True)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def open_sample(tab, tmp_path):
    path = tmp_path / "appointments.voitexivr"
    shutil.copy(resource_path(SAMPLE), path)
    assert tab.editor.files.open_path(path)
    return path


def test_the_tree_model_passes_the_model_tester(qtmodeltester):
    model = ProjectTreeModel()
    model.set_project(sample_project())
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    assert [model.text(model.place_of(model.index(r, 0))) for r in range(4)] == [
        "Project \u201cAppointments\u201d", "Trigger 100  Confirm", "Trigger 200  Reschedule",
        "Trigger 300  Speak to someone"]
    rule = model.index(0, 0, model.index(2, 0))
    assert model.data(rule) == "Rule 1 \u201cHas an appointment\u201d: when variable appointment is set"
    assert model.place_of(rule) == Place("rule", 1, 0)
    assert model.index_of(Place("otherwise", 2)) == model.index(1, 0, model.index(3, 0))


def test_each_reply_is_edited_in_the_designer_and_goes_into_the_project(qtbot, tab, tmp_path):
    open_sample(tab, tmp_path)
    editor = tab.editor
    assert not editor.is_modified()
    editor.tree.setCurrentIndex(editor.model.index_of(Place("rule", 1, 0)))
    assert editor.forms.currentWidget() is editor.rule_header
    assert editor.rule_header.when_edit.text() == "variable appointment is set"
    assert '"0": "300"' in tab.designer.preview.toPlainText()
    qtbot.keyClicks(tab.designer.goto_edit, "500")
    assert editor.project.triggers[1].rules[0].reply.goto == "500"
    assert editor.is_modified()
    # Another rule, and back: nothing asked, nothing lost.
    editor.tree.setCurrentIndex(editor.model.index_of(Place("otherwise", 2)))
    assert tab.designer.goto_edit.text() == ""
    editor.tree.setCurrentIndex(editor.model.index_of(Place("rule", 1, 0)))
    assert tab.designer.goto_edit.text() == "500"


def test_a_condition_is_read_as_it_is_typed_and_checked(qtbot, tab, tmp_path):
    open_sample(tab, tmp_path)
    editor = tab.editor
    editor.select(Place("rule", 0, 0))
    when = editor.rule_header.when_edit
    when.selectAll()
    qtbot.keyClicks(when, "input is 1 and")
    assert editor.rule_header.when_feedback.text().startswith("\u26a0 At character 15: Expected")
    assert editor.project.triggers[0].rules[0].when == "input is 1 and"
    problem = next(f for f in editor.findings if f.code == "project.bad_condition")
    assert editor.check_list.item(0).text().endswith(problem.message)
    qtbot.keyClicks(when, " Time is between 9:00 and 17:00")
    assert editor.rule_header.when_feedback.text() == (
        "Reads as: input is 1 and time is between 09:00 and 17:00")
    assert not [f for f in editor.findings if f.code == "project.bad_condition"]
    assert "when input is 1 and Time is between" in editor.model.data(
        editor.model.index_of(Place("rule", 0, 0)))
    editor.rule_header.when_edit.clear()
    editor.rule_header.insert_button.menu().actions()[1].trigger()
    assert when.text() == "time is between 09:00 and 17:00"


def test_triggers_and_rules_are_added_moved_and_removed_with_the_buttons(
        qtbot, tab, asked):
    editor = tab.editor
    assert len(editor.project.triggers) == 1 and editor.place == Place("otherwise", 0)
    qtbot.mouseClick(editor.add_trigger_button, Qt.MouseButton.LeftButton)
    assert editor.place == Place("trigger", 1)
    assert editor.trigger_form.branch_edit.hasFocus()
    qtbot.keyClicks(editor.trigger_form.branch_edit, "250")  # replaces the proposed 100
    qtbot.keyClicks(editor.trigger_form.name_edit, "Late")
    assert (editor.project.triggers[1].branch, editor.project.triggers[1].name) == ("250", "Late")
    qtbot.mouseClick(editor.add_rule_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.add_rule_button, Qt.MouseButton.LeftButton)
    assert editor.place == Place("rule", 1, 1)
    qtbot.keyClicks(editor.rule_header.name_edit, "Second")
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in editor.project.triggers[1].rules] == ["Second", "Rule 1"]
    assert editor.place == Place("rule", 1, 0) and not editor.up_button.isEnabled()
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert asked == ["Remove trigger 250 \u201cLate\u201d, rule 1 \u201cSecond\u201d?"]
    assert [r.name for r in editor.project.triggers[1].rules] == ["Rule 1"]
    editor.select(Place("trigger", 1))
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    assert [t.branch for t in editor.project.triggers] == ["250", ""]


def test_removing_asks_first_and_cancel_keeps_it(qtbot, qloop):
    tab = BranchTab(post_request=post_branch_request, confirm=lambda box: False)
    qtbot.addWidget(tab)
    tab.editor.set_project(sample_project(), place=Place("trigger", 0))
    tab.editor.remove_button.click()
    assert len(tab.editor.project.triggers) == 3


def test_a_finding_is_linked_to_its_place(qtbot, tab, tmp_path):
    open_sample(tab, tmp_path)
    editor = tab.editor
    editor.select(Place("otherwise", 0))
    type_into_cell(qtbot, tab.designer.keys_section.table, 2, 1, "301")
    finding = next(f for f in editor.findings if f.code == "project.leads_nowhere")
    assert finding.path == ("triggers", 0, "otherwise", "inputs", 2, "branch")
    editor.select(Place("project"))
    assert not tab.designer.isVisible()
    item = editor.check_list.item(0)
    editor.check_list.itemActivated.emit(item)
    assert editor.place == Place("otherwise", 0) and tab.designer.isVisible()
    table = tab.designer.keys_section.table
    assert (table.currentIndex().row(), table.currentIndex().column()) == (2, 1)
    # The tree marks the place too.
    index = editor.model.index_of(Place("otherwise", 0))
    assert editor.model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    assert "leads to branch 301" in editor.model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_project_settings_and_other_branches(qtbot, tab, tmp_path):
    open_sample(tab, tmp_path)
    editor = tab.editor
    editor.select(Place("project"))
    form = editor.settings_form
    assert (form.name_edit.text(), form.start_edit.text()) == ("Appointments", "100")
    assert form.others.table.verticalHeader().count() == 1  # the view shows the row too
    form.start_edit.selectAll()
    qtbot.keyClicks(form.start_edit, "900")
    assert editor.project.start_branch == "900"
    assert "is not one of the project" in form.start_findings.text()
    type_into_cell(qtbot, form.others.table, 0, 0, "501")
    assert editor.project.other_branches[0].branch == "501"
    assert [f.code for f in editor.findings if f.severity == "error"] == [
        "project.leads_nowhere"]


def test_a_missing_recording_is_in_the_project_check(qtbot, qloop, library):  # noqa: F811
    tab = BranchTab(post_request=post_branch_request, library=library)
    qtbot.addWidget(tab)
    project = sample_project()
    tab.editor.set_project(project)
    assert not [f for f in tab.editor.findings if f.code == "project.not_in_library"]
    tab.editor.select(Place("otherwise", 2))
    tab.designer.play_section.add_row(["file", "1", "7", ""])
    assert tab.editor.project.triggers[2].otherwise.play[-1] == FilePlay("1", "7")
    found = [f for f in tab.editor.findings if f.code == "project.not_in_library"]
    assert [f.path for f in found] == [("triggers", 2, "otherwise", "play", 1)]


def test_save_and_open_again_with_the_keyboard(qtbot, tab, tmp_path, monkeypatch):
    path = open_sample(tab, tmp_path)
    editor = tab.editor
    editor.select(Place("rule", 0, 0))
    qtbot.keyClicks(editor.rule_header.name_edit, " now")
    editor.rule_header.name_edit.setFocus()
    qtbot.keyClick(editor.rule_header.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_modified()
    assert parse_project_text(path.read_text(encoding="utf-8")).project == editor.project
    assert editor.project.triggers[0].rules[0].name == "Confirmed now"
    opened = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a: (opened.append(a[-1]) or str(path), "")))
    qtbot.keyClick(editor.tree, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert opened and "*.voitexivr" in opened[0]
    assert editor.status.text() == "Opened appointments.voitexivr."


@pytest.mark.expect_log("ERROR", r"^Could not open ", logger="console.messages")
@pytest.mark.parametrize("content, words", [
    (b"\x00\xff not text", "This is not a text file"),
    (b'{"format": "voitex-ivr-project", "schema": 7}', "newer Voitex Console (schema 7)"),
    (b'{"format": "voitex-ivr-project", "schema": 2, "triggers": [{"rules": "x"}]}',
     "Trigger 1, its rules must be a list"),
    (b"[" * 50_000, "nested too deeply"),
])
def test_a_damaged_file_is_told_and_the_project_kept(qtbot, tab, tmp_path, content, words):
    open_sample(tab, tmp_path)
    before = tab.editor.project
    bad = tmp_path / "bad.voitexivr"
    bad.write_bytes(content)
    assert not tab.editor.files.open_path(bad)
    assert words in tab.editor.status.text() and "bad.voitexivr" in tab.editor.status.text()
    assert tab.editor.project == before


@pytest.mark.expect_log("WARNING", r"^Opened old.voitexivr. This project was written in the "
                                   r"older schema 1", logger="console.messages")
def test_a_schema_1_file_opens_and_is_saved_under_a_new_name(qtbot, tab, tmp_path,
                                                             monkeypatch):
    old = tmp_path / "old.voitexivr"
    old.write_text(json.dumps({
        "format": "voitex-ivr-project", "schema": 1, "name": "Old", "start_branch": "100",
        "triggers": [{"branch": "100", "name": "Menu", "rules": [],
                      "otherwise": {"goto": "150"}}]}), encoding="utf-8")
    assert tab.editor.files.open_path(old)
    assert tab.editor.path is None and tab.editor.is_modified()
    assert tab.designer.goto_edit.text() == "150"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (asked.append(a[2]) or str(tmp_path / "new"),
                                                 "")))
    tab.editor.save_button.click()
    assert asked and asked[0].endswith("old.voitexivr")
    saved = json.loads((tmp_path / "new.voitexivr").read_text(encoding="utf-8"))
    assert saved["schema"] == 2
    assert json.loads(old.read_text(encoding="utf-8"))["schema"] == 1  # left as it was


def test_new_asks_before_discarding_an_unsaved_project(qtbot, tab, asked, tmp_path):
    open_sample(tab, tmp_path)
    tab.editor.new_button.click()
    assert asked == []  # nothing changed: nothing asked
    qtbot.keyClicks(tab.designer.goto_edit, "150")
    tab.editor.new_button.click()
    assert asked == ["The current IVR project has changes that are not saved."]


def test_the_tester_reply_goes_into_the_selected_reply(qtbot, tab, tmp_path):
    open_sample(tab, tmp_path)
    tab.editor.select(Place("trigger", 2))
    from console.branch.schema import Design

    assert tab.open_in_designer(Design(goto="777"))
    assert tab.editor.place == Place("otherwise", 2)
    assert tab.editor.project.triggers[2].otherwise.goto == "777"
    assert tab.pages.currentWidget() is tab.editor


@pytest.mark.parametrize("place", [Place("project"), Place("fallback"), Place("trigger", 0),
                                   Place("rule", 0, 0), Place("otherwise", 0)])
def test_every_place_names_its_controls_and_shares_no_alt_letter(qtbot, tab, place):
    from console.ui.main_window import TAB_TITLES
    from tests.ui.test_accessibility import mnemonic, mnemonic_clashes, unnamed_controls

    tab.editor.set_project(sample_project(), place=place)
    # Always active: the main window's menus (File, Profile, Help) and its tab titles.
    always = [(m, m) for m in ("f", "p", "h")] + [
        (mnemonic(title), title) for title in TAB_TITLES.values() if mnemonic(title)]
    for page in range(tab.pages.count()):
        tab.pages.setCurrentIndex(page)
        assert mnemonic_clashes(tab, always) == {}, (place, page)
        assert unnamed_controls(tab) == [], (place, page)
