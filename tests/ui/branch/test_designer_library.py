"""The branch designer and the Library: play items by name, a note for unknown places."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QDialog

import pytest

from console.branch.schema import Design, FilePlay, TtsPlay
from console.store.catalogue import Catalogue, NewRecording
from console.ui.branch.designer import DesignerPanel
from console.ui.library.source import LibrarySource
from tests.ui.history_helpers import settle


@pytest.fixture
def library(qtbot, tmp_path):
    catalogue = Catalogue(tmp_path / "history.sqlite3")
    profile = {"id": "sandbox"}
    source = LibrarySource(catalogue, profile_id=lambda: profile["id"])
    catalogue.set_on_changed(source.notify_changed)
    for name, album, sort, rid in (("Welcome", 1, 5, "918357"), ("Closed", 1, 6, "918358")):
        catalogue.record(NewRecording(profile_id="sandbox", album=album, sort=sort,
                                      display_name=name, recording_id=rid, kind="upload",
                                      file_name=f"{name}.wav",
                                      created_at="2026-11-03T10:00:00.000+00:00")).result(5)
    source.profile = profile  # the test switches account through it
    source.reload()
    settle(source)  # its copy of the catalogue is in
    yield source
    catalogue.close()


def notes(panel):
    return [f for f in panel.findings() if f.code == "play.not_in_library"]


def test_a_play_item_the_library_does_not_know_gets_a_note_not_an_error(qtbot, library):
    panel = DesignerPanel(library=library)
    qtbot.addWidget(panel)
    panel.set_design(Design(play=(FilePlay("1", "5"), FilePlay("10", "25"), TtsPlay("Hi"))))
    found = notes(panel)
    assert [(f.path, f.severity) for f in found] == [(("play", 1), "info")]
    assert "album 10 / sort 25" in found[0].message and "Voitex portal" in found[0].message
    assert not any(f.severity == "error" for f in panel.findings())

    # Another account's library does not know album 1 / sort 5.
    library.profile["id"] = "office"
    library.reload()  # what the console does when the profile changes
    settle(library)
    assert [f.path for f in notes(panel)] == [("play", 0), ("play", 1)]


def test_a_recording_added_to_the_catalogue_clears_the_note(qtbot, library):
    panel = DesignerPanel(library=library)
    qtbot.addWidget(panel)
    panel.set_design(Design(play=(FilePlay("2", "1"),)))
    assert notes(panel)
    library.catalogue.record(NewRecording(
        profile_id="sandbox", album=2, sort=1, display_name="Holiday", recording_id="918359",
        kind="upload", created_at="2026-11-04T10:00:00.000+00:00")).result(5)
    qtbot.waitUntil(lambda: not notes(panel))


def test_add_from_the_library_by_name_puts_its_album_and_sort_in_the_preview(qtbot, library):
    panel = DesignerPanel(library=library)
    qtbot.addWidget(panel)
    assert panel.library_button.isVisibleTo(panel)
    panel.on_library_clicked()
    chooser = panel._library_chooser
    chooser.search.setText("closed")
    assert chooser.list.count() == 1
    chooser.done(QDialog.DialogCode.Accepted)
    preview = json.loads(panel.json_text(compact=True))
    assert preview["play"] == [{"type": "file", "album": "1", "sort": "6"}]
    assert not notes(panel)
    assert "Closed" in panel.status.text()


def test_without_a_library_the_designer_is_as_before(qtbot):
    panel = DesignerPanel()
    qtbot.addWidget(panel)
    panel.set_design(Design(play=(FilePlay("10", "25"),)))
    assert not notes(panel) and not panel.library_button.isVisibleTo(panel)
