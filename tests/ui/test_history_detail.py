"""History: details in the forms' words, broadcast runs, and large searches counted
off the window's thread (real journal file, real widgets)."""
from __future__ import annotations

import pytest

from console.store.journal import Journal
from console.store.paths import app_paths
from console.store.profiles import sandbox_profile
from console.ui import history_model
from console.ui.history_tab import HistoryTab
from tests.ui.history_helpers import settle


@pytest.fixture
def journal():
    j = Journal(app_paths().journal_file)
    yield j
    j.close()


@pytest.fixture
def tab(qtbot, journal):
    widget = HistoryTab(journal=journal, profiles_provider=lambda: [sandbox_profile()],
                        resend=None)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    settle(widget.model)
    return widget


def select(tab, entry_id):
    tab.refresh()
    settle(tab.model)
    tab.table.selectRow(tab.model.row_of(entry_id))
    return " ".join(tab.detail.toPlainText().split())


def call(journal, **request):
    return journal.begin(kind="call", profile_id="sandbox", profile_name="Sandbox",
                         recipient=request.get("to", "8451234567"),
                         content="Play library file 918357",
                         request=request, group_id=request.pop("group", None))


def test_call_details_use_the_calls_tab_words(tab, journal):
    entry_id = call(journal, cid="8459511000", to="8451234567", type="stream", sfile_id="918357")
    details = select(tab, entry_id)
    assert "Caller id (845) 951-1000" in details
    assert "Library file id 918357" in details
    assert "When they answer Play a recording from the library" in details
    for raw in ("cid", "sfile_id", "Request:"):
        assert raw not in details


def test_route_and_upload_fields_are_labelled(tab, journal):
    routed = call(journal, cid="8459511000", to="8451234567", type="goto",
                  route_number="8459511000", branch_number="150")
    details = select(tab, routed)
    assert "Route number (845) 951-1000" in details and "Branch number 150" in details
    upload = journal.begin(kind="upload", profile_id="sandbox", profile_name="Sandbox",
                           recipient="album 2 / sort 5", content="hello.wav",
                           request={"album_number": 2, "sort_number": 5, "display_name": "Hello",
                                    "upload_file": "/music/hello.wav", "size": 2_500_000})
    details = select(tab, upload)
    for shown in ("Album 2", "Sort number 5", "Display name Hello", "File /music/hello.wav",
                  "Size 2.5 MB"):
        assert shown in details


def test_a_broadcast_run_is_shown_and_can_be_listed_alone(tab, journal, qtbot):
    first = call(journal, cid="8459511000", to="8451234567", type="stream", sfile_id="1",
                 group="run-2024-05")
    call(journal, cid="8459511000", to="8457654321", type="stream", sfile_id="1")
    second = call(journal, cid="8459511000", to="8450000001", type="stream", sfile_id="1",
                  group="run-2024-05")
    tab.show()
    details = select(tab, first)
    assert "Broadcast run run-2024-05" in details
    assert tab.run_button.isVisible()
    tab.run_button.click()
    settle(tab.model)
    assert [tab.model.entry(r).id for r in range(tab.model.rowCount())] == [second, first]
    assert tab.count_label.text() == "Broadcast run run-2024-05: 2 entries."
    assert tab.selected_entry().id == first  # the user's place is kept
    tab.run_button.click()  # now "Show all entries"
    settle(tab.model)
    assert tab.model.rowCount() == 3
    assert tab.selected_entry().id == first
    plain = tab.model.row_of(first) - 1  # the entry with no run, between the two
    tab.table.selectRow(plain)
    assert tab.selected_entry().group_id is None
    assert not tab.run_button.isVisible()


def test_a_search_matching_many_is_counted_in_the_background(tab, journal, qtbot, monkeypatch):
    monkeypatch.setattr(history_model, "COUNT_CAP", 30)
    with journal.batch():
        for n in range(75):
            journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox",
                          recipient=f"845000{n:04d}", content=f"Table ready number {n}")
        journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox",
                      recipient="8459999999", content="Something else")
    tab.search_edit.setText("table ready")
    tab.search_edit.returnPressed.emit()
    # Counted up to the cap first, shown, then the exact number from the background.
    qtbot.waitUntil(lambda: "more than 30" in tab.count_label.text(), timeout=5000)
    assert tab.model.rowCount() == 75
    assert not tab.model.total_is_exact()
    qtbot.waitUntil(lambda: tab.model.total_is_exact(), timeout=5000)
    assert tab.model.total() == 75
    assert tab.count_label.text() == "75 entries."


def test_searches_find_substrings_and_phone_numbers_as_typed(tab, journal):
    ids = [journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox",
                         recipient=to, content=body)
           for to, body in (("8451234567", "Café opens at 9"), ("8457654321", "Save 20% today"),
                            ("8450000000", "x"))]
    for text, expected in (("CAFÉ OP", [ids[0]]), ("20%", [ids[1]]), ("(845) 765-43", [ids[1]]),
                           ("ve 2", [ids[1]]), ("zz", [])):
        tab.search_edit.setText(text)
        tab.search_edit.returnPressed.emit()
        settle(tab.model)
        assert [tab.model.entry(r).id for r in range(tab.model.rowCount())] == expected, text
