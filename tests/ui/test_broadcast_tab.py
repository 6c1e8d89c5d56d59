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


def preview_rows(tab):
    t = tab.preview_table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


def problem_rows(tab):
    t = tab.problems_table
    return [(t.item(r, 0).text(), t.item(r, 2).text()) for r in range(t.rowCount())]


def test_utf8_file_with_accents_previews_each_message(harness, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("Prénom,Téléphone,Date\nZoë,(212) 555-0001,Tuesday\nRené,212-555-0002,Wednesday\n",
                    encoding="utf-8")
    tab = harness.tab
    harness.open_path = path
    tab.open_button.click()
    assert "clients.csv (comma-separated, UTF-8)" in tab.source_label.text()
    assert tab.header_check.isChecked()
    assert tab.number_combo.currentIndex() == 1
    tab.body_edit.setPlainText("Bonjour {prenom}, see you on {date}.")
    tab.recompute()
    assert preview_rows(tab) == [
        ("2", "(212) 555-0001", "Bonjour Zoë, see you on Tuesday.", "special characters", "1"),
        ("3", "(212) 555-0002", "Bonjour René, see you on Wednesday.", "standard characters", "1"),
    ]
    assert tab.totals_label.text().startswith("2 recipients · 2 messages in all")
    assert "1 use special characters" in tab.totals_label.text()
    assert tab.start_button.isEnabled()


def test_semicolon_file_from_a_european_spreadsheet(harness, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Nom;Numéro;Montant\r\nMüller;212 555 0001;3,50\r\nDupont;pas de numéro;4,00\r\n"
                     "Müller bis;+1 212-555-0001;5,00\r\nLéa;212.555.0003;\r\n".encode("cp1252"))
    tab = harness.tab
    tab.load_csv_file(path)
    assert "semicolon-separated, Windows-1252" in tab.source_label.text()
    tab.body_edit.setPlainText("Bonjour {nom}, vous devez {montant} €.")
    tab.recompute()
    assert [r[2] for r in preview_rows(tab)] == ["Bonjour Müller, vous devez 3,50 €."]
    assert problem_rows(tab) == [("3", "Invalid number"), ("4", "Duplicate"),
                                 ("5", "Missing merge field")]
    reasons = [tab.problems_table.item(r, 3).text() for r in range(3)]
    assert "Same number as row 2" in reasons[1]
    assert "{montant} is empty" in reasons[2]
    # € is in GSM-7's extension table: standard characters, counted twice.
    assert preview_rows(tab)[0][3:] == ("standard characters", "1")


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
    tab.columns_table.item(0, 1).setText("first_name")
    tab.recompute()
    assert not tab.body_error.isVisible()
    assert [r[2] for r in preview_rows(tab)] == ["Hi Ann", "Hi Bob"]


def test_live_confirmation_states_counts_and_first_messages(harness, qtbot, console_env):
    profile = console_env.add_live_profile()
    from tests.console_env import drive
    drive(console_env.session.activate(profile.id))
    harness.clock.now = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles
    harness.store.add_do_not_contact(profile.id, [DncRecord("2125550004", "asked", "2026-01-01")])
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
    assert "to 3 recipients on the live account 'Main office'" in box
    assert "Total: 3 messages" in box
    assert "1. To (212) 555-0001: Hello Ann" in box
    assert "3. To (310) 555-0003: Hello Cy" in box
    assert ("Left out: 1 do not contact, 1 invalid, 1 duplicates, 0 missing a merge field, "
            "0 message too long, 1 quiet hours.") in box
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

    tab.export_button.click()
    lines = list(csv.reader(io.StringIO(harness.saved_to.read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["row", "number", "message", "outcome", "reference_id", "details"]
    assert [(line[0], line[1], line[3]) for line in lines[1:]] == [
        ("2", "(212) 555-0001", "Sent"), ("3", "(212) 555-0002", "Sent"), ("4", "(212) 555-0003", "Sent")]
    assert all(line[4] for line in lines[1:])


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
    dialog.export_file(tmp_path / "back.csv")
    text = (tmp_path / "back.csv").read_text(encoding="utf-8-sig")
    assert "(212) 555-0001,Décédé," in text
    dialog.close()
    tab.load_pasted_text("name\tphone\nAnn\t2125550001\nBob\t2125550009\n")
    tab.body_edit.setPlainText("Hi {name}")
    tab.recompute()
    assert problem_rows(tab) == [("2", "Do not contact")]


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
    tab.recompute()
    assert [r[2] for r in preview_rows(tab)] == ["Plays library file 918357"] * 2
    assert [r[3:] for r in preview_rows(tab)] == [("—", "—")] * 2
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


def test_sms_and_calls_tabs_warn_before_a_do_not_contact_number(qtbot, console_env):
    from console.ui.calls_tab import CallsTab
    from console.ui.sms_tab import SmsTab

    store = SqliteBroadcastStore(console_env.journal.path)
    try:
        store.add_do_not_contact("sandbox", [DncRecord("8451234567", "asked by phone", "2026-01-01")])
        store.save_template("Closed", "Hello {first_name}, the office is closed.")
        confirm = ConfirmRecorder(False)
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
        qtbot.waitUntil(lambda: bool(confirm.boxes), timeout=5000)
        assert ("(845) 123-4567 is on the do-not-contact list of 'Sandbox' (asked by phone)"
                in confirm.boxes[0])
        assert sms.result_label.text() == "Not sent: the number is on the do-not-contact list."

        calls = CallsTab(session=console_env.session, sender=console_env.sender,
                         messages=console_env.messages, confirm=confirm, broadcasts=store)
        qtbot.addWidget(calls)
        calls.show()
        qtbot.keyClicks(calls.to_edit, "8451234567")
        calls.sfile_edit.setText("918357")
        qtbot.mouseClick(calls.call_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(confirm.boxes) == 2, timeout=5000)
        assert calls.result_label.text() == "Not called: the number is on the do-not-contact list."
        outbox = console_env.sandbox.outbox()
        assert outbox["sms"] == [] and outbox["calls"] == []
        # Chosen anyway: it goes.
        confirm.answer = True
        qtbot.mouseClick(sms.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sms.result_label.kind == "ok", timeout=10000)
        assert [m["to"] for m in console_env.sandbox.outbox()["sms"]] == ["8451234567"]
    finally:
        store.close()


def test_an_excel_workbook(harness, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Rendez-vous"
    for row in (["First name", "Mobile"], ["Zoë", 2125550001], ["Bob", 2125550002]):
        book.active.append(row)
    path = tmp_path / "clients.xlsx"
    book.save(path)
    tab = harness.tab
    tab.load_csv_file(path)
    assert "clients.xlsx (Excel workbook, sheet 'Rendez-vous')" in tab.source_label.text()
    tab.body_edit.setPlainText("Hi {first_name}")
    tab.recompute()
    assert [r[:3] for r in preview_rows(tab)] == [("2", "(212) 555-0001", "Hi Zoë"),
                                                  ("3", "(212) 555-0002", "Hi Bob")]


def test_rows_outside_their_hours_are_counted_for_the_chosen_choice(harness):
    harness.clock.now = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles
    tab = harness.tab
    tab.load_pasted_text("Ann\t2125550001\nCy\t3105550003\n")
    tab.body_edit.setPlainText("Hello {column_1}")
    tab.recompute()
    assert ("Quiet hours: 1 recipient waits for their hours and will get it when their window "
            "opens.") in tab.totals_label.text()
    tab.quiet_combo.setCurrentIndex(tab.quiet_combo.findData("skip"))
    tab.recompute()
    assert "left out: 1 quiet hours" in tab.totals_label.text()
    assert "waits" not in tab.totals_label.text()
    tab.opens_edit.setTime(tab.opens_edit.time().fromString("06:00", "HH:mm"))
    tab.recompute()
    assert "quiet hours" not in tab.totals_label.text().lower()
