import json
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

import pytest

from console.branch.request import BranchRequest, Payment, Step, parse_request
from console.ui.branch.composer import RequestComposer
from tests.ui.branch.editing import type_into_cell

CVV = "7319"


def no_cvv(text: str) -> bool:
    return not re.search(rf"(?<![0-9]){CVV}(?![0-9])", text)


@pytest.fixture
def composer(qtbot):
    widget = RequestComposer(confirm=lambda box: True)
    qtbot.addWidget(widget)
    widget.resize(600, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_payment(qtbot, composer, cvv=CVV):
    qtbot.mouseClick(composer.payments.add_button, Qt.MouseButton.LeftButton)
    edits = composer.payments.edits
    qtbot.keyClicks(edits["last_four"], "4444")
    qtbot.keyClicks(edits["expiration"], "0126")
    composer.window().activateWindow()
    qtbot.waitUntil(composer.isActiveWindow)
    edits["cvv"].setFocus()
    qtbot.keyClicks(edits["cvv"], cvv)
    edits["amount"].setFocus()
    qtbot.keyClicks(edits["amount"], "57")


def test_starts_from_the_documentation_sample_with_a_fresh_call(composer):
    request = composer.request()
    assert re.fullmatch(r"AST10-\d{10}\.\d{1,3}", request.call_id)
    assert (request.cid, request.cnam, request.did) == ("8459511000", "VOITEX", "8459511110")
    assert request.branch_data == (Step("0", "1"), Step("1000", "17"))
    assert request.payment_info == ()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", request.date_time)
    assert composer.findings_list.item(0).text() == "No problems found."


def test_new_id_and_now(qtbot, composer):
    composer.edits["call_id"].setText("old")
    composer.edits["date_time"].setText("yesterday")
    qtbot.mouseClick(composer.new_id_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(composer.now_button, Qt.MouseButton.LeftButton)
    assert composer.request().call_id.startswith("AST10-")
    assert composer.findings() == ()


def test_the_cvv_is_typed_in_a_field_that_masks_it_and_never_shown_elsewhere(qtbot, composer):
    type_payment(qtbot, composer)
    cvv_edit = composer.payments.edits["cvv"]
    assert cvv_edit.echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit
    assert cvv_edit.text() == CVV
    assert not cvv_edit.hasFocus()
    assert cvv_edit.displayText() != CVV  # focus moved on: masked again
    assert composer.request().payment_info[0].cvv == CVV
    preview = composer.preview.toPlainText()
    assert '"cvv": "***"' in preview and no_cvv(preview)
    composer.copy_request()
    assert '"cvv": "***"' in QGuiApplication.clipboard().text()
    assert no_cvv(QGuiApplication.clipboard().text())
    assert "shown as ***" in composer.status.text()
    assert composer.payments.list.item(0).text() == "Payment 1: card ending 4444, amount 57"


def test_saved_requests_keep_everything_but_the_cvv(qtbot, composer, tmp_path):
    type_payment(qtbot, composer)
    path = tmp_path / "request.json"
    assert composer.save_request_to(path)
    text = path.read_text(encoding="utf-8")
    assert no_cvv(text) and '"cvv"' not in text
    saved = json.loads(text)
    assert saved["payment_info"] == [{"last_four": "4444", "expiration": "0126", "zip": "",
                                      "phone": "", "amount": "57", "transaction_id": ""}]
    assert saved["call_id"] == composer.request().call_id
    assert "left out" in composer.status.text()

    assert composer.open_request_from(path)
    assert composer.request().payment_info[0] == Payment(last_four="4444", expiration="0126",
                                                         amount="57")
    assert "Type the card verification value again" in composer.status.text()
    assert parse_request(text).branch_data == composer.request().branch_data


def test_problems_show_next_to_their_field(qtbot, composer):
    composer.edits["date_time"].setText("20/07/2023")
    assert composer.edits["date_time"].property("finding") == "error"
    assert "YYYY-MM-DD HH:MM:SS" in composer.field_findings["date_time"].accessibleDescription()
    type_into_cell(qtbot, composer.steps_section.table, 0, 0, "zero")
    model = composer.steps_model
    assert "not a branch number" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    type_payment(qtbot, composer, cvv="12")
    assert composer.payments.edits["cvv"].property("finding") == "warning"
    assert all("12 " not in f.message for f in composer.findings() if "cvv" in f.path)


def test_append_step(composer):
    composer.set_request(BranchRequest(call_id="AST10-1.1", date_time="2023-07-20 11:35:35",
                                       branch_data=(Step("0"),)))
    composer.append_step(Step("100", "1"))
    assert composer.request().branch_data == (Step("0"), Step("100", "1"))
    assert composer.request().current_branch == "100"


def test_sample_button_fills_in_the_payment_too(qtbot, composer):
    qtbot.mouseClick(composer.sample_button, Qt.MouseButton.LeftButton)
    assert composer.request().payment_info[0].cvv == "987"
    assert '"cvv": "***"' in composer.preview.toPlainText()


@pytest.mark.parametrize("content, words", [
    ("{not json", "This is not valid JSON"),
    ('{"branch_data": 5}', "branch_data must be a list of objects"),
])
def test_bad_request_files_are_refused(composer, tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    before = composer.request()
    assert not composer.open_request_from(path)
    assert composer.status.kind == "error" and words in composer.status.text()
    assert composer.request() == before
