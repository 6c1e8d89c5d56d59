"""The Library across the console: filled by real uploads and TTS against the sandbox,
offered by name in Calls and the branch designer, guarding replacements, kept across
a restart and through a damaged database."""
from __future__ import annotations

import json

import pytest

from console.jobs import uploads as uq
from tests.console_env import ConfirmRecorder, drive
from tests.helpers import make_wav


def start_app(qtbot):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitUntil(lambda: app.window.painted and app.sandbox.running, timeout=15000)
    return app


def stop_app(app):
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)


@pytest.fixture
def console_app(qtbot, qloop, memory_keyring, app_home):
    app = start_app(qtbot)
    yield app
    stop_app(app)


def library_names(app):
    from tests.ui.history_helpers import fetch_all, settle

    tab = app.tabs["library"]
    settle(app.library)
    fetch_all(tab.model)
    return sorted(tab.model.entry(r).display_name for r in range(tab.model.rowCount()))


def upload(qtbot, app, paths):
    """Queue `paths` in the Recordings tab and press Upload; waits until all are done."""
    tab = app.recordings_tab()
    before = app.upload_queue.counts()[uq.DONE]
    tab.add_paths(paths)
    qtbot.waitUntil(lambda: app.upload_queue.counts()[uq.QUEUED] == len(paths)
                    and not app.upload_queue.inspecting, timeout=10_000)
    tab.on_upload_clicked()
    qtbot.waitUntil(lambda: app.upload_queue.counts()[uq.DONE] == before + len(paths),
                    timeout=20_000)
    return tab


def create_tts(qtbot, app, text, *, album, sort):
    tts = app.tabs["tts"]
    tts.text_edit.setPlainText(text)
    tts.album_edit.setText(str(album))
    tts.sort_edit.setText(str(sort))
    tts.create_button.click()
    qtbot.waitUntil(lambda: tts.result_label.kind == "ok", timeout=10_000)
    return tts


@pytest.fixture
def filled_app(qtbot, console_app, tmp_path):
    """Three uploads and one TTS through the real tabs, into the real sandbox."""
    files = [make_wav(tmp_path / "welcome.wav"), make_wav(tmp_path / "closed.wav", 0.2),
             make_wav(tmp_path / "holiday.wav", 0.3)]
    upload(qtbot, console_app, files)
    create_tts(qtbot, console_app, "Thank you for calling, we open at nine.", album=2, sort=1)
    qtbot.waitUntil(lambda: len(library_names(console_app)) == 4, timeout=10_000)
    console_app.files = files
    return console_app


def test_uploads_and_a_tts_appear_in_the_library_and_match_the_sandbox(qtbot, filled_app):
    app = filled_app
    assert library_names(app) == ["Thank you for calling, we open at nine.", "closed",
                                  "holiday", "welcome"]
    catalogue = app.catalogue.entries("sandbox")
    sandbox = app.sandbox.server.library()
    assert sorted((e.album, e.sort, e.recording_id) for e in catalogue) == sorted(
        (r["album"], r["sort"], r["recording_id"]) for r in sandbox)
    holiday = next(e for e in catalogue if e.display_name == "holiday")
    assert holiday.sha256 == next(r["sha256"] for r in sandbox if r["filename"] == "holiday.wav")
    assert holiday.format == "wav" and holiday.duration_s == pytest.approx(0.3, abs=0.01)
    tab = app.tabs["library"]
    text = drive(tab.compare_with_sandbox())
    assert text.startswith("The sandbox holds the same 4 recordings")


def test_a_recording_picked_by_name_goes_into_a_branch_design(qtbot, filled_app):
    app = filled_app
    tab = app.tabs["library"]
    tab.search_edit.setText("closed")
    tab.apply_filter()
    assert library_names(app) == ["closed"]
    tab.table.selectRow(0)
    tab.design_button.click()
    assert app.window.current_tab_key() == "branch"
    entry = app.catalogue.entries("sandbox", text="closed")[0]
    preview = json.loads(app.tabs["branch"].designer.json_text(compact=True))
    assert preview["play"] == [{"type": "file", "album": str(entry.album),
                                "sort": str(entry.sort)}]
    assert not [f for f in app.tabs["branch"].designer.findings()
                if f.code == "play.not_in_library"]


def test_queueing_over_a_known_place_warns_and_a_live_confirmation_says_it(
        qtbot, filled_app, tmp_path):
    app = filled_app
    welcome = app.catalogue.entries("sandbox", text="welcome")[0]
    tab = app.recordings_tab()
    # Once the done rows are cleared, only the Library remembers what is at each place.
    app.upload_queue.clear_finished()
    other = make_wav(tmp_path / "new-welcome.wav", seconds=0.4)
    tab.add_paths([app.files[0], other])  # the same welcome.wav again, and a new file
    qtbot.waitUntil(lambda: app.upload_queue.counts()[uq.QUEUED] == 2
                    and not app.upload_queue.inspecting, timeout=10_000)
    same, new = [i for i in app.upload_queue.items() if i.status == uq.QUEUED]
    app.upload_queue.set_album(same.id, welcome.album)
    app.upload_queue.set_sort(same.id, welcome.sort)
    app.upload_queue.set_album(new.id, welcome.album)
    app.upload_queue.set_sort(new.id, welcome.sort + 10)
    tab._update_buttons()
    assert list(tab.replace_notes) == [same.id]
    assert "already holds this same file" in tab.replace_notes[same.id]
    assert tab.replace_label.isVisible() and "Album 1 / sort" in tab.replace_label.text()

    # Over another recording at that place: "this replaces it", in the row's details.
    closed = app.catalogue.entries("sandbox", text="closed")[0]
    app.upload_queue.set_sort(new.id, closed.sort)
    tab._update_buttons()
    assert tab.replace_notes[new.id] == (
        f"Album {closed.album} / sort {closed.sort} holds 'closed', uploaded "
        f"{closed_day(closed)} from closed.wav; this replaces it.")
    tab.view.selectRow(app.upload_queue.row_of(new.id))
    assert "this replaces it" in tab.details.text()

    # On a live account, the confirmation says it too (and Cancel uploads nothing).
    # The Library is per account: this one's knows only what was put in it.
    app.upload_queue.remove([same.id])  # the queue flags it as a repeat: it would block Upload
    live = add_live_profile(app)
    drive(app.session.activate(live.id))
    qtbot.waitUntil(lambda: not tab.replace_notes)
    from console.store.catalogue import NewRecording

    app.catalogue.record(NewRecording(
        profile_id=live.id, album=closed.album, sort=closed.sort, display_name="Main menu",
        recording_id="918001", kind="upload", file_name="main-menu.wav",
        created_at="2026-11-03T10:00:00.000+00:00")).result(5)
    qtbot.waitUntil(lambda: new.id in tab.replace_notes)
    recorder = ConfirmRecorder(False)
    tab._confirm_start = lambda count, **kw: app.confirm_live_upload(count, confirm=recorder,
                                                                    **kw)
    uploads_before = len(app.sandbox.server.library())
    assert tab.action_bar.upload_button.isEnabled()
    tab.action_bar.upload_button.click()
    assert "holds 'Main menu', uploaded 3 Nov" in recorder.boxes[0]
    assert "from main-menu.wav; this replaces it" in recorder.boxes[0]
    assert tab.notice.text() == "Not uploaded."
    assert len(app.sandbox.server.library()) == uploads_before


def closed_day(entry):
    from console.store.catalogue import day_text

    return day_text(entry.created_at)


def add_live_profile(app):
    from console.store.profiles import OwnNumber, Profile, new_profile_id

    profile = Profile(id=new_profile_id("Main office"), name="Main office",
                      base_url=app.sandbox.url, numbers=[OwnNumber("8459511000", "")])
    app.profiles.add(profile)
    app.secrets.set_key(profile.id, app.sandbox_key)
    return profile


def test_the_library_is_intact_after_a_restart(qtbot, qloop, memory_keyring, app_home, tmp_path):
    app = start_app(qtbot)
    try:
        upload(qtbot, app, [make_wav(tmp_path / "welcome.wav")])
        create_tts(qtbot, app, "Good morning", album=3, sort=7)
        qtbot.waitUntil(lambda: len(library_names(app)) == 2, timeout=10_000)
        before = app.catalogue.entries("sandbox", include_replaced=True)
    finally:
        stop_app(app)
    app = start_app(qtbot)
    try:
        assert app.catalogue.entries("sandbox", include_replaced=True) == before
        assert library_names(app) == ["Good morning", "welcome"]
    finally:
        stop_app(app)


def test_the_first_start_fills_the_library_from_existing_history(
        qtbot, qloop, memory_keyring, app_home, tmp_path):
    from console.store.journal import Journal
    from console.store.paths import app_paths

    wav = make_wav(tmp_path / "greeting.wav")
    with Journal(app_paths().data_dir / "history.sqlite3") as journal:
        entry = journal.begin(kind="upload", profile_id="sandbox", profile_name="Sandbox",
                              recipient="album 4 / sort 2", content="greeting.wav",
                              request={"album_number": 4, "sort_number": 2,
                                       "display_name": "Greeting", "upload_file": str(wav),
                                       "size": wav.stat().st_size})
        journal.finish(entry, outcome="done", result_id="912345")
    app = start_app(qtbot)
    try:
        qtbot.waitUntil(lambda: library_names(app) == ["Greeting"], timeout=10_000)
        found = app.catalogue.at("sandbox", 4, 2)
        assert found.recording_id == "912345" and found.entry_id == entry
        assert found.sha256 is not None
    finally:
        stop_app(app)


def test_a_recording_picked_by_name_in_calls_is_the_one_the_call_plays(qtbot, filled_app):
    app = filled_app
    holiday = app.catalogue.entries("sandbox", text="holiday")[0]
    calls = app.tabs["calls"]
    app.window.show_tab("calls")
    # Typing part of the name offers it; picking it shows name, place and id.
    completer = calls.sfile_edit.completer()  # what typing "holi" would pop up
    completer.setCompletionPrefix("holi")
    assert completer.completionCount() == 1 and completer.currentCompletion() == holiday.label
    assert calls.sfile_edit.choose_by_name("holi").recording_id == holiday.recording_id
    assert calls.sfile_edit.text() == holiday.label
    calls.to_edit.setText("(845) 500-9999")
    calls.call_button.click()
    qtbot.waitUntil(lambda: calls.result_label.kind == "ok", timeout=10_000)
    assert "'holiday'" in calls.result_label.text()
    [call] = app.sandbox.server.outbox()["calls"]
    assert call["sfile_id"] == holiday.recording_id and call["to"] == "8455009999"

    # A number typed as it is still works, and is still checked.
    calls.sfile_edit.setText("12ab")
    calls.call_button.click()
    qtbot.waitUntil(lambda: calls.sfile_error.isVisible())
    assert "Library file id" in calls.sfile_error.text()
    assert len(app.sandbox.server.outbox()["calls"]) == 1
    calls.sfile_edit.setText("918357")
    assert calls.sfile_edit.recording_id_text() == "918357"


def test_use_in_a_call_from_the_library_fills_calls(qtbot, filled_app):
    app = filled_app
    tab = app.tabs["library"]
    welcome = app.catalogue.entries("sandbox", text="welcome")[0]
    tab.select_recording(welcome.recording_id)
    tab.call_button.click()
    assert app.window.current_tab_key() == "calls"
    calls = app.tabs["calls"]
    assert calls.call_type == "stream" and calls.sfile_edit.text() == welcome.label


def test_text_to_speech_says_what_a_sort_number_would_replace(qtbot, filled_app):
    app = filled_app
    tts = app.tabs["tts"]
    app.window.show_tab("tts")
    closed = app.catalogue.entries("sandbox", text="closed")[0]
    tts.album_edit.setText(str(closed.album))
    tts.sort_edit.setText(str(closed.sort))
    assert tts.replace_note.isVisible()
    assert f"Album {closed.album} / sort {closed.sort} holds 'closed'" in tts.replace_note.text()
    assert tts.replace_note.text().endswith("this replaces it.")
    tts.sort_edit.setText("")  # Voitex chooses: nothing is replaced
    assert not tts.replace_note.isVisible()
    tts.sort_edit.setText("99")
    assert not tts.replace_note.isVisible()


@pytest.mark.expect_log("WARNING", r"damaged state file: History", logger="console.store")
@pytest.mark.expect_log("WARNING", r"^History \(history.sqlite3\): SQLite could not read",
                        logger="console.messages")
def test_a_damaged_database_file_is_set_aside_and_the_library_follows_history(
        qtbot, qloop, memory_keyring, app_home, tmp_path):
    from console.store.paths import app_paths

    path = app_paths().data_dir / "history.sqlite3"
    app = start_app(qtbot)
    try:
        upload(qtbot, app, [make_wav(tmp_path / "welcome.wav")])
        qtbot.waitUntil(lambda: len(library_names(app)) == 1, timeout=10_000)
    finally:
        stop_app(app)
    damage_header(path)

    app = start_app(qtbot)
    try:
        kept = list(path.parent.glob("history.sqlite3.broken-*"))
        assert len([p for p in kept if not p.name.endswith(("-wal", "-shm"))]) == 1
        told = [text for _level, text in app.messages.history]
        told += [notice.text() for notice in app.messages.notices.damaged()]
        assert any("history file" in text and kept[0].name in text for text in told), told
        app.catalogue.wait_idle()
        assert_library_follows_history(app)
        # The Library goes on working in the new file.
        upload(qtbot, app, [make_wav(tmp_path / "after.wav", seconds=0.2)])
        qtbot.waitUntil(lambda: "after" in library_names(app), timeout=10_000)
        assert_library_follows_history(app)
    finally:
        stop_app(app)


def damage_header(path):
    """Garble the first page, as a disk fault or a stray write might: SQLite then says
    "file is not a database"."""
    data = bytearray(path.read_bytes())
    data[:100] = (b"this is not a database any more " * 4)[:100]
    path.write_bytes(bytes(data))


def assert_library_follows_history(app):
    """Every done upload and TTS History holds is in the Library, and nothing else."""
    done = [e for kind in ("upload", "tts")
            for e in app.journal.query(kind=kind, outcome="done", limit=10_000)]
    listed = app.catalogue.entries("sandbox", include_replaced=True)
    assert sorted(e.id for e in done) == sorted(e.entry_id for e in listed)


def test_on_a_live_account_the_tts_confirmation_says_what_it_replaces(qtbot, console_app):
    from console.store.catalogue import NewRecording

    app = console_app
    live = add_live_profile(app)
    drive(app.session.activate(live.id))
    app.catalogue.record(NewRecording(
        profile_id=live.id, album=4, sort=2, display_name="Opening hours",
        recording_id="918777", kind="tts", tts_text="We open at nine.",
        created_at="2026-11-03T10:00:00.000+00:00")).result(5)
    tts = app.tabs["tts"]
    app.window.show_tab("tts")
    tts.text_edit.setPlainText("We open at ten.")
    tts.album_edit.setText("4")
    tts.sort_edit.setText("2")
    qtbot.waitUntil(lambda: tts.replace_note.isVisible())
    assert "holds 'Opening hours', created 3 Nov" in tts.replace_note.text()
    recorder = ConfirmRecorder(False)
    tts.confirm = recorder
    tts.create_button.click()
    qtbot.waitUntil(lambda: len(recorder.boxes) == 1, timeout=5000)
    assert "Album 4 / sort 2 holds 'Opening hours'" in recorder.boxes[0]
    assert "this replaces it" in recorder.boxes[0]
    assert not [r for r in app.sandbox.server.library() if r["kind"] == "tts"]


def test_a_call_broadcast_picks_its_recording_from_the_library(qtbot, filled_app):
    app = filled_app
    closed = app.catalogue.entries("sandbox", text="closed")[0]
    app.window.show_tab("broadcast")
    tab = app.tabs["broadcast"]
    tab.call_radio.setChecked(True)
    qtbot.waitUntil(lambda: tab.sfile_edit.count() == 4)  # filled as it shows
    assert tab.sfile_edit.choose_by_name("closed").recording_id == closed.recording_id
    assert tab.sfile_edit.recording_id_text() == closed.recording_id
    tab.load_pasted_text("2125550001\n")
    tab.recompute()
    assert closed.label in tab._call_description()
    assert tab._validate_send()["sfile_id"] == closed.recording_id


def test_each_account_has_its_own_library_like_the_sandbox_keeps_one_per_key(
        qtbot, console_app, tmp_path):
    import httpx

    from console.sandbox import SandboxServer
    from console.store.profiles import OwnNumber, Profile, new_profile_id

    app = console_app
    keys = {"North office": "north-key-0123456", "South office": "south-key-0123456"}
    with SandboxServer(data_dir=tmp_path / "two-keys", auth_key=list(keys.values())) as server:
        profiles = {}
        for name, key in keys.items():
            profile = Profile(id=new_profile_id(name), name=name, base_url=server.url,
                              numbers=[OwnNumber("8459511000", "")], is_sandbox=False)
            app.profiles.add(profile)
            app.secrets.set_key(profile.id, key)
            profiles[name] = profile
        tts = app.tabs["tts"]
        tts.confirm = ConfirmRecorder(True)
        for name, profile in profiles.items():
            drive(app.session.activate(profile.id))
            create_tts(qtbot, app, f"Welcome to the {name}.", album=1, sort=5)
        for name, profile in profiles.items():
            qtbot.waitUntil(lambda p=profile: app.catalogue.count(p.id) == 1, timeout=10_000)
            listed = httpx.get(f"{server.url}/sandbox/library", headers={"auth_key": keys[name]},
                               timeout=10).json()["recordings"]
            [entry] = app.catalogue.entries(profile.id)
            assert [(r["album"], r["sort"], r["recording_id"]) for r in listed] == [
                (entry.album, entry.sort, entry.recording_id)]
            assert entry.tts_text == f"Welcome to the {name}."
