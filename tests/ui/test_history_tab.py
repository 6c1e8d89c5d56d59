import asyncio
import csv
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTextBrowser,
)

import pytest

from console.store.journal import Journal
from console.store.paths import app_paths
from console.store.profiles import OwnNumber, Profile, sandbox_profile
from console.ui.history_model import PAGE_SIZE, HistoryModel
from console.ui.history_resend import FAILED_NOTE, UNKNOWN_WARNING
from console.ui.history_tab import HistoryTab
from tests.ui.history_helpers import fetch_all, settle

KEY = "auth-key-7c1d9e"
CVV = "cvv-4321"
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

OFFICE = Profile(id="office-abc123", name="Office", base_url="https://api.voitex.com",
                 numbers=[OwnNumber("8455550100", "Desk")])


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def journal(clock):
    j = Journal(app_paths().journal_file, clock=clock)
    yield j
    j.close()


def add(journal, kind="sms", outcome="done", profile=OFFICE, to="8451234567",
        content="Your order is ready", request=None, messages=(), result_id=None):
    entry_id = journal.begin(kind=kind, profile_id=profile.id, profile_name=profile.name,
                             recipient=to, content=content,
                             request=request if request is not None else {"to": to, "body": content})
    if outcome != "pending":
        journal.finish(entry_id, outcome=outcome, result_id=result_id, messages=list(messages))
    return entry_id


class ResendRecorder:
    def __init__(self):
        self.calls = []

    async def __call__(self, entry):
        self.calls.append(entry)


class ConfirmRecorder:
    def __init__(self, answer):
        self.answer = answer
        self.boxes = []

    def __call__(self, box):
        self.boxes.append({"text": box.text(), "informative": box.informativeText(),
                           "default": box.defaultButton() is box.button(QMessageBox.StandardButton.No)})
        return self.answer


@pytest.fixture
def make_tab(qtbot, journal):
    def make(resend=None, confirm=None, profiles=None):
        profiles = (sandbox_profile(), OFFICE) if profiles is None else profiles
        tab = HistoryTab(journal=journal, profiles_provider=lambda: list(profiles),
                         resend=resend, confirm=confirm)
        qtbot.addWidget(tab)
        tab.resize(1100, 600)
        settle(tab.model)
        return tab
    return make


def displayed(tab, column=HistoryModel.COL_CONTENT):
    model = tab.model
    settle(model)
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def select_entry(tab, entry_id):
    settle(tab.model)
    row = tab.model.row_of(entry_id)
    assert row is not None
    tab.table.selectRow(row)
    assert tab.selected_entry().id == entry_id


def test_model_passes_qtmodeltester(qapp, qtmodeltester, journal):
    for n in range(PAGE_SIZE + 50):
        add(journal, outcome=("done", "failed", "unknown", "pending")[n % 4], content=f"m{n}")
    model = HistoryModel(journal)
    settle(model)
    qtmodeltester.check(model)
    fetch_all(model)
    qtmodeltester.check(model)
    assert model.rowCount() == PAGE_SIZE + 50


def test_columns_show_entry_fields_newest_first(make_tab, journal):
    add(journal, content="first")
    add(journal, kind="upload", outcome="failed", to="album 1 / sort 5", content="hello.wav",
        messages=["sort_number is required"])
    tab = make_tab()
    model = tab.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == [
        "Time", "Kind", "Profile", "To / Where", "Content", "Outcome", "Id / Messages"]
    newest = [model.data(model.index(0, c)) for c in range(7)]
    assert newest[1:] == ["Upload", "Office", "album 1 / sort 5", "hello.wav", "Failed",
                          "sort_number is required"]
    assert newest[0] == START.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert model.data(model.index(1, HistoryModel.COL_TO)) == "(845) 123-4567"
    outcome = model.index(0, HistoryModel.COL_OUTCOME)
    assert model.data(outcome, HistoryModel.OutcomeRole) == "failed"
    assert model.data(outcome, Qt.ItemDataRole.ForegroundRole) is not None
    assert not model.data(outcome, Qt.ItemDataRole.DecorationRole).isNull()


def test_long_content_is_elided_in_the_table_but_whole_in_details(make_tab, journal):
    long_text = "Line one of a long message.\n" + "word " * 80
    entry_id = add(journal, content=long_text, outcome="failed", messages=["to is not valid"],
                   request={"from": "8459511000", "to": "8451234567", "body": long_text})
    tab = make_tab()
    shown = displayed(tab)[0]
    assert shown.endswith("…") and len(shown) <= 120 and "\n" not in shown
    select_entry(tab, entry_id)
    details = tab.detail.toPlainText()
    assert " ".join(long_text.split()) in " ".join(details.split())
    assert "to is not valid" in details
    assert "Request:" not in details
    assert "From (845) 951-1000" in " ".join(details.split())


def test_pages_beyond_the_first_200_rows(make_tab, journal, qtbot):
    with journal.batch():
        for n in range(2 * PAGE_SIZE + 30):
            add(journal, content=f"m{n}")
    tab = make_tab()
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.model.rowCount() == PAGE_SIZE
    assert displayed(tab)[0] == f"m{2 * PAGE_SIZE + 29}"
    assert "Showing the newest 200 of 430" in tab.count_label.text()
    tab.table.scrollToBottom()
    qtbot.waitUntil(lambda: tab.model.rowCount() > PAGE_SIZE)
    fetch_all(tab.model)
    assert displayed(tab) == [f"m{n}" for n in reversed(range(2 * PAGE_SIZE + 30))]
    assert tab.count_label.text() == "430 entries."


def test_kind_outcome_and_profile_filters(make_tab, journal):
    add(journal, kind="sms", outcome="done", content="sms done")
    add(journal, kind="call", outcome="unknown", content="call unknown")
    add(journal, kind="tts", outcome="failed", profile=sandbox_profile(), content="tts failed")
    add(journal, kind="upload", outcome="pending", content="upload pending")
    tab = make_tab()
    assert len(displayed(tab)) == 4

    tab.kind_combo.setCurrentIndex(tab.kind_combo.findText("Call"))
    assert displayed(tab) == ["call unknown"]
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findText("All"))

    tab.outcome_combo.setCurrentIndex(tab.outcome_combo.findText("Failed"))
    assert displayed(tab) == ["tts failed"]
    tab.outcome_combo.setCurrentIndex(tab.outcome_combo.findText("Pending"))
    assert displayed(tab) == ["upload pending"]
    tab.outcome_combo.setCurrentIndex(0)

    assert [tab.profile_combo.itemText(i) for i in range(tab.profile_combo.count())] == [
        "All", "Sandbox", "Office"]
    tab.profile_combo.setCurrentIndex(tab.profile_combo.findText("Sandbox"))
    assert displayed(tab) == ["tts failed"]
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findText("SMS"))
    assert displayed(tab) == []
    assert tab.count_label.text() == "No entries match."


def test_date_filter_uses_local_days_and_any_date(make_tab, journal, clock):
    day = START.astimezone().replace(hour=10, minute=0, second=0, microsecond=0)
    for offset, text in ((-2, "two days ago"), (-1, "yesterday"), (0, "today")):
        clock.now = (day + timedelta(days=offset)).astimezone(UTC)
        add(journal, content=text)
    tab = make_tab()
    assert not tab.from_date.isEnabled()
    tab.from_date.setDate(QDate(day.year, day.month, day.day).addDays(-1))
    tab.to_date.setDate(QDate(day.year, day.month, day.day).addDays(-1))
    assert len(displayed(tab)) == 3  # "Any date" still ticked
    tab.any_date_check.setChecked(False)
    assert tab.from_date.isEnabled()
    assert displayed(tab) == ["yesterday"]
    tab.to_date.setDate(QDate(day.year, day.month, day.day))
    assert displayed(tab) == ["today", "yesterday"]
    # From past To drags To along rather than matching nothing.
    tab.from_date.setDate(QDate(day.year, day.month, day.day).addDays(1))
    assert tab.to_date.date() == tab.from_date.date()
    assert displayed(tab) == []
    tab.any_date_check.setChecked(True)
    assert len(displayed(tab)) == 3


def test_search_is_debounced_and_matches_recipient_and_content(make_tab, journal, qtbot):
    add(journal, to="8451234567", content="Pickup at noon")
    add(journal, to="8457654321", content="Invoice 20% off")
    add(journal, kind="tts", to="album 1 / sort 5", content="Welcome to the shop")
    tab = make_tab()
    qtbot.keyClicks(tab.search_edit, "20%")
    assert len(displayed(tab)) == 3  # not yet: the search waits for a pause in typing
    qtbot.waitUntil(lambda: displayed(tab) == ["Invoice 20% off"])
    tab.search_edit.setText("(845) 123")
    qtbot.waitUntil(lambda: displayed(tab) == ["Pickup at noon"])
    tab.search_edit.setText("sort 5")
    tab.search_edit.returnPressed.emit()  # Enter searches at once
    assert displayed(tab) == ["Welcome to the shop"]
    tab.search_edit.clear()
    qtbot.waitUntil(lambda: len(displayed(tab)) == 3)


def test_refresh_merges_new_and_finished_entries_keeping_selection(make_tab, journal):
    kept = add(journal, content="kept")
    pending = add(journal, outcome="pending", content="in flight")
    tab = make_tab()
    select_entry(tab, kept)

    journal.finish(pending, outcome="done", result_id="REF9")
    newer = add(journal, content="newer")
    tab.refresh()
    assert displayed(tab) == ["newer", "in flight", "kept"]
    assert tab.model.data(tab.model.index(1, HistoryModel.COL_OUTCOME)) == "Done"
    assert tab.model.data(tab.model.index(1, HistoryModel.COL_RESULT)) == "REF9"
    assert tab.selected_entry().id == kept
    assert tab.model.row_of(newer) == 0

    tab.outcome_combo.setCurrentIndex(tab.outcome_combo.findText("Pending"))
    waiting = add(journal, outcome="pending", content="waiting")
    tab.refresh()
    assert displayed(tab) == ["waiting"]
    journal.finish(waiting, outcome="failed")
    tab.refresh()
    assert displayed(tab) == []


def test_refresh_does_not_insert_entries_older_than_the_loaded_window(make_tab, journal):
    early_pending = add(journal, outcome="pending", content="early")
    with journal.batch():
        for n in range(PAGE_SIZE + 10):
            add(journal, outcome="done", content=f"m{n}")
    tab = make_tab()
    assert tab.model.rowCount() == PAGE_SIZE
    journal.finish(early_pending, outcome="done")
    tab.refresh()
    settle(tab.model)
    assert tab.model.rowCount() == PAGE_SIZE
    fetch_all(tab.model)
    assert displayed(tab).count("early") == 1
    assert displayed(tab)[-1] == "early"


def test_profile_list_follows_the_provider(make_tab, journal):
    profiles = [sandbox_profile(), OFFICE]
    tab = make_tab(profiles=profiles)
    tab.profile_combo.setCurrentIndex(tab.profile_combo.findText("Office"))
    profiles.pop()
    tab.refresh()
    assert tab.profile_combo.currentText() == "All"
    assert tab.model.filter.profile_id is None


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_export_writes_filtered_entries_without_secrets(make_tab, journal, tmp_path):
    add(journal, kind="sms", outcome="done", content="Order ready", result_id="REF1",
        request={"auth_key": KEY, "body": "Order ready"})
    add(journal, kind="call", outcome="failed", content="stream 918357", messages=["to is not valid"],
        request={"cid": "8459511000", "payment_info": [{"last_four": "4444", "cvv": CVV}],
                 "auth_key": KEY})
    tab = make_tab()
    tab.outcome_combo.setCurrentIndex(tab.outcome_combo.findText("Failed"))
    out = tmp_path / "history.csv"
    assert tab.export_to(out) == 1
    rows = read_csv(out)
    assert rows[0] == ["id", "time", "kind", "profile", "recipient", "content", "outcome",
                       "result id", "messages"]
    assert rows[1][2:] == ["call", "Office", "8451234567", "stream 918357", "failed", "",
                           "to is not valid"]
    assert tab.status_label.text() == f"Exported 1 entry to {out}."

    tab.outcome_combo.setCurrentIndex(0)
    everything = tmp_path / "all.csv"
    assert tab.export_to(everything) == 2
    text = everything.read_text(encoding="utf-8-sig")
    assert KEY not in text and CVV not in text


def test_export_uses_search_typed_but_not_yet_applied(make_tab, journal, tmp_path):
    add(journal, content="alpha")
    add(journal, content="beta")
    tab = make_tab()
    tab.search_edit.setText("beta")
    out = tmp_path / "x.csv"
    assert tab.export_to(out) == 1
    assert read_csv(out)[1][5] == "beta"


def test_export_failure_is_explained(make_tab, journal, tmp_path):
    add(journal)
    tab = make_tab()
    assert tab.export_to(tmp_path / "no-such-folder" / "x.csv") is None
    assert "Could not save the export" in tab.status_label.text()
    assert tab.status_label.text().endswith("Choose another folder.")


@pytest.mark.expect_log("ERROR", r"^Could not save the export", logger="console.messages")
def test_the_export_outcome_reaches_the_message_bridge(qtbot, journal, tmp_path):
    from console.ui.messages import MessageBridge

    add(journal)
    bridge = MessageBridge()
    tab = HistoryTab(journal=journal, profiles_provider=lambda: [sandbox_profile()],
                     resend=None, messages=bridge)
    qtbot.addWidget(tab)
    out = tmp_path / "history.csv"
    assert tab.export_to(out) == 1
    assert bridge.history[-1] == ("info", f"Exported 1 entry to {out}.")
    assert tab.export_to(tmp_path / "no-such-folder" / "x.csv") is None
    level, text = bridge.history[-1]
    assert level == "error" and text.startswith("Could not save the export")


def test_background_export_writes_and_restores_the_button(make_tab, journal, qtbot, qloop, tmp_path):
    add(journal, content="one")
    tab = make_tab()
    task = asyncio.ensure_future(tab.export_in_background(tmp_path / "bg.csv"))
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result() == 1
    assert read_csv(tmp_path / "bg.csv")[1][5] == "one"
    assert tab.export_button.isEnabled()
    failing = asyncio.ensure_future(tab.export_in_background(tmp_path / "missing" / "x.csv"))
    qtbot.waitUntil(failing.done, timeout=10000)
    assert failing.result() is None
    assert "Could not save the export" in tab.status_label.text()
    assert tab.export_button.isEnabled()


def resend_setup(make_tab, journal, outcome, kind="sms", answer=QMessageBox.StandardButton.Yes):
    entry_id = add(journal, kind=kind, outcome=outcome, content="Your table is ready")
    resend = ResendRecorder()
    confirm = ConfirmRecorder(answer)
    tab = make_tab(resend=resend, confirm=confirm)
    select_entry(tab, entry_id)
    return tab, entry_id, resend, confirm


def test_resend_unknown_warns_plainly_and_sends_on_yes(make_tab, journal, qtbot, qloop):
    tab, entry_id, resend, confirm = resend_setup(make_tab, journal, "unknown")
    assert tab.resend_button.isEnabled()
    qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(resend.calls) == 1)
    [box] = confirm.boxes
    assert box["text"] == UNKNOWN_WARNING
    assert "may already have received it" in box["text"]
    assert "(845) 123-4567" in box["informative"]
    assert box["default"]  # Enter means "Don't send"
    assert resend.calls[0].id == entry_id
    qtbot.waitUntil(lambda: tab.resend_button.isEnabled())
    # The recorder journals nothing, so the tab must not claim a new attempt exists. The
    # summary comes after History is read again, off the window's thread: wait for it.
    qtbot.waitUntil(lambda: not tab.status_label.text().startswith("Sending entry"))
    assert tab.status_label.text() == f"No new attempt for entry {entry_id} was recorded."


def test_resend_that_raises_restores_the_button_and_says_so(make_tab, journal, qtbot, qloop):
    entry_id = add(journal, outcome="failed")

    async def broken(entry):
        raise RuntimeError("sender bug")

    tab = make_tab(resend=broken, confirm=ConfirmRecorder(QMessageBox.StandardButton.Yes))
    select_entry(tab, entry_id)
    with qtbot.captureExceptions() as exceptions:
        qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "did not finish" in tab.status_label.text())
        qtbot.waitUntil(lambda: len(exceptions) == 1)
    assert isinstance(exceptions[0][1], RuntimeError)
    assert tab.resend_button.isEnabled()


def test_resend_failed_says_it_did_not_go_out(make_tab, journal, qtbot, qloop):
    tab, entry_id, resend, confirm = resend_setup(make_tab, journal, "failed", kind="call")
    qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(resend.calls) == 1)
    assert confirm.boxes[0]["text"] == FAILED_NOTE
    assert "may already have received" not in confirm.boxes[0]["text"]


def test_declining_does_not_resend(make_tab, journal, qtbot, qloop):
    tab, entry_id, resend, confirm = resend_setup(make_tab, journal, "unknown",
                                                  answer=QMessageBox.StandardButton.No)
    qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(confirm.boxes) == 1)
    # The click's handler is the only thing that could resend: once it has
    # finished, nothing can.
    qtbot.waitUntil(lambda: all(task.done() for task in asyncio.all_tasks(qloop)))
    assert resend.calls == []
    assert tab.resend_button.isEnabled()


def test_resend_reports_the_new_attempt(make_tab, journal, qtbot, qloop):
    entry_id = add(journal, outcome="failed", content="retry me")

    async def resend(entry):
        new_id = journal.begin(kind=entry.kind, profile_id=entry.profile_id,
                               profile_name=entry.profile_name, recipient=entry.recipient,
                               content=entry.content, request=entry.request, resend_of=entry.id)
        journal.finish(new_id, outcome="done", result_id="NEW1")

    tab = make_tab(resend=resend, confirm=ConfirmRecorder(QMessageBox.StandardButton.Yes.value))
    select_entry(tab, entry_id)
    qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "as entry" in tab.status_label.text())
    assert tab.status_label.text() == f"Entry {entry_id} was sent again as entry {entry_id + 1}: done."
    assert displayed(tab) == ["retry me", "retry me"]
    assert tab.selected_entry().id == entry_id


@pytest.mark.parametrize(("kind", "outcome", "with_resend"), [
    ("sms", "done", True),
    ("sms", "pending", True),
    ("upload", "failed", True),
    ("upload", "unknown", True),
    ("sms", "failed", False),
])
def test_resend_disabled_where_it_makes_no_sense(make_tab, journal, kind, outcome, with_resend):
    entry_id = add(journal, kind=kind, outcome=outcome)
    tab = make_tab(resend=ResendRecorder() if with_resend else None)
    assert not tab.resend_button.isEnabled()
    select_entry(tab, entry_id)
    assert not tab.resend_button.isEnabled()
    assert tab.resend_button.toolTip()


def test_ctrl_f_focuses_search(make_tab, journal, qtbot):
    add(journal)
    tab = make_tab()
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    qtbot.keyClick(tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(tab.search_edit.hasFocus)


def test_controls_have_accessible_names_and_labels_have_buddies(make_tab):
    tab = make_tab()
    controls = [w for kind in (QComboBox, QLineEdit, QPushButton, QDateEdit, QCheckBox,
                               QTableView, QTextBrowser)
                for w in tab.findChildren(kind) if not isinstance(w.parent(), (QComboBox, QDateEdit))]
    assert len(controls) >= 12
    assert all(w.accessibleName() for w in controls), [w for w in controls if not w.accessibleName()]
    labels = [label for label in tab.findChildren(QLabel) if "&" in label.text()]
    assert len(labels) == 7
    assert all(label.buddy() is not None for label in labels)
    assert tab.search_edit in [label.buddy() for label in labels]



def test_details_name_the_desk_and_the_operator(make_tab, journal, clock):
    entry_id = add(journal)
    other_desk = Journal(app_paths().journal_file, clock=clock, desk="Back office", operator="ben")
    try:
        theirs = add(other_desk, content="Sent from the back office")
    finally:
        other_desk.close()
    tab = make_tab()
    select_entry(tab, theirs)
    details = " ".join(tab.detail.toPlainText().split())
    assert "Desk Back office" in details and "Operator ben" in details
    select_entry(tab, entry_id)
    details = " ".join(tab.detail.toPlainText().split())
    assert f"Desk {journal.desk}" in details and f"Operator {journal.operator}" in details


def test_send_again_refuses_a_number_on_the_office_do_not_contact_list(qtbot, journal, qloop):
    from console.store.broadcasts import DncRecord, SqliteBroadcastStore

    store = SqliteBroadcastStore(journal.path)
    try:
        store.add_do_not_contact([DncRecord("8451234567", "reply STOP", "2026-12-03T14:02:00+00:00",
                                            "reply, pasted")])
        entry_id = add(journal, outcome="unknown", content="Your table is ready")
        resend = ResendRecorder()
        confirm = ConfirmRecorder(QMessageBox.StandardButton.Yes)
        tab = HistoryTab(journal=journal, profiles_provider=lambda: [sandbox_profile(), OFFICE],
                         resend=resend, confirm=confirm, do_not_contact=store)
        qtbot.addWidget(tab)
        select_entry(tab, entry_id)
        qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "do-not-contact list" in tab.status_label.text(), timeout=5000)
        assert "opted out on 3 Dec 2026 by reply STOP" in tab.status_label.text()
        assert resend.calls == [] and confirm.boxes == []
    finally:
        store.close()
