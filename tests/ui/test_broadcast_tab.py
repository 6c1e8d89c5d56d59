"""The Broadcast tab driven as a user would, with real CSV files, against the sandbox."""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime

from PySide6.QtCore import Qt

from console.store.broadcasts import DncRecord, SqliteBroadcastStore
from tests.console_env import ConfirmRecorder
from tests.jobs.broadcast_helpers import NOON_NEW_YORK, FixedClock, make_run
from tests.ui.broadcast_harness import Harness
from tests.ui.broadcast_steps import check_rows, going, left_out, load_file, reason_of, wait_checked

JARGON = ("billed segments", "standard characters", "special characters", "GSM", "UCS")


def test_utf8_file_with_accents_previews_each_message(harness, qtbot, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("Prénom,Téléphone,Date\nZoë,(212) 555-0001,Tuesday\nRené,212-555-0002,Wednesday\n",
                    encoding="utf-8")
    tab = harness.tab
    harness.open_path = path
    with qtbot.waitSignal(tab.list_picker.loading_finished, timeout=10000):
        tab.open_button.click()
    assert "clients.csv (comma-separated, UTF-8)" in tab.source_label.text()
    assert tab.header_check.isChecked()
    assert tab.number_combo.currentIndex() == 1
    # Titles are shown as titles, and the table of columns does not call data a "value".
    assert tab.number_combo.currentText() == "Téléphone (column 2)"
    heads = [tab.columns_table.horizontalHeaderItem(c).text() for c in range(3)]
    assert heads == ["Column", "First row of customers", "Merge field name"]
    tab.body_edit.setPlainText("Bonjour {prenom}, see you on {date}.")
    wait_checked(qtbot, tab)
    assert going(tab) == [
        ("2", "(212) 555-0001", "Bonjour Zoë, see you on Tuesday.", "1", "ë"),
        ("3", "(212) 555-0002", "Bonjour René, see you on Wednesday.", "1", ""),
    ]
    totals = tab.totals_label.text()
    assert totals.startswith("2 rows: 2 send now · 0 wait · 0 skipped or left out · 2 texts in all")
    assert ("1 message with a character that makes each text hold 70 letters instead of 160"
            in totals)
    assert not any(word in totals for word in JARGON)
    assert tab.start_button.isEnabled()


def test_semicolon_file_from_a_european_spreadsheet(harness, qtbot, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Nom;Numéro;Montant\r\nMüller;212 555 0001;3,50\r\nDupont;pas de numéro;4,00\r\n"
                     "Müller bis;+1 212-555-0001;5,00\r\nLéa;212.555.0003;\r\n".encode("cp1252"))
    tab = harness.tab
    load_file(qtbot, tab, path)
    assert "semicolon-separated, Windows-1252" in tab.source_label.text()
    tab.body_edit.setPlainText("Bonjour {nom}, vous devez {montant} €.")
    wait_checked(qtbot, tab)
    assert [r[2] for r in going(tab)] == ["Bonjour Müller, vous devez 3,50 €."]
    assert left_out(tab) == [("3", "Not a number"), ("4", "Duplicate"), ("5", "Merge field empty")]
    # The later row is left out, not merged: the words say so.
    assert reason_of(tab, 4) == "Duplicate of row 2: left out, so the customer gets one message."
    assert "{montant} is empty" in reason_of(tab, 5)
    # € is in GSM-7's extension table: 160 letters per text, counted twice.
    assert going(tab)[0][3:] == ("1", "")


def test_pasted_cells_and_a_misspelt_merge_field(harness, qtbot):
    tab = harness.tab
    tab.load_pasted_text("Ann\t2125550001\nBob\t2125550002\n")
    assert not tab.header_check.isChecked()
    tab.body_edit.setPlainText("Hi {first_name}")
    tab.recompute()
    assert tab.body_error.isVisible()
    assert "{first_name} is not a column" in tab.body_error.text()
    assert "{column_1}, {number}" in tab.body_error.text()
    assert not tab.start_button.isEnabled()
    # Renaming the column makes the field known.
    # While the message has a merge-field error, nothing is known of the rows yet: no "none".
    assert tab.totals_label.text() == "Correct the message to see what happens to each row."
    assert tab.check_panel.model.rowCount() == 0
    # Without titles, a column is shown by its place and first value.
    assert tab.number_combo.currentText() == "Column 2: 2125550001"
    # Renaming the column makes the field known.
    tab.columns_table.item(0, 2).setText("first_name")
    wait_checked(qtbot, tab)
    assert not tab.body_error.isVisible()
    assert [r[2] for r in going(tab)] == ["Hi Ann", "Hi Bob"]


def test_live_confirmation_states_counts_and_first_messages(harness, qtbot, console_env):
    profile = console_env.add_live_profile()
    from tests.console_env import drive
    drive(console_env.session.activate(profile.id))
    harness.clock.now = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles
    harness.store.add_do_not_contact([DncRecord("2125550004", "asked", "2026-01-01")])
    tab = harness.tab
    tab.confirm.answer = False
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\t2125550002\nCy\t3105550003\n"
                         "Di\t2125550004\nEd\tnope\nAnn\t2125550001\n")
    tab.quiet_combo.setCurrentIndex(tab.quiet_combo.findData("skip"))
    tab.body_edit.setPlainText("Hello {name}")
    tab.recompute()
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(tab.confirm.boxes), timeout=5000)
    [box] = tab.confirm.boxes
    assert "to 2 recipients on the live account 'Main office'" in box
    assert "Total: 2 texts" in box
    assert "1. To (212) 555-0001: Hello Ann" in box
    assert "2. To (212) 555-0002: Hello Bob" in box
    assert "Not sent: 1 skipped, 1 do not contact, 1 not a number, 1 duplicate." in box
    assert not any(word in box for word in JARGON)
    assert "No test was sent" in box
    assert tab.result_label.text() == "Not started."
    assert console_env.sandbox.outbox()["sms"] == []
    assert harness.store.runs() == []


def test_test_send_then_a_run_with_its_report(harness, qtbot, console_env, qtmodeltester, tmp_path):
    tab = harness.tab
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\t2125550002\nCy\t2125550003\n")
    tab.body_edit.setPlainText("Hello {name}, the office is closed tomorrow.")
    tab.per_second_spin.setValue(20)
    tab.recompute()
    qtbot.keyClicks(tab.test_edit, "8451239999")
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result_label.kind == "ok", timeout=10000)
    assert "Test sent to (845) 123-9999" in tab.result_label.text()
    assert [m["body"] for m in console_env.sandbox.outbox()["sms"]] == [
        "Hello Ann, the office is closed tomorrow."]

    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtmodeltester.check(tab.model)
    statuses = [tab.model.index(r, 3).data() for r in range(tab.model.rowCount())]
    assert statuses == ["Sent"] * 3
    sent = Counter(m["to"] for m in console_env.sandbox.outbox()["sms"])
    assert sent == Counter({"8451239999": 1, "2125550001": 1, "2125550002": 1, "2125550003": 1})
    assert "3 sent, 0 to send — finished." in tab.progress_label.text()

    with qtbot.waitSignal(console_env.messages.posted, timeout=10000,
                          check_params_cb=lambda _level, text: "Report of broadcast" in text):
        tab.export_button.click()
    lines = list(csv.reader(io.StringIO(harness.saved_to.read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["row", "name", "number", "state", "time zone", "pre-flight", "outcome",
                        "details", "reference_id", "message"]
    assert [(line[0], line[1], line[2], line[3], line[4], line[5], line[6]) for line in lines[1:]] == [
        ("2", "Ann", "(212) 555-0001", "New York", "Eastern", "sends now", "Sent"),
        ("3", "Bob", "(212) 555-0002", "New York", "Eastern", "sends now", "Sent"),
        ("4", "Cy", "(212) 555-0003", "New York", "Eastern", "sends now", "Sent")]
    assert all(line[8] for line in lines[1:])


def test_templates_are_saved_by_name(harness):
    tab = harness.tab
    tab.body_edit.setPlainText("The office is closed on {date}.")
    harness.names.append("Closed")
    tab.save_template_button.click()
    assert tab.template_combo.currentText() == "Closed"
    tab.body_edit.setPlainText("")
    tab.use_template_button.click()
    assert tab.body_edit.toPlainText() == "The office is closed on {date}."
    assert harness.store.templates() == {"Closed": "The office is closed on {date}."}


def test_do_not_contact_dialog_imports_and_exports(harness, qtbot, tmp_path):
    tab = harness.tab
    source = tmp_path / "dnc.csv"
    source.write_bytes("Téléphone;Raison\n212 555 0001;Décédé\n212 555 0002;Plainte\nxyz;\n"
                       .encode("cp1252"))
    tab.on_dnc_clicked()
    dialog = tab.dnc_dialog
    from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
    assert unnamed_controls(dialog) == []
    assert mnemonic_clashes(dialog, []) == {}
    dialog.import_file(source)
    assert dialog.table.rowCount() == 2
    assert "2 new numbers added" in dialog.result_label.text()
    assert "1 row was not a number:" in dialog.result_label.text()
    qtbot.keyClicks(dialog.number_edit, "2125550003")
    dialog.add_button.click()
    assert dialog.table.rowCount() == 3
    # Each entry says how it arrived; the numbers never wrap onto two lines.
    assert dialog.table.item(0, 3).text() == "imported from dnc.csv"
    assert dialog.table.item(2, 3).text() == "typed in"
    assert not dialog.table.wordWrap()
    widest = dialog.table.fontMetrics().horizontalAdvance("(212) 555-0003")
    assert dialog.table.columnWidth(0) > widest
    dialog.export_file(tmp_path / "back.csv")
    text = (tmp_path / "back.csv").read_text(encoding="utf-8-sig")
    assert "(212) 555-0001,Décédé,2026-01-15,imported from dnc.csv" in text
    dialog.close()
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\t2125550009\n")
    tab.body_edit.setPlainText("Hi {name}")
    wait_checked(qtbot, tab)
    assert left_out(tab) == [("2", "Do not contact")]
    assert reason_of(tab, 2) == "left out: on the do-not-contact list since 15 Jan 2026 (Décédé)"


def test_an_interrupted_run_is_offered_after_a_restart(qtbot, console_env, tmp_path):
    store = SqliteBroadcastStore(console_env.journal.path)
    run_id = make_run(store, count=4)
    store.set_run_state(run_id, "running")
    store.mark_sending(run_id, 0)
    store.finish_row(run_id, 0, state="sent")
    store.mark_sending(run_id, 1)
    store.close()  # killed here

    again = SqliteBroadcastStore(console_env.journal.path)
    again.recover()
    try:
        harness = Harness(qtbot, console_env, FixedClock(NOON_NEW_YORK), ConfirmRecorder(True), tmp_path)
        tab = harness.tab
        assert tab.resume_label.isVisible()
        assert ("was interrupted when the console closed: 2 rows still to send, 1 with an "
                "unknown outcome to check") in tab.resume_label.text()
        with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
            tab.resume_button.click()
        states = [tab.model.index(r, 3).data() for r in range(tab.model.rowCount())]
        assert states == ["Sent", "Unknown: check before sending again", "Sent", "Sent"]
        assert sorted(m["to"] for m in console_env.sandbox.outbox()["sms"]) == [
            "2125550002", "2125550003"]
        assert not tab.resume_label.isVisible()
        # The user checks with the customer, and marks it sent.
        tab.rows_view.selectRow(1)
        tab.mark_sent_button.click()
        assert tab.model.index(1, 3).data() == "Sent"
        harness.close()
    finally:
        again.close()


def test_pause_resume_and_the_buttons_that_go_with_them(harness, qtbot, console_env):
    tab = harness.tab
    tab.load_pasted_text("\n".join(f"Cust {i}\t212555{i:04d}" for i in range(10)))
    tab.body_edit.setPlainText("Hi {column_1}")
    tab.per_second_spin.setValue(10)
    tab.recompute()
    with qtbot.waitSignal(tab.run_started, timeout=5000) as started:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    run_id = started.args[0]
    assert tab.current_run_id() == run_id
    qtbot.waitUntil(lambda: harness.runner.progress(run_id).sent >= 2, timeout=15000)
    assert tab.pause_button.isEnabled()
    assert harness.runner.sending()  # quitting now asks first
    qtbot.mouseClick(tab.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "— paused." in tab.progress_label.text(), timeout=5000)
    assert not harness.runner.sending()
    assert not tab.pause_button.isEnabled()
    assert tab.resume_run_button.isEnabled()
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.resume_run_button, Qt.MouseButton.LeftButton)
    assert len(console_env.sandbox.outbox()["sms"]) == 10
    assert not tab.resume_run_button.isEnabled() and not tab.cancel_button.isEnabled()
    assert not harness.runner.sending()


def test_a_call_broadcast_scheduled_then_cancelled(harness, qtbot, console_env):
    tab = harness.tab
    tab.load_pasted_text("2125550001\n2125550002\n")
    tab.call_radio.setChecked(True)
    tab.sfile_edit.setText("918357")
    tab.later_radio.setChecked(True)
    wait_checked(qtbot, tab)
    assert [r[2] for r in going(tab)] == ["Plays library file 918357"] * 2
    assert [tab.check_panel.model.index(r, 7).data() for r in range(2)] == ["—", "—"]
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "It starts at" in tab.progress_label.text(), timeout=5000)
    assert "— scheduled." in tab.progress_label.text()
    with qtbot.waitSignal(harness.runner.run_finished, timeout=15000):
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    assert [tab.model.index(r, 3).data() for r in range(2)] == ["Cancelled", "Cancelled"]
    assert console_env.sandbox.outbox()["calls"] == []


def test_a_call_without_a_library_file_is_refused_with_the_field_named(harness, qtbot):
    tab = harness.tab
    tab.load_pasted_text("2125550001\n")
    tab.call_radio.setChecked(True)
    tab.recompute()
    qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.sfile_error.isVisible, timeout=5000)
    assert tab.sfile_error.text().startswith("Library file id")
    assert tab.result_label.text() == "Please correct the fields marked in red."
    assert harness.store.runs() == []


def test_sms_and_calls_tabs_refuse_a_number_on_the_office_list(qtbot, console_env):
    from console.ui.calls_tab import CallsTab
    from console.ui.sms_tab import SmsTab

    store = SqliteBroadcastStore(console_env.journal.path)
    try:
        store.add_do_not_contact([DncRecord("8451234567", "asked by phone", "2026-01-01", "typed in")])
        store.save_template("Closed", "Hello {first_name}, the office is closed.")
        confirm = ConfirmRecorder(True)
        sms = SmsTab(session=console_env.session, sender=console_env.sender,
                     messages=console_env.messages, confirm=confirm, broadcasts=store)
        qtbot.addWidget(sms)
        sms.show()
        assert sms.template_picker.combo.currentText() == "Closed"
        sms.template_picker.insert_button.click()
        assert sms.body_edit.toPlainText() == "Hello {first_name}, the office is closed."
        qtbot.keyClicks(sms.to_edit, "8451234567")
        qtbot.mouseClick(sms.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(sms.body_error.isVisible, timeout=5000)
        assert "replace {first_name} with the customer's own value" in sms.body_error.text()
        sms.body_edit.setPlainText("Hello Ann, the office is closed.")
        qtbot.mouseClick(sms.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(sms.to_error.isVisible, timeout=5000)
        assert sms.to_error.text() == (
            "To: (845) 123-4567 is on the office's do-not-contact list (on the do-not-contact list "
            "since 1 Jan 2026 (asked by phone)), so nothing is sent. If the customer asked to hear "
            "from the office again, remove the number in Broadcast ▸ Do-not-contact list first.")

        calls = CallsTab(session=console_env.session, sender=console_env.sender,
                         messages=console_env.messages, confirm=confirm, broadcasts=store)
        qtbot.addWidget(calls)
        calls.show()
        qtbot.keyClicks(calls.to_edit, "8451234567")
        calls.sfile_edit.setText("918357")
        qtbot.mouseClick(calls.call_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(calls.to_error.isVisible, timeout=5000)
        assert "is on the office's do-not-contact list" in calls.to_error.text()
        assert confirm.boxes == []  # refused, not asked
        outbox = console_env.sandbox.outbox()
        assert outbox["sms"] == [] and outbox["calls"] == []
        # Off the list, it goes.
        store.remove_do_not_contact(["8451234567"])
        qtbot.mouseClick(sms.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sms.result_label.kind == "ok", timeout=10000)
        assert [m["to"] for m in console_env.sandbox.outbox()["sms"]] == ["8451234567"]
    finally:
        store.close()


def test_an_excel_workbook(harness, qtbot, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Rendez-vous"
    for row in (["First name", "Mobile"], ["Zoë", 2125550001], ["Bob", 2125550002]):
        book.active.append(row)
    path = tmp_path / "clients.xlsx"
    book.save(path)
    tab = harness.tab
    load_file(qtbot, tab, path)
    assert "clients.xlsx (Excel workbook, sheet 'Rendez-vous')" in tab.source_label.text()
    tab.body_edit.setPlainText("Hi {first_name}")
    wait_checked(qtbot, tab)
    assert [r[:3] for r in going(tab)] == [("2", "(212) 555-0001", "Hi Zoë"),
                                           ("3", "(212) 555-0002", "Hi Bob")]


def test_the_summary_agrees_with_what_will_go_and_each_row_shows_its_time(harness, qtbot):
    harness.clock.now = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles
    tab = harness.tab
    tab.load_pasted_text("Ann\t2125550001\nCy\t3105550003\nTollfree\t8005550100\n")
    tab.office_zone = "America/Chicago"
    tab.body_edit.setPlainText("Hello {column_1}")
    wait_checked(qtbot, tab)
    rows = {r[0]: r for r in check_rows(tab)}
    assert rows["1"][3:6] == ("New York", "Thu 10:00 Eastern", "sends now")
    assert rows["2"][3:6] == ("California", "Thu 07:00 Pacific",
                              "waits until Thu 08:00 (California, 8:00–21:00)")
    # A toll-free number rings anywhere: it says which time it was judged by.
    assert rows["3"][3:6] == ("toll-free number", "Thu 09:00 Central", "sends now")
    tollfree = tab.checker_result.rows[2]
    assert tollfree.place.source == ("toll-free number: judged by the office's time (Central) and "
                                     "the federal rule")
    assert tab.totals_label.text().startswith("3 rows: 2 send now · 1 wait · 0 skipped or left out")
    tab.quiet_combo.setCurrentIndex(tab.quiet_combo.findData("skip"))
    wait_checked(qtbot, tab)
    assert tab.totals_label.text().startswith(
        "3 rows: 2 send now · 0 wait · 1 skipped or left out (1 skipped) · 2 texts in all")
    # The office may not send earlier than the law allows: the setting is refused, and says why.
    tab.opens_edit.setTime(tab.opens_edit.time().fromString("06:00", "HH:mm"))
    wait_checked(qtbot, tab)
    assert tab.window_error.text() == (
        "Sending hours: opening at 6:00 is earlier than the law allows (8:00, 47 U.S.C. § 227(c)). "
        "The opening stays 8:00.")
    assert tab.totals_label.text() == "Correct the sending hours to see what happens to each row."
    assert not tab.start_button.isEnabled()


def test_send_again_takes_only_the_rows_that_did_not_go_and_asks_about_unknown_ones(harness, qtbot):
    from PySide6.QtCore import QItemSelectionModel

    store = harness.store
    run_id = make_run(store, count=3)
    store.set_run_state(run_id, "running")
    for position, state in enumerate(("sent", "failed", "unknown")):
        store.mark_sending(run_id, position)
        store.finish_row(run_id, position, state=state)
    store.set_run_state(run_id, "finished")
    tab = harness.tab
    tab.runs.refresh(select=run_id)
    tab.send_again_button.click()
    assert tab.result_label.text() == "Select the rows to send again first."
    tab.rows_view.selectRow(0)
    tab.send_again_button.click()
    assert tab.result_label.text().startswith("Only rows that failed, are unknown, were skipped")
    assert harness.store.rows(run_id)[0].state == "sent"
    tab.rows_view.selectRow(1)
    tab.rows_view.selectionModel().select(tab.model.index(2, 0),
                                          QItemSelectionModel.SelectionFlag.Select
                                          | QItemSelectionModel.SelectionFlag.Rows)
    tab.send_again_button.click()
    assert tab.confirm.boxes[-1].startswith("1 selected row may already have reached the customer.")
    assert [r.state for r in store.rows(run_id)] == ["sent", "queued", "queued"]
