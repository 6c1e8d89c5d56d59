"""A broadcast that keeps the office within the law, driven through the widgets against the sandbox.

A 500-row list over 8 states with a state column, checked on a Friday evening
and on Thanksgiving, started, and its report read against the check row by
row; a number that got 3 messages today from another broadcast is held back;
an imported STOP reply stops the next broadcast and a one-off SMS.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from console.domain.broadcast.preflight import DO_NOT_CONTACT, DUPLICATE, INVALID, SEND, SKIP, WAIT
from tests.jobs.broadcast_helpers import journal_sends
from tests.ui.broadcast_steps import check_rows, load_file, wait_checked

FRIDAY_EVENING = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)  # Fri 4 Dec, 20:30 in New York
THANKSGIVING = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # Thu 26 Nov, 12:00 in New York
# (area code, what the state column says, state, decision on Friday at 20:30 Eastern)
STATES = [("212", "NY", "NY", SEND), ("305", "Florida", "FL", WAIT), ("713", "TX", "TX", SEND),
          ("504", "louisiana", "LA", SEND), ("801", "UT", "UT", SEND), ("206", "WA", "WA", SEND),
          ("405", "Oklahoma", "OK", SEND), ("410", "MD", "MD", WAIT)]
HELD = "4055550009"  # an Oklahoma customer with 3 messages today from another broadcast
STOPPED = "2065550002"  # a Washington customer who replied STOP


def write_list(path) -> None:
    lines = ["Name,Phone,State,Appointment"]
    for i in range(496):
        area, written, _state, _kind = STATES[i % 8]
        lines.append(f"Customer {i},({area}) 555-{i:04d},{written},Tue 10:{i % 60:02d}")
    lines += ["Nobody,not a number,NY,Mon", "Again,(212) 555-0000,NY,Mon",
              f"Held,{HELD},OK,Mon", f"Stopped,{STOPPED},WA,Mon"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_stop_reply(qtbot, tab, number):
    tab.on_dnc_clicked()
    dnc = tab.dnc_dialog
    dnc.on_replies_clicked()
    replies = dnc.replies_dialog
    replies.paste_edit.setPlainText(f"{number}\tSTOP\t2026-12-03 14:02\n"
                                    "2125550001\tplease stop texting me\t2026-12-03 14:05\n"
                                    "2125550003\tSee you Tuesday\t2026-12-03 14:06\n")
    replies.read_button.click()
    assert "3 replies read: 1 opt-out by keyword, 1 to confirm." in replies.result_label.text()
    assert replies.table.item(1, 3).text() == "May be an opt-out: tick to confirm"
    replies.add_button.click()  # the plain-words reply waits for a person: not ticked, not added
    assert replies.result_label.text() == "1 number added to the do-not-contact list."
    replies.close()
    dnc.close()
    assert [r.number for r in tab.store.do_not_contact()] == [number]


def test_a_500_row_list_over_8_states_from_check_to_report(harness, qtbot, console_env, tmp_path):
    tab = harness.tab
    harness.clock.now = FRIDAY_EVENING
    tab.office_zone = "America/New_York"
    import_stop_reply(qtbot, tab, STOPPED)
    journal_sends(console_env.journal.path, HELD,
                  [FRIDAY_EVENING - timedelta(hours=h) for h in (7, 5, 3)])
    path = tmp_path / "customers.csv"
    write_list(path)
    assert tab.checker.inline_rows < 500  # this list is checked off the UI thread
    assert load_file(qtbot, tab, path)
    assert tab.state_combo.currentText() == "State (column 3)"
    assert tab.name_combo.currentText() == "Name (column 1)"
    tab.body_edit.setPlainText("Hello {name}, see you {appointment}.")
    tab.per_second_spin.setValue(100)
    tab.per_minute_spin.setValue(6000)
    wait_checked(qtbot, tab)

    decisions = {d.row: d for d in tab.checker_result.rows}
    assert len(decisions) == 500
    for i in range(496):
        _area, _written, state, kind = STATES[i % 8]
        d = decisions[i + 2]
        assert (d.place.state, d.kind) == (state, kind), (i, d.reason)
        assert d.place.source == "state column 'state'"
    assert decisions[3].reason == "waits until Sat 08:00 (Florida, 8:00–20:00)"
    assert decisions[3].local_time == "Fri 20:30 Eastern"
    assert decisions[5].local_time == "Fri 19:30 Central"
    assert decisions[498].kind == INVALID
    assert (decisions[499].kind, decisions[499].reason) == (
        DUPLICATE, "Duplicate of row 2: left out, so the customer gets one message.")
    assert (decisions[500].kind, decisions[500].reason) == (
        SKIP, "skipped: 3 messages in 24 h (Oklahoma allows 3 messages in 24 h)")
    assert (decisions[501].kind, decisions[501].reason) == (
        DO_NOT_CONTACT, "left out: opted out on 3 Dec 2026 by reply STOP")
    sends = sum(1 for d in decisions.values() if d.kind == SEND)
    assert sends == 372 and sum(1 for d in decisions.values() if d.kind == WAIT) == 124
    assert tab.totals_label.text().startswith(
        "500 rows: 372 send now · 124 wait · 4 skipped or left out (1 skipped, 1 do not contact, "
        "1 not a number, 1 duplicate) · 496 texts in all")
    # The table is a model over every row; the filter narrows it without changing the totals.
    assert tab.check_panel.model.rowCount() == 500
    tab.check_panel.filter_combo.setCurrentIndex(tab.check_panel.filter_combo.findText("Waits"))
    assert tab.check_panel.model.rowCount() == 124
    tab.check_panel.filter_combo.setCurrentIndex(0)

    # Across a holiday: Louisiana and Utah send nothing on Thanksgiving.
    harness.clock.now = THANKSGIVING
    wait_checked(qtbot, tab)
    holiday = {d.row: d for d in tab.checker_result.rows}
    assert holiday[5].reason == "waits until Fri 08:00 (holiday in Louisiana: Thanksgiving Day)"
    assert holiday[6].reason == "waits until Fri 08:00 (holiday in Utah: Thanksgiving Day)"
    assert holiday[2].kind == SEND and holiday[3].kind == SEND  # New York and Florida: no holiday rule
    harness.clock.now = FRIDAY_EVENING
    wait_checked(qtbot, tab)
    checked_path = tmp_path / "check.csv"
    tab.check_panel.export_to(checked_path)

    with qtbot.waitSignal(tab.run_started, timeout=10000) as started:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    run_id = started.args[0]
    qtbot.waitUntil(lambda: harness.runner.progress(run_id).sent == sends, timeout=60000)
    qtbot.waitUntil(lambda: harness.runner.progress(run_id).waiting == 124, timeout=10000)
    sent = Counter(m["to"] for m in console_env.sandbox.outbox()["sms"])
    assert sum(sent.values()) == sends and max(sent.values()) == 1
    assert HELD not in sent and STOPPED not in sent

    with qtbot.waitSignal(console_env.messages.posted, timeout=10000,
                          check_params_cb=lambda _level, text: "Report of broadcast" in text):
        tab.export_report(run_id, harness.saved_to)
    report = list(csv.DictReader(io.StringIO(harness.saved_to.read_text(encoding="utf-8-sig"))))
    check = list(csv.DictReader(io.StringIO(checked_path.read_text(encoding="utf-8-sig"))))
    assert [r["row"] for r in report] == [r["row"] for r in check] == [str(i) for i in range(2, 502)]
    outcome_of = {"Sends now": "Sent", "Waits": "Waiting for its time", "Skipped": "Skipped"}
    for line, checked in zip(report, check, strict=True):
        assert (line["name"], line["number"]) == (checked["name"], checked["number"])
        assert line["state"] == checked["state"]
        assert line["time zone"] == checked["time zone"]
        assert line["pre-flight"] == checked["reason"]
        assert line["outcome"] == outcome_of.get(checked["decision"], "Not sent: left out"), line
    runner = harness.runner
    runner.cancel(run_id)
    qtbot.waitUntil(lambda: not runner.is_running(run_id), timeout=10000)


def test_an_imported_stop_stops_the_next_broadcast_and_a_one_off_sms(harness, qtbot, console_env):
    from console.ui.sms_tab import SmsTab
    from tests.console_env import ConfirmRecorder

    tab = harness.tab
    import_stop_reply(qtbot, tab, "2125550002")
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\t2125550002\n")
    tab.body_edit.setPlainText("Hi {name}")
    tab.per_second_spin.setValue(50)
    wait_checked(qtbot, tab)
    assert [r[5] for r in check_rows(tab)] == [
        "sends now", "left out: opted out on 3 Dec 2026 by reply STOP"]
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert [m["to"] for m in console_env.sandbox.outbox()["sms"]] == ["2125550001"]

    sms = SmsTab(session=console_env.session, sender=console_env.sender,
                 messages=console_env.messages, confirm=ConfirmRecorder(True),
                 broadcasts=harness.store, history=console_env.journal)
    qtbot.addWidget(sms)
    sms.show()
    qtbot.keyClicks(sms.to_edit, "2125550002")
    sms.body_edit.setPlainText("Hello Bob")
    qtbot.mouseClick(sms.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(sms.to_error.isVisible, timeout=5000)
    assert "opted out on 3 Dec 2026 by reply STOP" in sms.to_error.text()
    assert [m["to"] for m in console_env.sandbox.outbox()["sms"]] == ["2125550001"]


def test_a_one_off_sms_warns_at_the_states_limit(qtbot, console_env):
    from console.ui.sms_tab import SmsTab
    from tests.console_env import ConfirmRecorder

    now = datetime.now(UTC)
    journal_sends(console_env.journal.path, "3055550100", [now - timedelta(hours=h) for h in (5, 3, 1)])
    confirm = ConfirmRecorder(False)
    sms = SmsTab(session=console_env.session, sender=console_env.sender, messages=console_env.messages,
                 confirm=confirm, history=console_env.journal)
    qtbot.addWidget(sms)
    sms.show()
    qtbot.keyClicks(sms.to_edit, "3055550100")
    sms.body_edit.setPlainText("Your order is ready.")
    qtbot.mouseClick(sms.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(confirm.boxes), timeout=5000)
    assert ("(305) 555-0100 got 3 messages in the last 24 hours; Florida allows at most 3 messages "
            "in 24 h (area code 305)") in confirm.boxes[0]
    assert sms.result_label.text() == "Not sent: the customer reached the limit of messages."
    assert console_env.sandbox.outbox()["sms"] == []


def test_the_office_makes_a_rule_stricter_and_a_looser_setting_is_refused(harness, qtbot):
    tab = harness.tab
    harness.clock.now = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # Saturday 10:00 in Miami
    tab.load_pasted_text("name\tphone\tstate\nAnn\t3055550001\tFL\n")
    tab.body_edit.setPlainText("Hi {name}")
    wait_checked(qtbot, tab)
    assert tab.checker_result.rows[0].kind == SEND
    tab.on_rules_clicked()
    dialog = tab.rules_dialog
    from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog, []) == {}
    dialog.select("FL")
    dialog.closes_edit.setTime(dialog.closes_edit.time().fromString("21:30", "HH:mm"))
    dialog.day_checks[5].setChecked(True)  # no Saturdays
    dialog.cap_spin.setValue(5)
    dialog.apply_button.click()
    assert dialog.closes_error.text() == (
        "Florida: closing at 21:30 is later than the law allows (20:00, Fla. Stat. § "
        "501.616(6)(a)-(b)). The closing stays 20:00.")
    assert "5 messages in 24 h is more than the law allows" in dialog.cap_error.text()
    assert "except what the law does not allow" in dialog.result_label.text()
    assert harness.store.office_rules() == {"FL": {"blocked_days": [5], "cap": None, "closes": None,
                                                   "holidays_closed": False, "opens": None}}
    dialog.close()
    wait_checked(qtbot, tab)
    assert tab.checker_result.rows[0].reason == (
        "waits until Sun 08:00 (Florida: no messages on Saturdays)")


def test_a_hostile_workbook_is_refused_by_name_with_its_limit(harness, qtbot, tmp_path):
    from tests.domain.broadcast.test_bounded import bomb, small_workbook, with_member

    path = tmp_path / "customers.xlsx"
    path.write_bytes(with_member(small_workbook(), "xl/worksheets/sheet1.xml", bomb))
    tab = harness.tab
    assert not load_file(qtbot, tab, path)
    text = tab.source_error.text()
    assert text.startswith("customers.xlsx: It cannot be read: its part xl/worksheets/sheet1.xml "
                           "would unpack to ")
    assert "a part may unpack to at most 96 MB" in text
    assert tab.open_button.isEnabled()


def test_after_start_the_page_shows_the_progress_and_the_banner_follows_the_run(harness, qtbot):
    tab = harness.tab
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(tab)
    area.resize(900, 500)
    area.show()
    try:
        scrolled_to_progress(qtbot, harness, tab, area)
    finally:
        area.takeWidget()  # the harness closes the tab itself
        area.deleteLater()


def scrolled_to_progress(qtbot, harness, tab, area):
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\t2125550002\n")
    tab.body_edit.setPlainText("Hello {name}")
    tab.per_second_spin.setValue(50)
    wait_checked(qtbot, tab)
    assert area.verticalScrollBar().value() == 0
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert area.verticalScrollBar().value() > 0
    top = tab.runs.mapTo(tab, tab.runs.rect().topLeft()).y()
    assert area.verticalScrollBar().value() <= top <= area.verticalScrollBar().value() + 500
    assert "finished: 2 sent" in tab.result_label.text()
    assert "It is running" not in tab.result_label.text()


def test_the_check_is_a_model_that_filters_finds_and_exports(harness, qtbot, qtmodeltester, tmp_path):
    tab = harness.tab
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\tnope\nCy\t2125550001\n=cmd()\t2125550003\n")
    tab.body_edit.setPlainText("Hi {name}")
    wait_checked(qtbot, tab)
    qtmodeltester.check(tab.check_panel.model)
    panel = tab.check_panel
    panel.filter_combo.setCurrentIndex(panel.filter_combo.findText("Not a number or a duplicate"))
    assert [r[0] for r in check_rows(tab)] == ["3", "4"]
    panel.filter_combo.setCurrentIndex(0)
    panel.search_edit.setText("cy")
    assert [r[1] for r in check_rows(tab)] == ["Cy"]
    panel.search_edit.clear()
    path = tmp_path / "check.csv"
    panel.export_to(path)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["2", "3", "4", "5"]
    assert lines[4][1] == "'=cmd()" and lines[4][9] == "Hi =cmd()"
