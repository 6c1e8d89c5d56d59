"""The endpoint tester after issue 10: each run starts clean, failures are not called
"no problems", the checked reply holds only what arrived, Save proposes a name."""
import socket

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

import pytest

from console.branch.request import Step
from console.ui.branch.tester_text import runs_file_name
from tests.ui.test_branch_tab import WAIT_MS, send, start_at


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/branch"


@pytest.mark.expect_log("ERROR", r"No reply from .* within the 2 s budget", logger="console.messages")
def test_a_new_run_clears_the_previous_reply_status_and_timing(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    tester = tab.tester
    send(qtbot, tab, fake_endpoint.url("/valid"))
    assert tester.status_label.text() == "HTTP 200 OK"
    assert tester.reply_preview.toPlainText()
    tester.budget_spin.setValue(2.0)
    tester.url_edit.setText(fake_endpoint.url("/slow"))
    qtbot.mouseClick(tester.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tester.busy, timeout=WAIT_MS)
    assert tester.status_label.text() == ""
    assert tester.timing_label.text() == ""
    assert tester.reply_preview.toPlainText() == ""
    assert tester.raw_reply.toPlainText() == ""
    assert tester.reply_findings.count() == 0
    assert not tester.open_designer_button.isEnabled()
    assert not any(button.isEnabled() for button in tester.keypad.buttons.values())
    qtbot.waitUntil(lambda: not tester.busy, timeout=WAIT_MS)


@pytest.mark.parametrize("where", ["timeout", "refused", "500"])
@pytest.mark.expect_log("ERROR", r"^(No reply from|Could not connect to|The endpoint answered HTTP 500)",
                        logger="console.messages")
def test_a_failed_run_is_never_followed_by_no_problems_found(qtbot, tab, fake_endpoint, where):
    start_at(tab, "0")
    tester = tab.tester
    send(qtbot, tab, fake_endpoint.url("/valid"))
    assert tester.reply_findings.item(0).text() == "No problems found."
    url = {"timeout": fake_endpoint.url("/slow"), "refused": closed_port_url(),
           "500": fake_endpoint.url("/500")}[where]
    tester.budget_spin.setValue(0.5)
    outcome = send(qtbot, tab, url)
    assert outcome.kind in ("no_reply", "http_error")
    texts = [tester.reply_findings.item(i).text() for i in range(tester.reply_findings.count())]
    assert "No problems found." not in texts
    assert texts and texts[0].startswith("Nothing to check")
    assert tester.reply_preview.toPlainText() == ""
    assert tester.outcome_label.kind == "error"


@pytest.mark.expect_log("WARNING", r"The reply is not a response Voitex can rely on: 2 problems",
                        logger="console.messages")
def test_the_checked_reply_shows_only_what_arrived(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    send(qtbot, tab, fake_endpoint.url("/nosort"))
    shown = tab.tester.reply_preview.toPlainText()
    assert '"album": "10"' in shown
    assert '"sort"' not in shown
    assert shown.count('"1":') == 2  # the name written twice is shown twice


def test_save_runs_proposes_a_file_name(qtbot, tab, fake_endpoint, monkeypatch, tmp_path):
    start_at(tab, "0")
    send(qtbot, tab, fake_endpoint.url("/valid"))
    asked = []

    def fake_dialog(parent, title, start, filters):
        asked.append(start)
        return "", ""

    # The native file dialog is modal; what matters is the name it is opened with.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    tab.tester.save_runs_button.click()
    assert asked and asked[0].endswith(runs_file_name(tab.tester.runs))
    assert runs_file_name(tab.tester.runs).startswith("branch-test-runs-20")
    tab.designer.save_button.click()
    assert asked[-1].endswith("response-design.json")
    tab.composer.save_button.click()
    assert asked[-1].endswith("request-branch-0.json")


def test_pressing_a_key_records_it_on_the_branch_where_it_was_pressed(qtbot, tab,
                                                                      fake_endpoint):
    start_at(tab, "0")
    send(qtbot, tab, fake_endpoint.url("/menu"))
    qtbot.mouseClick(tab.tester.keypad.buttons["1"], Qt.MouseButton.LeftButton)
    assert tab.composer.request().branch_data == (Step("0", "1"), Step("100"))
    assert "where it was pressed" in tab.tester.walk_hint.text()


@pytest.mark.expect_log("WARNING", r"^Opened main-menu.json. This file holds a single reply",
                        logger="console.messages")
def test_the_window_title_names_the_open_project(qtbot, tab, tmp_path, monkeypatch):
    names = []
    tab.designer.document_name_changed.connect(names.append)
    path = tmp_path / "main-menu.json"
    path.write_text('{"goto": "150"}', encoding="utf-8")
    assert tab.editor.files.open_path(path)
    assert names == []  # a single design opens as a new project, not saved yet
    assert tab.designer.goto_edit.text() == "150"
    assert tab.designer.save_design_to(tmp_path / "copy.json")  # one reply: no new name
    assert names == []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (str(tmp_path / "menu"), "")))
    tab.editor.save_as_button.click()
    assert names == ["menu.voitexivr"] and (tmp_path / "menu.voitexivr").is_file()
    tab.editor.new_button.click()
    assert names[-1] == ""


@pytest.mark.expect_log("ERROR", r"Could not open cut.json", logger="console.messages")
def test_a_cut_off_design_file_is_reported_as_ending_too_early(qtbot, tab, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{\n  "goto": "150",\n  "play": [\n    {"type": "file"', encoding="utf-8")
    assert not tab.designer.open_design_from(path)
    assert "ends too early" in tab.designer.status.text()
    assert "cut.json" in tab.designer.status.text()
