"""The Recordings tab: drops as Qt delivers them (recordings/drops.py), the queue model, uploads."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

import pytest

from console.jobs import uploads as uq
from console.ui import playback
from console.ui.recordings.model import (
    COL_ALBUM,
    COL_AUDIO,
    COL_FILE,
    COL_SORT,
    COL_STATUS,
    ProgressRole,
)
from console.ui.recordings.words import format_eta
from console.ui.recordings_tab import RecordingsTab
from tests.helpers import make_mp3, make_wav
from tests.jobs.queue_helpers import QueueFactory, make_prompts, sha256


@pytest.fixture
def env(qloop, qtbot, tmp_path, sandbox):
    from console.store.journal import Journal
    from console.ui.messages import MessageBridge

    journal = Journal(tmp_path / "history.sqlite3")
    factory = QueueFactory(tmp_path, journal, sandbox)
    messages = MessageBridge()
    tabs = []

    def make_tab(*, album=3, concurrency=4, confirm_start=None):
        tab = RecordingsTab(queue=factory(concurrency=concurrency), default_album=lambda: album,
                            messages=messages, confirm_start=confirm_start)
        qtbot.addWidget(tab)
        tab.resize(1200, 700)
        tabs.append(tab)
        return tab

    make_tab.messages = messages
    make_tab.sandbox = sandbox
    make_tab.journal = journal
    yield make_tab
    factory.close()
    journal.close()


def mime_with(*paths, urls=()):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths] + [QUrl(u) for u in urls])
    return mime


def drop(tab, mime) -> QDropEvent:
    """A drag entering the tab, then the drop, delivered as Qt delivers them."""
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, event)
    return event


def wait_read(qtbot, tab, count):
    qtbot.waitUntil(lambda: len(tab.queue) == count and not tab.queue.inspecting, timeout=10_000)


def cell(tab, row, column, role=Qt.ItemDataRole.DisplayRole):
    return tab.model.index(row, column).data(role)


def statuses(tab):
    return [cell(tab, row, COL_STATUS) for row in range(tab.model.rowCount())]


def test_drop_of_folders_and_bad_files_through_drop_event(qtbot, env, tmp_path):
    tab = env(album=4)
    folder = tmp_path / "Prompts"
    make_wav(folder / "01 Welcome.wav")
    make_wav(folder / "02 Hours.wav", rate=44100, channels=2)
    make_mp3(folder / "menus" / "03 Menu.mp3")
    (folder / "04 Notes.wav").write_text("Record the holiday greeting on Monday.\n")
    (folder / "05 Empty.wav").write_bytes(b"")
    single = make_wav(tmp_path / "Goodbye.wav", tone_hz=300)
    assert cell(tab, 0, 0) is None  # empty queue

    event = drop(tab, mime_with(folder, single))
    assert event.isAccepted()
    wait_read(qtbot, tab, 6)

    names = [cell(tab, row, COL_FILE) for row in range(6)]
    assert names == ["01 Welcome.wav", "02 Hours.wav", "04 Notes.wav", "05 Empty.wav",
                     "03 Menu.mp3", "Goodbye.wav"]
    assert statuses(tab) == [
        "Queued", "Queued",
        "Rejected: This is a text file, not a WAV or MP3 file, whatever its name says.",
        "Rejected: The file is empty.",
        "Queued", "Queued",
    ]
    # Album from the tab, sort numbers in drop order skipping the rejected rows.
    assert [cell(tab, r, COL_ALBUM) for r in range(6)] == ["4", "4", "", "", "4", "4"]
    assert [cell(tab, r, COL_SORT) for r in range(6)] == ["1", "2", "", "", "3", "4"]
    # Rejected rows look different and say why on hover; advice is an icon and a tooltip.
    assert cell(tab, 2, COL_STATUS, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(tab, 0, COL_STATUS, Qt.ItemDataRole.ForegroundRole) is None
    assert "text file" in cell(tab, 2, COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert cell(tab, 1, COL_AUDIO, Qt.ItemDataRole.DecorationRole) is not None
    assert cell(tab, 0, COL_AUDIO, Qt.ItemDataRole.DecorationRole) is None
    assert "Stereo" in cell(tab, 1, COL_AUDIO, Qt.ItemDataRole.ToolTipRole)
    assert not tab.model.flags(tab.model.index(2, COL_SORT)) & Qt.ItemFlag.ItemIsEditable
    assert tab.model.flags(tab.model.index(0, COL_SORT)) & Qt.ItemFlag.ItemIsEditable
    assert "2 rejected" in tab.overall_label.text()


@pytest.mark.expect_log("WARNING", r"Left out 1 dropped item not stored on this computer", logger="console.messages")
def test_drag_enter_takes_only_local_files(qtbot, env, tmp_path):
    tab = env()
    text = QMimeData()
    text.setText("05 Welcome.wav")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, text,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()

    event = drop(tab, mime_with(urls=["https://example.com/hold-music.mp3"]))
    assert not event.isAccepted()
    assert len(tab.queue) == 0

    path = make_wav(tmp_path / "a.wav")
    drop(tab, mime_with(path, urls=["https://example.com/hold-music.mp3"]))
    wait_read(qtbot, tab, 1)
    assert env.messages.history[-1][0] == "warning"
    assert "Left out 1 dropped item not stored on this computer" in tab.notice.text()


@pytest.mark.expect_log("WARNING", r"2 files uploaded; 1 failed", logger="console.messages")
def test_a_dropped_file_that_disappears_before_upload_fails_with_its_reason(qtbot, env, tmp_path):
    tab = env()
    files = make_prompts(tmp_path / "p", 3)
    drop(tab, mime_with(*files))
    wait_read(qtbot, tab, 3)
    files[0].unlink()
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=20_000)
    assert statuses(tab)[0].startswith("Failed: The file is no longer there")
    assert statuses(tab)[1].startswith("Done: recording ")
    assert tab.action_bar.retry_button.isEnabled()
    assert "2 of 3 files uploaded" in tab.overall_label.text() and "1 failed" in tab.overall_label.text()
    assert any("1 failed" in text for _level, text in env.messages.history)
    # The selected row's whole reason, which the Status cell may cut short.
    assert tab.details.isHidden()
    tab.view.selectRow(0)
    assert not tab.details.isHidden()
    assert "The file is no longer there" in tab.details.text() and str(files[0]) in tab.details.text()


def test_upload_button_runs_the_queue_into_the_sandbox(qtbot, env, tmp_path):
    tab = env(album=6, concurrency=2)
    files = make_prompts(tmp_path / "p", 4)
    assert not tab.action_bar.upload_button.isEnabled() and not tab.action_bar.pause_button.isEnabled()
    assert tab.action_bar.upload_button.shortcut().toString() == "Ctrl+U"
    assert tab.add_bar.add_files_button.shortcut().toString() == "Ctrl+O"
    tab.add_paths([tmp_path / "p"])  # as the command line and a second instance do
    wait_read(qtbot, tab, 4)
    assert tab.action_bar.upload_button.isEnabled()
    assert "0 of 4 files uploaded" in tab.overall_label.text()

    progress_seen = []
    tab.model.dataChanged.connect(lambda tl, br: progress_seen.extend(
        tab.model.index(r, COL_STATUS).data(ProgressRole) for r in range(tl.row(), br.row() + 1)))
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    assert tab.has_active_uploads()
    assert tab.action_bar.pause_button.isEnabled() and not tab.action_bar.upload_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=20_000)

    assert all(s.startswith("Done: recording ") for s in statuses(tab))
    assert any(p is not None and p >= 0 for p in progress_seen)  # a bar was shown while uploading
    assert tab.overall_label.text().startswith("4 of 4 files uploaded")
    assert tab.overall_bar.value() == 1000
    assert not tab.action_bar.upload_button.isEnabled() and tab.action_bar.clear_button.isEnabled()
    library = {e["sort"]: e for e in env.sandbox.library()}
    assert {n: library[n]["sha256"] for n in range(1, 5)} == {n: sha256(p) for n, p in enumerate(files, 1)}
    assert {e["album"] for e in library.values()} == {6}
    assert ("info", "4 files uploaded.") in env.messages.history

    tab.action_bar.clear_button.click()
    assert tab.model.rowCount() == 0


def test_declining_the_start_question_uploads_nothing(qtbot, env, tmp_path):
    asked = []
    tab = env(confirm_start=lambda count: asked.append(count) or False)
    make_prompts(tmp_path / "p", 3)
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 3)
    tab.action_bar.upload_button.click()
    assert asked == [3]
    assert not tab.queue.running and not tab.has_active_uploads()
    assert env.sandbox.library() == []
    assert tab.notice.text() == "Not uploaded."


@pytest.mark.expect_log("WARNING", r"Sort number: 'five' is not a number", logger="console.messages")
def test_duplicates_disable_upload_until_an_edit_resolves_them(qtbot, env, tmp_path):
    tab = env()
    tab.add_bar.numbering_combo.setCurrentIndex(tab.add_bar.numbering_combo.findData(uq.NUMBER_BY_NAME))
    make_wav(tmp_path / "a" / "05 Welcome.wav")
    make_wav(tmp_path / "b" / "05 Welcome new.wav", tone_hz=300)
    tab.add_paths([tmp_path / "a", tmp_path / "b"])
    wait_read(qtbot, tab, 2)
    assert not tab.action_bar.upload_button.isEnabled()
    assert "2 rows need attention" in tab.action_bar.upload_button.toolTip()
    assert statuses(tab)[0].startswith("Needs attention: Album 3 / sort 5 is also used by")
    assert cell(tab, 0, COL_SORT, Qt.ItemDataRole.BackgroundRole) is not None

    # An invalid value is refused with the reason, and changes nothing.
    assert not tab.model.setData(tab.model.index(1, COL_SORT), "five")
    assert "Sort number" in tab.notice.text() and "not a number" in tab.notice.text()
    assert cell(tab, 1, COL_SORT) == "5"

    assert tab.model.setData(tab.model.index(1, COL_SORT), 6)
    assert cell(tab, 1, COL_SORT) == "6"
    assert statuses(tab) == ["Queued", "Queued"]
    assert tab.action_bar.upload_button.isEnabled()


def test_cancel_selected_and_retry_from_the_buttons(qtbot, env, tmp_path):
    tab = env()
    make_prompts(tmp_path / "p", 3)
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 3)
    assert not tab.action_bar.cancel_button.isEnabled() and not tab.action_bar.remove_button.isEnabled()
    tab.view.selectRow(1)
    assert tab.action_bar.cancel_button.isEnabled() and tab.action_bar.remove_button.isEnabled()
    tab.action_bar.cancel_button.click()
    assert statuses(tab)[1] == "Cancelled"
    assert not tab.action_bar.cancel_button.isEnabled()
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=20_000)
    assert [s.split(":")[0] for s in statuses(tab)] == ["Done", "Cancelled", "Done"]
    tab.queue.retry([tab.queue.item_at(1).id])
    qtbot.waitUntil(lambda: statuses(tab)[1].startswith("Done"), timeout=20_000)


def test_restored_queue_is_announced(qtbot, env, tmp_path):
    first = env()
    make_prompts(tmp_path / "p", 2)
    first.add_paths([tmp_path / "p"])
    wait_read(qtbot, first, 2)
    first.queue.shutdown()
    second = env()
    assert second.model.rowCount() == 2
    assert second.notice.text() == "From last time: 2 files are waiting for Upload."
    assert second.action_bar.upload_button.isEnabled()


@pytest.mark.skipif(not playback.AVAILABLE,
                    reason="Qt Multimedia (PySide6-Addons) is not installed here")
@pytest.mark.qt_log_ignore("PulseAudioService", "No audio device", "Couldn.t (load|resolve) va")
# (a machine without sound or video acceleration)
def test_play_plays_the_selected_file_to_the_end(qtbot, env, tmp_path):
    from tests.helpers import make_wav

    tab = env()
    make_wav(tmp_path / "p" / "01 Short.wav", seconds=0.3)
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 1)
    tab.view.selectRow(0)
    assert tab.action_bar.play_button.isVisibleTo(tab) and tab.action_bar.play_button.isEnabled()
    tab.action_bar.play_button.click()
    assert tab.player.playing == tmp_path / "p" / "01 Short.wav"
    # With no audio device the player still runs the file to its end.
    qtbot.waitUntil(lambda: tab.player.playing is None, timeout=10_000)


def test_model_passes_the_model_tester_through_changes(qtbot, qtmodeltester, env, tmp_path):
    tab = env()
    qtmodeltester.check(tab.model)
    make_prompts(tmp_path / "p", 3)
    (tmp_path / "p" / "junk.wav").write_text("junk")
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 4)
    tab.queue.remove([tab.queue.item_at(1).id])
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=20_000)
    qtmodeltester.check(tab.model)
    tab.queue.clear_finished()
    qtmodeltester.check(tab.model)


def test_play_button_only_where_qt_multimedia_exists(env):
    tab = env()
    assert tab.action_bar.play_button.isHidden() == (not playback.AVAILABLE)


def test_controls_have_labels_and_names(env):
    tab = env(album=42)
    assert tab.add_bar.album_spin.value() == 42
    add, act = tab.add_bar, tab.action_bar
    for widget in (add.album_spin, add.numbering_combo, add.start_spin, act.concurrency_spin):
        assert widget.accessibleName()
        assert any(label.buddy() is widget for label in tab.findChildren(type(tab.overall_label)))
    for button in (act.upload_button, act.pause_button, act.cancel_button, act.cancel_all_button,
                   act.retry_button, act.remove_button, act.clear_button, add.add_files_button,
                   add.add_folder_button):
        assert button.accessibleName() and button.toolTip()


@pytest.mark.parametrize("seconds, text", [
    (None, ""), (20, "less than a minute left"), (150, "about 2 min left"),
    (3600, "about 1 h left"), (3900, "about 1 h 5 min left"),
])
def test_format_eta(seconds, text):
    assert format_eta(seconds) == text


def test_pause_then_resume_from_the_buttons(qtbot, env, tmp_path):
    from console.sandbox import FaultRule

    tab = env(concurrency=1)
    make_prompts(tmp_path / "p", 3)
    env.sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=0.3, count=1))
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 3)
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(tab)[0].startswith("Uploading"))
    qtbot.mouseClick(tab.action_bar.pause_button, Qt.MouseButton.LeftButton)
    assert not tab.action_bar.pause_button.isEnabled()
    assert tab.action_bar.upload_button.text() == "&Resume" and tab.action_bar.upload_button.isEnabled()
    assert "pausing…" in tab.overall_label.text()
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=10_000)
    assert [s.split(":")[0] for s in statuses(tab)] == ["Done", "Queued", "Queued"]
    assert "paused" in tab.overall_label.text()
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    assert tab.action_bar.upload_button.text() == "&Upload"
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=10_000)
    assert all(s.startswith("Done") for s in statuses(tab))


# --- repeats, names, cancel, pause, and rows that may already be in the library ---------


def test_the_same_files_dropped_twice_are_flagged_as_repeats(qtbot, env, tmp_path):
    tab = env()
    files = make_prompts(tmp_path / "p", 2)
    copy = tmp_path / "copy of 01.wav"
    copy.write_bytes(files[0].read_bytes())
    drop(tab, mime_with(*files))
    wait_read(qtbot, tab, 2)
    drop(tab, mime_with(files[1], copy))  # same path, and same content under another name
    wait_read(qtbot, tab, 4)
    assert [cell(tab, r, COL_SORT) for r in range(4)] == ["1", "2", "", ""]  # no new numbers
    assert statuses(tab)[2] == ("Needs attention: Repeat: the same file is already in the queue "
                                "as “02 Prompt 2.wav” (row 2). Remove one of the two rows.")
    assert statuses(tab)[3].startswith("Needs attention: Repeat: a file with the same content is "
                                       "already in the queue as “01 Prompt 1.wav” (row 1).")
    assert not tab.action_bar.upload_button.isEnabled()
    tab.view.selectRow(2)
    tab.view.selectionModel().select(tab.model.index(3, 0), tab.view.selectionModel().SelectionFlag.Select
                                     | tab.view.selectionModel().SelectionFlag.Rows)
    tab.action_bar.remove_button.click()
    assert statuses(tab) == ["Queued", "Queued"] and tab.action_bar.upload_button.isEnabled()


def test_names_starting_with_a_date_or_a_too_big_number_say_so(qtbot, env, tmp_path):
    tab = env()
    tab.add_bar.numbering_combo.setCurrentIndex(tab.add_bar.numbering_combo.findData(uq.NUMBER_BY_NAME))
    big = make_wav(tmp_path / "99999999 big.wav")
    dated = make_wav(tmp_path / "2023-07-20 message.wav", tone_hz=300)
    menu = make_wav(tmp_path / "05 Main menu.wav", tone_hz=350)
    tab.add_paths([big, dated, menu])
    wait_read(qtbot, tab, 3)
    assert statuses(tab) == [
        "Needs attention: Its name starts with 99999999, above the 99,999 maximum for a sort "
        "number. Type one in the Sort column.",
        "Needs attention: Its name starts with a date, not a sort number. Type a sort number in "
        "the Sort column.",
        "Queued"]
    assert [cell(tab, r, COL_SORT) for r in range(3)] == ["", "", "5"]
    assert [tab.queue.item_at(r).display_name for r in range(3)] == [
        "big", "2023-07-20 message", "Main menu"]


def test_an_avi_file_is_rejected_naming_its_type(qtbot, env, tmp_path):
    import struct

    tab = env()
    body = b"AVI LIST" + struct.pack("<I", 4) + b"hdrl" + bytes(200)
    path = tmp_path / "clip.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    tab.add_paths([path])
    wait_read(qtbot, tab, 1)
    assert statuses(tab) == [
        "Rejected: This is an AVI video file, not a WAV or MP3 file, whatever its name says."]


def test_cancel_all_after_the_bytes_left_tells_the_truth(qtbot, env, tmp_path):
    from console.sandbox import FaultRule

    tab = env(concurrency=2)
    make_prompts(tmp_path / "p", 4)
    env.sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=1.5, count=2))
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 4)
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    assert tab.notice.text().startswith("Uploading…")
    qtbot.waitUntil(lambda: statuses(tab)[:2] == ["Already sent; waiting for Voitex's reply"] * 2,
                    timeout=10_000)
    tab.view.selectRow(0)
    assert not tab.action_bar.cancel_button.isEnabled()  # nothing left to cancel there
    qtbot.mouseClick(tab.action_bar.cancel_all_button, Qt.MouseButton.LeftButton)
    assert tab.notice.text() == ("Upload stopped: 2 files cancelled. 2 files were already sent "
                                 "and are waiting for Voitex's reply.")
    assert statuses(tab)[2:] == ["Cancelled", "Cancelled"]
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=10_000)
    assert [s.split(":")[0] for s in statuses(tab)] == ["Done", "Done", "Cancelled", "Cancelled"]
    assert "Uploading…" not in tab.notice.text()

    # A cancelled row can be sent again from a visible button.
    tab.view.selectRow(3)
    assert tab.action_bar.upload_again_button.isVisibleTo(tab) and tab.action_bar.upload_again_button.isEnabled()
    qtbot.mouseClick(tab.action_bar.upload_again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(tab)[3].startswith("Done"), timeout=10_000)
    assert statuses(tab)[2] == "Cancelled"


def test_the_pausing_notice_gives_way_once_uploads_finish(qtbot, env, tmp_path):
    from console.sandbox import FaultRule

    tab = env(concurrency=2)
    make_prompts(tmp_path / "p", 4)
    env.sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=0.5, count=2))
    tab.add_paths([tmp_path / "p"])
    wait_read(qtbot, tab, 4)
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.queue.active_count == 2)
    qtbot.mouseClick(tab.action_bar.pause_button, Qt.MouseButton.LeftButton)
    assert tab.notice.text() == "Pausing: waiting for 2 uploads under way to finish."
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=10_000)
    assert tab.notice.text() == "Paused: 2 files still queued. Press Resume to go on."


@pytest.mark.expect_log("WARNING", r"From last time: 1 file is waiting", logger="console.messages")
def test_rows_on_the_wire_at_a_crash_come_back_with_two_choices(qtbot, env, tmp_path):
    first = env()
    make_prompts(tmp_path / "p", 3)
    first.add_paths([tmp_path / "p"])
    wait_read(qtbot, first, 3)
    # As the disk had it when the console died: two rows on the wire.
    for row in (0, 1):
        first.queue.item_at(row).status = uq.SENT
        first.queue.persistence.mark_dirty([first.queue.item_at(row)])
    first.queue.flush()
    first.queue.shutdown()

    tab = env()
    assert statuses(tab)[:2] == ["May already be in the library"] * 2
    assert tab.notice.text() == (
        "From last time: 1 file is waiting for Upload and 2 files were being uploaded when the "
        "console stopped and may already be in the library (select them: Upload again or Mark "
        "as done).")
    assert tab.action_bar.mark_done_button.isVisibleTo(tab) and not tab.action_bar.mark_done_button.isEnabled()
    qtbot.mouseClick(tab.action_bar.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.has_active_uploads(), timeout=10_000)
    assert [e["sort"] for e in env.sandbox.library()] == [3]  # never re-sent by itself

    tab.view.selectRow(0)
    assert tab.action_bar.mark_done_button.isEnabled() and tab.action_bar.upload_again_button.isEnabled()
    assert "Choose Upload again or Mark as done." in tab.details.text()
    qtbot.mouseClick(tab.action_bar.mark_done_button, Qt.MouseButton.LeftButton)
    assert statuses(tab)[0] == "Done (marked by you)"
    tab.view.selectRow(1)
    qtbot.mouseClick(tab.action_bar.upload_again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses(tab)[1].startswith("Done: recording"), timeout=10_000)
    assert sorted(e["sort"] for e in env.sandbox.library()) == [2, 3]
    assert not tab.action_bar.mark_done_button.isVisibleTo(tab)
