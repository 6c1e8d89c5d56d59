"""The whole application: started for real, offscreen."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.console_env import ConfirmRecorder, drive


def test_main_window_has_the_tabs_in_order_and_the_sandbox_answers(console_app):
    window = console_app.window
    titles = [window.tab_widget.tabText(i)
              for i in range(window.tab_widget.count())]
    assert titles == ["Recordings", "Text to speech", "SMS", "Calls", "Broadcast",
                      "Branch designer", "History", "Library"]
    assert window.profile_status.text() == "Profile: Sandbox (practice)"
    assert "Sandbox" in window.banner.text() and not window.banner.is_live
    assert console_app.sandbox.url in window.sandbox_status.text()
    reply = httpx.get(f"{console_app.sandbox.url}/sandbox/health", timeout=5)
    assert reply.json()["status"] == "ok"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Profile", "Help"]


def test_window_state_and_last_tab_are_remembered(qtbot, console_app, app_home):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    window = console_app.window
    window.resize(700, 500)
    window.show_tab("history")
    window.tab("sms").body_edit.setPlainText("Half-typed message")
    window.close()
    drive(console_app.shutdown(), timeout_s=20)

    again = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    qtbot.addWidget(again.window)
    try:
        assert again.window.current_tab_key() == "history"
        assert (again.window.size().width(), again.window.size().height()) == (700, 500)
        assert again.window.tab("sms").body_edit.toPlainText() == "Half-typed message"
    finally:
        again.window.close()
        drive(again.shutdown(), timeout_s=20)


def test_live_profile_shows_a_red_banner_and_counts_requests(qtbot, console_app):
    from console.store.profiles import OwnNumber, Profile, new_profile_id

    profile = Profile(id=new_profile_id("Main office"), name="Main office",
                      base_url=console_app.sandbox.url, numbers=[OwnNumber("8459511000", "Main")],
                      default_album=2)
    console_app.profiles.add(profile)
    console_app.secrets.set_key(profile.id, console_app.sandbox_key)
    drive(console_app.session.activate(profile.id))
    window = console_app.window
    assert window.banner.is_live and "LIVE ACCOUNT 'Main office'" in window.banner.text()
    assert "LIVE" in window.profile_status.text()
    assert "(LIVE)" in window.windowTitle()
    assert window.in_flight_status.text() == "No requests running"


def test_no_key_ever_reaches_a_file(qtbot, console_app, app_home, tmp_path):
    """Add a live account through the dialog, send with it, export history, quit: scan everything."""
    from console.ui.profiles_dialog import ProfilesDialog

    live_key = console_app.sandbox_key  # the embedded sandbox accepts it
    dialog = ProfilesDialog(session=console_app.session, secrets=console_app.secrets,
                            messages=console_app.messages, confirm=ConfirmRecorder(True))
    qtbot.addWidget(dialog)
    dialog.start_new_profile()
    dialog.name_edit.setText("Main office")
    dialog.url_edit.setText(console_app.sandbox.url)
    dialog._add_number_row("8459511000", "Main")
    dialog.key_edit.setText(live_key)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    live = [p for p in console_app.profiles.load() if not p.is_sandbox][0]
    drive(console_app.session.activate(live.id))

    sms = console_app.window.tab("sms")
    sms.confirm = ConfirmRecorder(True)
    sms.to_edit.setText("8451234567")
    sms.body_edit.setPlainText("Key scan")
    sms.send_button.click()
    qtbot.waitUntil(lambda: sms.result_label.kind == "ok", timeout=10000)
    console_app.window.tab("history").export_to(tmp_path / "history.csv")
    console_app.window.close()
    drive(console_app.shutdown(), timeout_s=20)

    scanned = 0
    for root in (app_home, tmp_path):
        for path in root.rglob("*"):
            if path.is_file():
                scanned += 1
                assert live_key.encode() not in path.read_bytes(), path
    assert scanned >= 5


@pytest.mark.expect_log("ERROR", r"Unexpected problem", logger="console.ui.crash_dialog")
def test_unexpected_exception_opens_a_report_without_secrets(console_app):
    from console.logging_setup import register_secret

    register_secret("super-secret-key-123456")
    try:
        raise RuntimeError("boom with super-secret-key-123456 inside")
    except RuntimeError:
        console_app.crash.excepthook(*sys.exc_info())
    [report] = console_app.crash.reports
    assert "RuntimeError" in report and "super-secret-key-123456" not in report
    assert console_app.window.isVisible()


@pytest.mark.slow
def test_self_check_starts_the_real_application(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOITEX_CONSOLE_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "console", "--self-check"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-check: ok" in done.stdout


def test_version_and_sandbox_help(tmp_path):
    done = subprocess.run([sys.executable, "-m", "console", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("voitex-console ")


def test_files_from_the_command_line_and_from_a_second_start_reach_the_queue(
        qtbot, console_app, tmp_path):
    from console.ui.single_instance import forward_to_running_instance, instance_name
    from tests.helpers import make_wav

    first = make_wav(tmp_path / "01 Welcome.wav")
    console_app.queue_files([first])
    assert console_app.window.current_tab_key() == "recordings"
    qtbot.waitUntil(lambda: len(console_app.upload_queue.items()) == 1, timeout=5000)

    # A second `voitex-console FILE` hands its files to this window.
    second = make_wav(tmp_path / "02 Goodbye.wav")
    assert forward_to_running_instance(instance_name(console_app.paths), [second],
                                       timeout_ms=3000)
    qtbot.waitUntil(lambda: len(console_app.upload_queue.items()) == 2, timeout=5000)
    names = sorted(item.name for item in console_app.upload_queue.items())
    assert names == ["01 Welcome.wav", "02 Goodbye.wav"]


def test_standalone_sandbox_command_prints_its_address_and_answers(tmp_path):
    import re
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "sandbox", "--port", "0", "--key", "k-123456",
         "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, line
        deadline = time.monotonic() + 10
        while True:
            try:
                reply = httpx.get(match.group(0) + "/sandbox/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert reply.json() == {"status": "ok"}
        assert "k-123456" not in line
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


@pytest.mark.expect_log("WARNING", r"'Main office' has no account key on this computer yet", logger="console.messages")
def test_switching_profile_from_the_menu(qtbot, console_app):
    from console.store.profiles import OwnNumber, Profile, new_profile_id

    profile = Profile(id=new_profile_id("Main office"), name="Main office",
                      base_url=console_app.sandbox.url, numbers=[OwnNumber("8459511000", "Main")])
    console_app.profiles.add(profile)
    window = console_app.window
    window.profile_menu.aboutToShow.emit()
    [action] = [a for a in window.profile_group.actions() if a.data() == profile.id]
    action.trigger()
    qtbot.waitUntil(lambda: window.banner.is_live, timeout=5000)
    assert console_app.session.profile.id == profile.id
    assert "no account key" in window.banner.text()
    assert not window.sandbox_status.isVisible()
    # And back to the Sandbox with its shortcut's action.
    [sandbox_action] = [a for a in window.profile_group.actions() if a.data() == "sandbox"]
    assert sandbox_action.shortcut().toString() == "Ctrl+1"
    sandbox_action.trigger()
    qtbot.waitUntil(lambda: not window.banner.is_live, timeout=5000)
    assert console_app.session.profile.is_sandbox


def test_uploading_to_a_live_account_asks_first(qtbot, console_app, tmp_path):
    from console.store.profiles import OwnNumber, Profile, new_profile_id
    from tests.console_env import ConfirmRecorder

    assert console_app.confirm_live_upload(3, confirm=ConfirmRecorder(False))  # Sandbox: no question
    profile = Profile(id=new_profile_id("Main office"), name="Main office",
                      base_url=console_app.sandbox.url, numbers=[OwnNumber("8459511000", "")])
    console_app.profiles.add(profile)
    console_app.secrets.set_key(profile.id, console_app.sandbox_key)
    drive(console_app.session.activate(profile.id))
    confirm = ConfirmRecorder(False)
    assert not console_app.confirm_live_upload(3, confirm=confirm)
    assert "Upload 3 files to the live account 'Main office'" in confirm.boxes[0]


def test_send_again_from_history_sends_once_more_through_the_app(qtbot, console_app):
    from console.api import ServerError
    from console.sandbox import FaultRule

    console_app.sandbox.server.add_fault(FaultRule(endpoint="sms", kind="http500", count=1))
    with pytest.raises(ServerError):
        drive(console_app.sender.send_sms(from_number="8459511000", to="8451234567",
                                          body="Second try"))
    [failed] = console_app.journal.query()
    assert failed.outcome == "unknown" and console_app.sandbox.server.outbox()["sms"] == []
    drive(console_app.resend(failed))
    assert [m["body"] for m in console_app.sandbox.server.outbox()["sms"]] == ["Second try"]
    assert console_app.journal.query()[0].resend_of == failed.id
    assert console_app.messages.history[-1] == (
        "info", "Sent again: the message to 8451234567.")


@pytest.fixture
def unshown_app(qtbot, qloop, memory_keyring, app_home):
    """The console as run() has it just before window.show(): nothing lazy built yet."""
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    qtbot.addWidget(app.window)
    yield app
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)


def test_a_send_before_the_sandbox_is_up_waits_for_it(qtbot, unshown_app):
    import asyncio

    app = unshown_app
    assert app.sandbox.state == "idle" and app.sandbox.server is None
    assert app.window.sandbox_status.text() == "Sandbox: starting…"
    sending = asyncio.ensure_future(app.sender.send_sms(
        from_number="8459511000", to="8451234567", body="Before the sandbox"))
    app.window.show()  # the first paint starts the sandbox
    result = drive(sending, timeout_s=20).value
    assert app.sandbox.running
    [sent] = app.sandbox.server.outbox()["sms"]
    assert sent["reference_id"] == result.reference_id and sent["body"] == "Before the sandbox"
    qtbot.waitUntil(lambda: app.sandbox.url in app.window.sandbox_status.text(), timeout=5000)
    [entry] = app.journal.query()
    assert entry.outcome == "done"


def test_files_reach_the_recordings_tab_before_it_was_ever_shown(qtbot, unshown_app, tmp_path):
    from tests.helpers import make_wav

    app = unshown_app
    assert app.window.built_tab("recordings") is None and app._upload_queue is None
    app.queue_files([make_wav(tmp_path / "03 Hours.wav")])
    assert app.window.built_tab("recordings") is not None
    assert app.window.current_tab_key() == "recordings"
    qtbot.waitUntil(lambda: len(app.upload_queue.items()) == 1, timeout=5000)


def test_history_built_late_shows_earlier_sends_and_refreshes_after_later_ones(
        qtbot, unshown_app):
    app = unshown_app
    app.window.show()
    qtbot.waitUntil(lambda: app.sandbox.running, timeout=15000)
    drive(app.sender.send_sms(from_number="8459511000", to="8451234567", body="One"))
    assert app.history_tab() is None  # nothing built just to be refreshed
    app.window.show_tab("history")
    history = app.history_tab()
    assert history is not None
    qtbot.waitUntil(lambda: history.model.total() == 1, timeout=5000)  # read off the window's thread
    drive(app.sender.send_sms(from_number="8459511000", to="8451234567", body="Two"))
    qtbot.waitUntil(lambda: history.model.total() == 2, timeout=5000)


def test_a_live_profile_at_start_leaves_the_sandbox_unstarted_until_switched_to(
        qtbot, qloop, memory_keyring, app_home):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths
    from console.store.profiles import OwnNumber, Profile, ProfileStore, new_profile_id

    paths = app_paths()
    store = ProfileStore(paths.config_dir / "profiles.json")
    live = Profile(id=new_profile_id("Main office"), name="Main office",
                   base_url="https://api.voitex.com", numbers=[OwnNumber("8459511000", "Main")])
    store.add(live)
    store.active_id = live.id
    app = ConsoleApp(QApplication.instance(), paths=paths, show_dialogs=False)
    qtbot.addWidget(app.window)
    try:
        with qtbot.waitSignal(app.window.current_tab_ready, timeout=5000):
            app.window.show()
        qtbot.waitUntil(lambda: app._after_paint is not None and app._after_paint.done(),
                        timeout=5000)
        assert app.session.profile.id == live.id
        assert app.sandbox.state == "idle" and app.sandbox.server is None
        drive(app.session.activate("sandbox"))
        qtbot.waitUntil(lambda: app.sandbox.running, timeout=15000)
    finally:
        app.window.close()
        drive(app.shutdown(), timeout_s=20)


@pytest.mark.expect_log("WARNING", r"This computer has no password keyring", logger="console.messages")
def test_the_keyring_is_looked_at_after_the_first_paint_and_its_state_told(
        qtbot, unshown_app, no_keyring):
    app = unshown_app
    assert not app.secrets.created
    with qtbot.waitSignal(app.window.first_painted, timeout=5000):
        app.window.show()
    qtbot.waitUntil(lambda: app._after_paint is not None and app._after_paint.done(),
                    timeout=5000)
    assert app.secrets.created and app.secrets.state != "keyring"
    assert ("warning", app.secrets.explanation) in app.messages.history


@pytest.mark.expect_log("ERROR", r"the embedded sandbox did not start", logger="console.embedded_sandbox")
@pytest.mark.expect_log("ERROR", r"The practice server \(Sandbox\) did not start", logger="console.messages")
def test_a_sandbox_that_cannot_start_is_reported_and_the_window_stays(
        qtbot, qloop, memory_keyring, app_home):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    paths = app_paths()
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    (paths.data_dir / "sandbox").write_text("a file where the sandbox wants its folder")
    app = ConsoleApp(QApplication.instance(), paths=paths, show_dialogs=False)
    qtbot.addWidget(app.window)
    try:
        app.window.show()
        qtbot.waitUntil(lambda: app.sandbox.state == "failed", timeout=15000)
        assert app.window.sandbox_status.text() == "Sandbox: did not start"
        level, text = app.messages.history[-1]
        assert level == "error" and "practice server (Sandbox) did not start" in text
        assert "restart Voitex Console" in text and app.window.isVisible()
    finally:
        app.window.close()
        drive(app.shutdown(), timeout_s=20)


def test_the_key_of_a_live_profile_at_start_is_read_off_the_ui_thread(
        qtbot, qloop, memory_keyring, app_home):
    """The keyring is imported, probed and read on a worker thread, even when the
    console opens on a live profile and needs its key at once."""
    import threading

    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths
    from console.store.profiles import OwnNumber, Profile, ProfileStore, new_profile_id
    from console.store.secrets import SERVICE

    paths = app_paths()
    store = ProfileStore(paths.config_dir / "profiles.json")
    live = Profile(id=new_profile_id("Main office"), name="Main office",
                   base_url="https://api.voitex.com", numbers=[OwnNumber("8459511000", "Main")])
    store.add(live)
    store.active_id = live.id
    memory_keyring.set_password(SERVICE, live.id, "live-key-for-the-thread-test")
    on_ui_thread = []
    read = memory_keyring.get_password

    def recording_read(service, username):
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        return read(service, username)

    memory_keyring.get_password = recording_read
    app = ConsoleApp(QApplication.instance(), paths=paths, show_dialogs=False)
    qtbot.addWidget(app.window)
    try:
        app.window.show()
        drive(app.session.load_active_key())  # what run() does right after show()
        assert app.session.has_key()
        assert on_ui_thread and not any(on_ui_thread)  # the probe and the key read
    finally:
        app.window.close()
        drive(app.shutdown(), timeout_s=20)


@pytest.mark.expect_log("WARNING", r"still running when the console last closed", logger="console.messages")
@pytest.mark.parametrize("crashed, words", [
    (1, "1 request was still running when the console last closed"),
    (2, "2 requests were still running when the console last closed"),
])
def test_requests_a_crash_left_running_are_told_in_words_that_fit_the_count(
        qtbot, qloop, memory_keyring, app_home, crashed, words):
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.journal import Journal
    from console.store.paths import app_paths

    paths = app_paths()
    journal = Journal(paths.data_dir / "history.sqlite3")
    for _ in range(crashed):  # begun, never finished: the console stopped mid-request
        journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox",
                      recipient="8451234567", content="Order ready")
    journal.close()
    app = ConsoleApp(QApplication.instance(), paths=paths, show_dialogs=False)
    qtbot.addWidget(app.window)
    try:
        warnings = [text for level, text in app.messages.history if level == "warning"]
        assert any(text.startswith(words) for text in warnings), warnings
        assert not any("(s)" in text for text in warnings)
    finally:
        drive(app.shutdown(), timeout_s=20)


def test_only_macos_gets_the_application_wide_file_open_filter(qtbot, console_app, app_home,
                                                               monkeypatch, tmp_path):
    """Elsewhere a filter on the application would hand every event of every
    widget to Python (25 ms on the first paint alone); on macOS it is how Finder's
    "Open With" arrives."""
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths
    from tests.helpers import make_wav

    assert console_app.file_open_filter is None  # this test machine is not a Mac
    console_app.window.close()
    drive(console_app.shutdown(), timeout_s=20)

    monkeypatch.setattr(sys, "platform", "darwin")
    mac = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    qtbot.addWidget(mac.window)
    try:
        assert mac.file_open_filter is not None
        wav = make_wav(tmp_path / "01 Welcome.wav")
        assert QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(wav)))
        qtbot.waitUntil(lambda: [item.name for item in mac.upload_queue.items()] == ["01 Welcome.wav"],
                        timeout=5000)
    finally:
        mac.window.close()
        drive(mac.shutdown(), timeout_s=20)
