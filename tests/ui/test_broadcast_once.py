"""A broadcast has one run: Start twice, Start again, an overlapping list, and Cancel, as a user does them."""
from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt

from console.domain.broadcast.overlap import find_overlap
from console.ui.broadcast_guard import INCLUDE, LEAVE_OUT, NOT_NOW

LIST = "name\tphone\nAnn\t2125550001\nBob\t2125550002\nCy\t2125550003\n"


def sms_to(console_env):
    return Counter(m["to"] for m in console_env.sandbox.outbox()["sms"])


def ready(tab, text=LIST, body="Hello {name}, the office is closed tomorrow."):
    tab.load_pasted_text(text)
    tab.body_edit.setPlainText(body)
    tab.per_second_spin.setValue(20)
    tab.recompute()


def test_two_quick_clicks_on_start_make_one_run_and_one_message_each(harness, qtbot, console_env):
    tab = harness.tab
    ready(tab)
    started = []
    tab.run_started.connect(started.append)
    # Both clicks arrive before the first one is handled, as a double click does.
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        tab.start_button.click()
        tab.start_button.click()
    assert len(started) == 1
    assert len(harness.store.runs()) == 1
    assert sms_to(console_env) == Counter({"2125550001": 1, "2125550002": 1, "2125550003": 1})


def test_start_is_disabled_while_its_run_goes_on_and_says_why(harness, qtbot):
    tab = harness.tab
    ready(tab)
    tab.later_radio.setChecked(True)  # a scheduled run stays under way until cancelled
    with qtbot.waitSignal(tab.run_started, timeout=5000) as started:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    run_id = started.args[0]
    qtbot.waitUntil(lambda: "— scheduled." in tab.progress_label.text(), timeout=5000)
    assert not tab.start_button.isEnabled()
    assert f"Broadcast #{run_id} is under way" in tab.start_button.toolTip()
    tab.recompute()  # editing the message does not free Start while the run goes on
    assert not tab.start_button.isEnabled()
    with qtbot.waitSignal(harness.runner.run_finished, timeout=5000):
        tab.cancel_button.click()
    assert tab.start_button.isEnabled()
    assert f"Broadcast #{run_id} cancelled" in tab.result_label.text()
    assert "It is running" not in tab.result_label.text()


def test_starting_the_same_list_again_asks_and_leaves_them_out_by_default(harness, qtbot, console_env):
    tab = harness.tab
    ready(tab)
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert tab.start_button.isEnabled()

    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(harness.choose.boxes), timeout=5000)
    [words] = harness.choose.boxes
    assert "3 recipients could get this message twice." in words
    assert "3 recipients got this same message in the last 24 hours." in words
    assert harness.choose.defaults == [LEAVE_OUT]
    qtbot.waitUntil(lambda: tab.result_label.kind == "warning", timeout=5000)
    assert "every recipient got this message in the last 24 hours" in tab.result_label.text()
    assert len(harness.store.runs()) == 1
    assert sms_to(console_env) == Counter({"2125550001": 1, "2125550002": 1, "2125550003": 1})


def test_a_list_that_overlaps_a_broadcast_not_over_names_it(harness, qtbot, console_env):
    tab = harness.tab
    ready(tab, "name\tphone\nAnn\t2125550001\nBob\t2125550002\n", body="Reminder for {name}")
    tab.later_radio.setChecked(True)
    with qtbot.waitSignal(tab.run_started, timeout=5000) as first:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    first_id = first.args[0]
    qtbot.waitUntil(lambda: "— scheduled." in tab.progress_label.text(), timeout=5000)

    # A second broadcast (other text) to Bob, who waits in the first one, and to Dee.
    tab.now_radio.setChecked(True)
    ready(tab, "name\tphone\nBob\t2125550002\nDee\t2125550004\n", body="Closed on Friday, {name}")
    tab.launcher.own_run_id = None  # as after a restart: the first run is not this tab's own
    tab.launcher.update_start_button()
    harness.choose.answer = NOT_NOW
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.text() == "Not started.", timeout=5000)
    assert f"1 recipient still waits to be sent to by broadcast #{first_id}, which is not over." \
        in harness.choose.boxes[0]
    assert len(harness.store.runs()) == 1

    harness.choose.answer = LEAVE_OUT
    with qtbot.waitSignal(tab.run_started, timeout=5000) as second:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    rows = harness.store.rows(second.args[0])
    assert [r.number for r in rows] == ["2125550004"]
    assert "1 recipient left out who would have got it twice." in tab.result_label.text()


def test_sending_to_them_too_is_an_explicit_choice(harness, qtbot):
    tab = harness.tab
    ready(tab, "name\tphone\nAnn\t2125550001\n", body="Hi {name}")
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    harness.choose.answer = INCLUDE
    with qtbot.waitSignal(tab.run_started, timeout=5000) as again:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert [r.number for r in harness.store.rows(again.args[0])] == ["2125550001"]


def test_cancel_asks_first_and_names_the_run(harness, qtbot, console_env):
    tab = harness.tab
    ready(tab)
    tab.later_radio.setChecked(True)
    with qtbot.waitSignal(tab.run_started, timeout=5000) as started:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    run_id = started.args[0]
    qtbot.waitUntil(lambda: tab.cancel_button.isEnabled(), timeout=5000)
    confirm = tab.confirm
    confirm.answer = False
    tab.cancel_button.click()
    assert f"Cancel broadcast #{run_id} (Hello {{name}}, the office is closed tomorrow.)?" in confirm.boxes[-1]
    assert "3 rows not sent yet will not be sent." in confirm.boxes[-1]
    assert harness.runner.is_running(run_id)
    confirm.answer = True
    with qtbot.waitSignal(harness.runner.run_finished, timeout=5000):
        tab.cancel_button.click()
    assert [r.state for r in harness.store.rows(run_id)] == ["cancelled"] * 3


def test_a_run_is_named_by_whole_words(harness, qtbot):
    tab = harness.tab
    ready(tab, body="Dear {name}, your appointment with the practice is confirmed for tomorrow morning")
    tab.later_radio.setChecked(True)
    with qtbot.waitSignal(tab.run_started, timeout=5000) as started:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert harness.store.run(started.args[0]).name == \
        "Dear {name}, your appointment with the practice is…"


def test_overlap_finds_same_text_and_open_runs():
    overlap = find_overlap([("1", "a"), ("2", "a"), ("3", "b")],
                           recent=[("1", "a", "t1"), ("2", "other", "t2"), ("1", "a", "t3")],
                           running={"3": 7})
    assert overlap.recent == {0: "t3"}
    assert overlap.running == {2: 7}
    assert overlap.indexes == {0, 2}
    assert not find_overlap([("1", "a")], recent=[], running={})


def test_enter_on_the_cancel_question_keeps_sending(qtbot):
    from PySide6.QtWidgets import QWidget

    from console.ui.broadcast_guard import cancel_question

    parent = QWidget()
    qtbot.addWidget(parent)
    box = cancel_question(parent, run_id=4, name="Closed tomorrow", to_send=1)
    assert box.defaultButton().text() == "Keep sending"
    assert box.escapeButton().text() == "Keep sending"
    assert "1 row not sent yet will not be sent." in box.informativeText()
