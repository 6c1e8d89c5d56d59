"""The Library tab, its model and the recording pickers, over a real catalogue file."""
from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

import pytest

from console.store.catalogue import Catalogue, NewRecording
from console.ui.library.model import ALBUM, NAME, LibraryModel, LibraryQuery
from console.ui.library.picker import LibraryChooser, RecordingPicker, recording_id_in
from console.ui.library.source import LibrarySource
from console.ui.library_tab import LibraryTab
from console.ui.tab_interface import TabSpec  # noqa: F401  (the tab is built like the others)
from tests.console_env import drive
from tests.helpers import make_wav
from tests.ui.history_helpers import settle


@pytest.fixture
def catalogue(console_env):
    catalogue = Catalogue(console_env.journal.path)
    yield catalogue
    catalogue.close()


@pytest.fixture
def library(qtbot, console_env, catalogue):
    source = LibrarySource(catalogue, profile_id=lambda: console_env.session.profile.id)
    catalogue.set_on_changed(source.notify_changed)
    return source


def add(catalogue, name, album, sort, rid, *, profile="sandbox", kind="upload", path=None,
        day=3, text=None):
    return catalogue.record(NewRecording(
        profile_id=profile, album=album, sort=sort, display_name=name, recording_id=rid,
        kind=kind, file_name=f"{name.lower()}.wav" if kind == "upload" else None,
        file_path=str(path) if path else None, tts_text=text,
        created_at=f"2026-11-{day:02d}T10:00:00.000+00:00")).result(5)


@pytest.fixture
def filled(catalogue, tmp_path):
    add(catalogue, "Welcome", 1, 5, "918357", path=make_wav(tmp_path / "welcome.wav"))
    add(catalogue, "Closed", 1, 6, "918358", day=4)
    add(catalogue, "Holiday", 2, 1, "918359", day=5)
    add(catalogue, "Spoken hello", 2, None, "915863", kind="tts", text="Hello there", day=6)
    add(catalogue, "Other account", 1, 5, "700000", profile="office")
    return catalogue


def make_tab(qtbot, console_env, library, **kwargs):
    tab = LibraryTab(library=library, session=console_env.session,
                     messages=console_env.messages, **kwargs)
    qtbot.addWidget(tab)
    settle(library)
    settle(tab.model)
    return tab


def names(tab):
    settle(tab.library)
    settle(tab.model)
    return [tab.model.entry(row).display_name for row in range(tab.model.rowCount())]


def test_the_model_passes_the_model_tester_and_sorts_by_any_column(qapp, qtmodeltester, filled):
    model = LibraryModel(filled)
    model.set_query(LibraryQuery(profile_id="sandbox"))
    settle(model)
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    settle(model)
    assert [model.entry(r).display_name for r in range(4)] == [
        "Welcome", "Spoken hello", "Holiday", "Closed"]
    for column in range(model.columnCount()):
        model.sort(column, Qt.SortOrder.AscendingOrder)
        settle(model)
        assert model.rowCount() == 4
    qtmodeltester.check(model)


def test_the_tab_lists_the_active_profile_searches_filters_and_says_what_it_shows(
        qtbot, console_env, library, filled):
    tab = make_tab(qtbot, console_env, library)
    assert "not listed here" in tab.intro.text() and "Voitex portal" in tab.intro.text()
    assert sorted(names(tab)) == ["Closed", "Holiday", "Spoken hello", "Welcome"]
    tab.search_edit.setText("HOL")
    qtbot.waitUntil(lambda: names(tab) == ["Holiday"])
    settle(tab.model)
    assert tab.count_label.text() == "1 of 4 recordings"
    tab.search_edit.setText("")
    qtbot.waitUntil(lambda: len(names(tab)) == 4)
    tab.album_combo.setCurrentIndex(tab.album_combo.findData(1))
    assert names(tab) == ["Welcome", "Closed"]
    tab.table.horizontalHeader().sectionClicked.emit(ALBUM)  # a header click sorts
    tab.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert names(tab) == ["Closed", "Welcome"]


def test_replaced_recordings_show_on_demand_and_new_ones_appear_at_once(
        qtbot, console_env, library, filled):
    tab = make_tab(qtbot, console_env, library)
    add(filled, "Welcome again", 1, 5, "918400", day=9)
    qtbot.waitUntil(lambda: "Welcome again" in names(tab))
    assert "Welcome" not in names(tab)
    tab.replaced_check.setChecked(True)
    assert "Welcome" in names(tab)
    row = names(tab).index("Welcome")
    assert tab.model.index(row, 8).data() == "replaced"


def test_copy_id_use_in_a_call_and_in_a_design(qtbot, console_env, library, filled):
    calls, designs = [], []
    tab = make_tab(qtbot, console_env, library, use_in_call=calls.append,
                   use_in_design=designs.append)
    assert not tab.copy_button.isEnabled()
    assert tab.select_recording("918357")
    tab.copy_button.click()
    assert QGuiApplication.clipboard().text() == "918357"
    assert "918357" in tab.notice.text()
    tab.call_button.click()
    tab.design_button.click()
    assert [e.recording_id for e in calls] == ["918357"]
    assert [(e.album, e.sort) for e in designs] == [(1, 5)]
    # A TTS made without a sort number cannot be named by a branch.
    tab.select_recording("915863")
    assert tab.call_button.isEnabled() and not tab.design_button.isEnabled()


@pytest.mark.expect_log("ERROR", r"Could not save the export to .*no-such-folder",
                        logger="console.messages")
def test_export_writes_the_listed_rows_formula_safe(qtbot, console_env, library, filled,
                                                    tmp_path):
    add(filled, "=cmd|' /C calc'!A0", 3, 1, "918500")
    tab = make_tab(qtbot, console_env, library)
    settle(tab.model)
    tab.album_combo.setCurrentIndex(tab.album_combo.findData(3))
    out = tmp_path / "library.csv"
    assert tab.export_to(out) == 1
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][2].startswith("'=")
    assert "Exported 1 recording" in tab.notice.text()
    assert tab.export_to(tmp_path / "no-such-folder" / "x.csv") is None
    assert tab.notice.kind == "error" and "Choose another folder" in tab.notice.text()


def test_an_empty_library_says_how_it_fills(qtbot, console_env, library):
    tab = make_tab(qtbot, console_env, library)
    settle(tab.model)
    assert tab.empty_label.isVisible() or not tab.isVisible()
    assert "appears here as soon as an upload" in tab.empty_label.text()
    assert not tab.export_button.isEnabled()


def test_play_is_offered_only_where_the_source_file_still_exists(
        qtbot, console_env, library, filled):
    from console.ui import playback

    tab = make_tab(qtbot, console_env, library)
    if not playback.AVAILABLE:
        assert tab.play_button.isHidden()
        return
    tab.select_recording("918357")
    assert tab.play_button.isEnabled()
    tab.select_recording("918358")  # no file path known
    assert not tab.play_button.isEnabled()


@pytest.mark.expect_log("WARNING", r"^1 match; 2 listed here are not in the sandbox",
                        logger="console.messages")
def test_compare_with_the_sandbox_for_the_sandbox_profile_only(
        qtbot, console_env, library, filled):
    listing = [{"recording_id": "918357", "album": 1, "sort": 5},
               {"recording_id": "111", "album": 1, "sort": 6},
               {"recording_id": "222", "album": 9, "sort": 9}]

    async def sandbox_listing():
        return listing

    tab = make_tab(qtbot, console_env, library, sandbox_listing=sandbox_listing)
    tab.show()
    assert tab.compare_button.isVisible()
    text = drive(tab.compare_with_sandbox())
    assert "1 match" in text and "album 1 / sort 6: id 111 there, 918358 here" in text
    assert "album 2 / sort 1" in text  # Holiday is not in the sandbox
    assert tab.notice.kind == "warning"

    live = console_env.add_live_profile()
    drive(console_env.session.activate(live.id))
    assert not tab.compare_button.isVisible()
    assert names(tab) == []  # the live profile put nothing in its library yet


def test_picker_finds_by_name_and_still_takes_a_typed_number(qtbot, filled):
    picker = RecordingPicker()
    qtbot.addWidget(picker)
    picker.set_entries(filled.entries("sandbox"))
    entry = picker.choose_by_name("holiday")
    assert entry.recording_id == "918359"
    assert picker.text() == "Holiday — album 2 / sort 1 — id 918359"
    assert picker.recording_id_text() == "918359"
    picker.setText("123456")
    assert picker.recording_id_text() == "123456" and picker.chosen_entry() is None
    picker.choose("918357")
    assert picker.text().startswith("Welcome — album 1 / sort 5")
    picker.set_entries(filled.entries("sandbox"))  # a refresh keeps what is shown
    assert picker.recording_id_text() == "918357"
    assert recording_id_in("Welcome — album 1 / sort 5 — id 918357") == "918357"
    assert recording_id_in(" 42 ") == "42"


def test_library_chooser_offers_only_recordings_with_a_sort_number(qtbot, filled):
    chooser = LibraryChooser(filled.entries("sandbox"))
    qtbot.addWidget(chooser)
    assert chooser.list.count() == 3  # the TTS without a sort number is left out
    chooser.search.setText("clo")
    assert chooser.list.count() == 1 and chooser.chosen().display_name == "Closed"
    chooser.search.setText("nothing like this")
    assert chooser.chosen() is None
