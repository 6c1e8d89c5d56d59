"""The Branch tab against a real endpoint on loopback: sending, verdicts, walking a
menu, and card data that never reaches a file."""
import json
import logging
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

import pytest

from console.api.branch_endpoint import post_branch_request
from console.branch.request import BranchRequest, Payment, Step
from console.branch.schema import parse_design
from console.store.paths import app_paths
from console.ui.branch_tab import BranchTab
from console.ui.messages import MessageBridge
from tests.branch.fake_endpoint import MENU

CVV = "7319"
WAIT_MS = 10_000


def settings_file() -> Path:
    return app_paths().config_dir / "branch-tester.json"


@pytest.fixture
def tab(qtbot, qloop):
    messages = MessageBridge()
    widget = BranchTab(post_request=post_branch_request, settings_path=settings_file(),
                       messages=messages, confirm=lambda box: True)
    widget.bridge = messages
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.pages.setCurrentIndex(2)  # the request and endpoint tester
    return widget


def start_at(tab, *branches, payment=None):
    tab.composer.set_request(BranchRequest(
        call_id="AST10-1689867312.264", cid="8459511000", cnam="VOITEX",
        date_time="2023-07-20 11:35:35", did="8459511110",
        branch_data=tuple(Step(b) for b in branches),
        payment_info=(payment,) if payment else ()))


def send(qtbot, tab, url):
    tab.tester.url_edit.setText(url)
    runs = len(tab.tester.runs)
    qtbot.mouseClick(tab.tester.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.tester.runs) == runs + 1 and not tab.tester.busy,
                    timeout=WAIT_MS)
    return tab.tester.outcome


def test_a_valid_reply_is_shown_with_status_time_and_checked_json(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    outcome = send(qtbot, tab, fake_endpoint.url("/valid"))
    tester = tab.tester
    assert outcome.kind == "valid"
    assert tester.outcome_label.kind == "ok"
    assert tester.outcome_label.text().startswith("The reply is a valid response.")
    assert tester.status_label.text() == "HTTP 200 OK"
    assert tester.timing_label.text().endswith("of the 3 s budget")
    assert '"text": "Your balance is 57 dollars."' in tester.reply_preview.toPlainText()
    raw = tester.raw_reply.toPlainText()
    assert raw.startswith("HTTP 200 OK\n") and "\ncontent-type: application/json\n" in raw
    assert raw.endswith('\n\n{"play": [{"type": "tts", "text": "Your balance is 57 dollars."}], '
                        '"inputs": {"1": "100", "2": "200"}}')
    assert tester.open_designer_button.isEnabled()
    assert tester.runs_list.count() == 1 and "HTTP 200 OK" in tester.runs_list.item(0).text()
    assert fake_endpoint.received[0]["body"]["branch_data"] == [{"branch": "0", "input": ""}]


def _told(path, style, words):
    """A case whose verdict also reaches the message log at its level."""
    mark = pytest.mark.expect_log(style.upper(), re.escape(words), logger="console.messages")
    return pytest.param(path, style, words, marks=mark)


@pytest.mark.parametrize("path, style, words", [
    _told("/invalid", "warning", "The reply is not a response Voitex can rely on: 2 problems"),
    _told("/lenient", "warning", "it has trailing commas"),
    _told("/html", "error", "web page (HTML) instead of JSON"),
    _told("/500", "error", "HTTP 500 Internal Server Error instead of 200 OK"),
    _told("/notjson", "error", "The reply is not JSON Voitex can read"),
])
def test_each_kind_of_reply_is_explained(qtbot, tab, fake_endpoint, path, style, words):
    start_at(tab, "0")
    send(qtbot, tab, fake_endpoint.url(path))
    assert tab.tester.outcome_label.kind == style
    assert words in tab.tester.outcome_label.text()
    assert (style, tab.tester.outcome_label.text()) in [
        ({"info": "ok"}.get(level, level), text) for level, text in tab.bridge.history]


@pytest.mark.expect_log("ERROR", r"No reply from .* within the 0.5 s budget", logger="console.messages")
def test_sending_disables_the_button_and_shows_progress_until_the_budget_runs_out(
        qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    tester = tab.tester
    tester.budget_spin.setValue(0.5)
    tester.url_edit.setText(fake_endpoint.url("/slow"))
    qtbot.mouseClick(tester.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tester.busy, timeout=WAIT_MS)
    assert not tester.send_button.isEnabled()
    assert tester.progress.isVisible() and tester.busy_label.text() == "Sending\u2026"
    assert tester.outcome_label.kind == "busy"
    qtbot.waitUntil(lambda: not tester.busy, timeout=WAIT_MS)
    assert tester.send_button.isEnabled() and not tester.progress.isVisible()
    assert tester.outcome.kind == "no_reply"
    assert "within the 0.5 s budget" in tester.outcome_label.text()
    assert "over the budget" in tester.timing_label.text()
    assert tester.raw_reply.toPlainText() == "(No reply arrived.)"


def test_walking_a_two_level_menu(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    tester = tab.tester
    tester.auto_send_check.setChecked(True)
    send(qtbot, tab, fake_endpoint.url("/menu"))
    keypad = tester.keypad.buttons
    assert keypad["1"].isEnabled() and keypad["1"].text() == "1\n\u2192 100"
    assert keypad["2"].text() == "2\n\u2192 200"
    assert not keypad["3"].isEnabled()

    qtbot.mouseClick(keypad["1"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tester.runs) == 2 and not tester.busy, timeout=WAIT_MS)
    # The key is recorded on the branch where it was pressed (README: decisions).
    assert fake_endpoint.received[-1]["body"]["branch_data"] == [
        {"branch": "0", "input": "1"}, {"branch": "100", "input": ""}]
    assert tester.outcome.design == parse_design(json.dumps(MENU["100"])).design
    assert keypad["9"].text() == "9\n\u2192 0" and not keypad["1"].isEnabled()

    qtbot.mouseClick(keypad["9"], Qt.MouseButton.LeftButton)  # back to the main menu
    qtbot.waitUntil(lambda: len(tester.runs) == 3 and not tester.busy, timeout=WAIT_MS)
    qtbot.mouseClick(keypad["2"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tester.runs) == 4 and not tester.busy, timeout=WAIT_MS)
    assert tester.follow_goto_button.isEnabled()
    assert tester.follow_goto_button.text().endswith("\u2192 300")
    assert tab.composer.request().branch_data == (
        Step("0", "1"), Step("100", "9"), Step("0", "2"), Step("200"))
    assert {r["body"]["call_id"] for r in fake_endpoint.received} == {"AST10-1689867312.264"}
    assert tester.runs_list.count() == 4


def test_without_automatic_sending_a_key_only_adds_the_step(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    send(qtbot, tab, fake_endpoint.url("/menu"))
    qtbot.mouseClick(tab.tester.keypad.buttons["2"], Qt.MouseButton.LeftButton)
    assert tab.composer.request().branch_data == (Step("0", "2"), Step("200"))
    assert "press Send" in tab.tester.walk_hint.text()
    assert len(fake_endpoint.received) == 1
    assert "branch 200" in tab.tester.for_branch.text()


def test_open_in_designer(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    send(qtbot, tab, fake_endpoint.url("/menu"))
    qtbot.mouseClick(tab.tester.open_designer_button, Qt.MouseButton.LeftButton)
    assert tab.pages.currentWidget() is tab.editor
    assert tab.designer.design() == tab.tester.outcome.design
    assert '"1": "100"' in tab.designer.preview.toPlainText()


@pytest.mark.expect_log("ERROR", r"^Not sent\. ", logger="console.messages")
@pytest.mark.parametrize("url, words", [
    ("ftp://example.com/branch", "must start with http:// or https://"),
    ("", "Enter the endpoint's address"),
])
def test_addresses_other_than_http_are_refused_next_to_the_field(qtbot, tab, fake_endpoint,
                                                                 url, words):
    start_at(tab, "0")
    tab.tester.url_edit.setText(url)
    qtbot.mouseClick(tab.tester.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.tester.url_error.isVisible(), timeout=WAIT_MS)
    assert words in tab.tester.url_error.text()
    assert tab.tester.outcome_label.text().startswith("Not sent.")
    assert tab.tester.runs == [] and fake_endpoint.received == []
    assert tab.tester.send_button.isEnabled()


@pytest.mark.expect_log("ERROR", r"Not sent\. Date and time", logger="console.messages")
def test_a_request_with_problems_is_not_sent(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    tab.composer.edits["date_time"].setText("tomorrow")
    tab.tester.url_edit.setText(fake_endpoint.url("/valid"))
    qtbot.mouseClick(tab.tester.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.tester.outcome_label.kind == "error", timeout=WAIT_MS)
    assert tab.tester.outcome_label.text().startswith("Not sent. Date and time “tomorrow”")
    assert fake_endpoint.received == []


def test_the_endpoint_and_budget_are_remembered(qtbot, tab, fake_endpoint):
    start_at(tab, "0")
    tab.tester.budget_spin.setValue(2.5)
    send(qtbot, tab, fake_endpoint.url("/valid"))
    again = BranchTab(post_request=post_branch_request, settings_path=settings_file())
    qtbot.addWidget(again)
    assert again.tester.url_edit.text() == fake_endpoint.url("/valid")
    assert again.tester.budget_spin.value() == 2.5


def files_under(*folders: Path):
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                yield path


@pytest.mark.expect_log("WARNING", r"The reply is not a response Voitex can rely on", logger="console.messages")
def test_the_cvv_reaches_the_endpoint_and_no_file_log_or_clipboard(
        qtbot, tab, fake_endpoint, app_home, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    start_at(tab, "0", payment=Payment(last_four="4444", expiration="0126", zip="10950",
                                       amount="57"))
    composer = tab.composer
    composer.window().activateWindow()
    qtbot.waitUntil(composer.isActiveWindow)
    composer.payments.edits["cvv"].setFocus()
    qtbot.keyClicks(composer.payments.edits["cvv"], CVV)
    composer.payments.edits["zip"].setFocus()
    assert composer.request().payment_info[0].cvv == CVV
    assert composer.payments.edits["cvv"].displayText() != CVV

    tab.tester.auto_send_check.setChecked(True)
    send(qtbot, tab, fake_endpoint.url("/echo"))  # an endpoint that sends it all back
    assert "repeats the card verification value" in tab.tester.reply_findings.item(0).text()
    send(qtbot, tab, fake_endpoint.url("/menu"))
    qtbot.mouseClick(tab.tester.keypad.buttons["1"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.tester.runs) == 3 and not tab.tester.busy, timeout=WAIT_MS)
    # The endpoint did get the card data, as Voitex would send it: the test can fail.
    assert all(r["body"]["payment_info"][0]["cvv"] == int(CVV) for r in fake_endpoint.received)

    # Everything the user can make the tab write, shown or copy.
    tab.tester.runs_list.setCurrentRow(0)  # the echoed reply, shown again
    shown = [tab.tester.raw_reply.toPlainText(), tab.tester.reply_preview.toPlainText(),
             tab.composer.preview.toPlainText(), tab.tester.outcome_label.text()]
    composer.copy_request()
    shown.append(QGuiApplication.clipboard().text())
    composer.save_request_to(tmp_path / "request.json")
    tab.tester.save_runs_to(tmp_path / "runs.json")
    qtbot.mouseClick(tab.tester.open_designer_button, Qt.MouseButton.LeftButton)
    tab.designer.save_design_to(tmp_path / "design.json")
    tab.designer.copy_json()
    shown.append(QGuiApplication.clipboard().text())

    written = list(files_under(app_home, tmp_path))
    names = {path.name for path in written}
    assert {"request.json", "runs.json", "design.json", "branch-tester.json"} <= names
    pattern = re.compile(rf"(?<![0-9]){CVV}(?![0-9])".encode())
    leaks = [str(path) for path in written if pattern.search(path.read_bytes())]
    assert leaks == []
    for text in shown + [text for _level, text in tab.bridge.history] + [caplog.text]:
        assert not pattern.search(text.encode())
    runs = json.loads((tmp_path / "runs.json").read_text(encoding="utf-8"))["test_runs"]
    assert len(runs) == 3
    assert runs[0]["request"]["payment_info"][0]["last_four"] == "4444"
    assert "cvv" not in runs[0]["request"]["payment_info"][0]


def _mnemonic(text: str) -> str | None:
    match = re.search(r"&([^&])", text)
    return match.group(1).lower() if match else None


@pytest.mark.parametrize("page", [0, 1, 2])
def test_alt_letters_are_not_shared_on_a_page_or_with_the_main_window(qtbot, tab, page):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from console.ui.main_window import TAB_TITLES

    tab.pages.setCurrentIndex(page)
    assert tab.pages.currentWidget().isVisible()
    owners: dict[str, list[str]] = {}
    texts = list(TAB_TITLES.values()) + [tab.pages.tabText(i) for i in range(tab.pages.count())]
    for widget in tab.findChildren(QLabel) + tab.findChildren(QAbstractButton):
        if widget.isVisible():
            texts.append(widget.text())
    for text in texts:
        letter = _mnemonic(text)
        if letter:
            owners.setdefault(letter, []).append(text)
    assert {letter: names for letter, names in owners.items() if len(names) > 1} == {}
