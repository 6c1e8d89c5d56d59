"""Whatever bytes are in a state file, the console starts and says which file it was.

A real console is started once to write realistic state files (profiles,
drafts, window settings, the sandbox's state, the branch tester's settings).
Then, for each file, Hypothesis writes truncations, random bytes and wrongly
typed JSON values into it, builds the whole application (ConsoleApp, as
tests/test_app.py does) and checks the window opens and the start-up notice
names the file.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.console_env import drive

FILES = {
    "profiles": ("config", "profiles.json"),
    "drafts": ("config", "drafts.json"),
    "window": ("config", "window.ini"),
    "sandbox": ("data", "sandbox/state.json"),
    "tester": ("config", "branch-tester.json"),
}
_baseline: dict[str, bytes] = {}


def _path(name: str) -> Path:
    from console.store.paths import app_paths

    paths = app_paths()
    folder, relative = FILES[name]
    return (paths.config_dir if folder == "config" else paths.data_dir) / relative


def _start():
    from PySide6.QtWidgets import QApplication

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    app = ConsoleApp(QApplication.instance(), paths=app_paths(), show_dialogs=False)
    app.window.show()
    return app


def _started(qtbot, app) -> None:
    """Start-up over: the window painted, the sandbox started, the notice (if any) open."""
    qtbot.waitUntil(lambda: app._after_paint is not None and app._after_paint.done(),
                    timeout=15000)
    assert app.messages.delivered


def _build_every_tab(app) -> None:
    from console.ui.main_window import TAB_ORDER

    for key in TAB_ORDER:
        app.window.tab(key)


def _stop(app) -> None:
    if app.window.isVisible():
        app.window.close()
    drive(app.shutdown(), timeout_s=20)
    app.window.deleteLater()


def _write_baseline(qtbot) -> dict[str, bytes]:
    """Realistic state files, written by a real console that was used a little."""
    if _baseline:
        return _baseline
    from console.store.profiles import OwnNumber, Profile

    app = _start()
    try:
        _started(qtbot, app)
        for n in (1, 2):
            app.profiles.add(Profile(id=f"office-{n}", name=f"Office {n}",
                                     base_url="https://api.voitex.com",
                                     numbers=[OwnNumber(f"845555010{n}", "Desk")]))
        drive(app.sender.send_sms(from_number="8459511000", to="8451234567", body="Hello"))
        drive(app.sender.place_call(cid="8459511000", to="8451234567", type="stream",
                                    sfile_id="910001"))
        drive(app.sender.create_tts(text="Welcome", album_number=1, sort_number=1))
        app.tabs["sms"].to_edit.setText("8451234567")
        app.tabs["sms"].body_edit.setPlainText("Half-typed")
        app.tabs["calls"].to_edit.setText("8451230000")
        app.tabs["tts"].text_edit.setPlainText("Good morning")
        branch = app.tabs["branch"]
        branch.designer.goto_edit.setText("150")
        branch.composer.edits["cid"].setText("8455550000")
        branch.tester.url_edit.setText("http://127.0.0.1:9/branch")
        branch.tester._save_settings()
        app.window.show_tab("sms")
    finally:
        _stop(app)
    for name in FILES:
        _baseline[name] = _path(name).read_bytes()
    return _baseline


def _reset(baseline: dict[str, bytes], damaged: str, content: bytes) -> None:
    from console.store.paths import app_paths

    paths = app_paths()
    for folder in (paths.config_dir, paths.data_dir):
        shutil.rmtree(folder, ignore_errors=True)
    for name, data in baseline.items():
        _path(name).parent.mkdir(parents=True, exist_ok=True)
        _path(name).write_bytes(content if name == damaged else data)


# -- how the files are damaged ------------------------------------------------------
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                     st.floats(allow_nan=False), st.text(max_size=12))
_json_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _places(document, path=()):
    """Every place in a JSON document (the document itself too)."""
    yield path
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _places(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _places(value, (*path, index))


def _get(document, path):
    for part in path:
        document = document[part]
    return document


# Places a loader reads and relies on; a value of another kind there is damage.
# (Free-form places such as a recording's display name or a profile's label,
# and nullable ones, where None is as good as a text, are left out.)
def _profiles_strict(p) -> bool:
    fields = ("id", "name", "base_url", "numbers", "default_album")
    return (p in ((), ("profiles",)) or len(p) == 2
            or len(p) == 3 and p[2] in fields
            or len(p) == 4 and p[2] == "numbers"
            or len(p) == 5 and p[4] == "number")


def _drafts_strict(p) -> bool:
    return len(p) <= 2 or len(p) == 3 and p[1] in ("design", "request")


_SANDBOX_FIELDS = ("recording_id", "kind", "album", "sort", "received_at", "count",
                   "reference_id", "from", "to", "body", "did_type", "cid", "type")


def _sandbox_strict(p) -> bool:
    return (p == () or len(p) == 1 and p[0] != "version" or len(p) == 2
            or len(p) == 3 and p[2] in _SANDBOX_FIELDS)


_STRICT = {"profiles": _profiles_strict, "drafts": _drafts_strict,
           "sandbox": _sandbox_strict, "tester": lambda p: True}


@st.composite
def wrongly_typed(draw, name: str):
    document = json.loads(_baseline[name])
    places = [p for p in _places(document) if _STRICT[name](p)]
    place = draw(st.sampled_from(places))
    original = _get(document, place)
    value = draw(_json_values.filter(
        lambda v: _kind(v) != _kind(original) and v is not None and not (
            # The designer reads a goto written as a number, as the documentation's
            # samples do: not damage.
            name == "drafts" and place[-1:] == ("goto",) and _kind(v) == "number")))
    if not place:
        return json.dumps(value).encode()
    _get(document, place[:-1])[place[-1]] = value
    return json.dumps(document).encode()


def _is_json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


def damaged_json(name: str):
    def truncated(data: bytes):
        # Any proper prefix of an object's text is not JSON.
        end = len(data.rstrip())
        return st.integers(0, end - 1).map(lambda n: data[:n])

    return st.one_of(
        st.just(name).flatmap(lambda n: truncated(_baseline[n])),
        st.binary(max_size=64).filter(lambda b: not _is_json_object(b)),
        wrongly_typed(name),
    )


_INI_KEYS = ("geometry", "windowState", "lastTab")


@st.composite
def damaged_ini(draw):
    kind = draw(st.sampled_from(["truncated", "bytes", "typed"]))
    data = _baseline["window"]
    if kind == "truncated":
        return draw(st.integers(0, len(data) - 1).map(lambda n: data[:n])), False
    if kind == "bytes":
        return draw(st.binary(max_size=64).filter(lambda b: b"@Variant" not in b)), False
    key = draw(st.sampled_from(_INI_KEYS))
    text = draw(st.text("abcxyz0189 ", min_size=1, max_size=10))
    value = f"@ByteArray({text})" if key == "lastTab" else text
    lines = [line for line in data.decode().splitlines() if not line.startswith(key + "=")]
    return ("\n".join(lines + [f"{key}={value}"]) + "\n").encode(), True


_SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow,
                                            HealthCheck.filter_too_much])


def _check_starts_and_reports(qtbot, name: str, content: bytes, must_report: bool) -> None:
    _reset(_baseline, name, content)
    app = _start()
    try:
        _started(qtbot, app)
        assert app.window.isVisible()
        _build_every_tab(app)  # a draft is checked field by field as its tab opens
        reported = app.messages.notices.about(_path(name))
        if must_report:
            assert reported, f"{name} held {content[:80]!r} and nothing was said"
        # Found at start: in the start-up notice; found as a tab opened later: told then.
        dialog = app.window.startup_notices
        shown = dialog.text() if dialog is not None and dialog.isVisible() else ""
        told = [text for _level, text in app.messages.history]
        for notice in reported:
            assert (_path(name).name in shown and "Saved from it:" in shown
                    or notice.text() in told)
    finally:
        _stop(app)


_REPORTED = [pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices"),
             pytest.mark.expect_log("WARNING", r"Saved from it:", logger="console.messages")]
# Two stores also log the damage themselves, in their own words.
_LOGGED_BY_THE_STORE = {
    "sandbox": pytest.mark.expect_log("WARNING", r"Sandbox state .* could not be read",
                                      logger="console.sandbox.state"),
    "tester": pytest.mark.expect_log("WARNING", r"the branch tester settings .* are damaged",
                                     logger="console.ui.branch.tester_settings"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", [
    pytest.param(name, marks=_REPORTED + ([_LOGGED_BY_THE_STORE[name]] if name in _LOGGED_BY_THE_STORE else []))
    for name in ["profiles", "drafts", "sandbox", "tester"]
])
def test_the_console_starts_whatever_a_json_state_file_holds(qtbot, qloop, memory_keyring,
                                                              name):
    _write_baseline(qtbot)

    @_SETTINGS
    @given(content=damaged_json(name))
    def check(content):
        _check_starts_and_reports(qtbot, name, content, must_report=True)

    check()


@pytest.mark.slow
@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"The window settings \(window.ini\)", logger="console.messages")
def test_the_console_starts_whatever_the_window_settings_hold(qtbot, qloop, memory_keyring):
    _write_baseline(qtbot)

    @_SETTINGS
    @given(damage=damaged_ini())
    def check(damage):
        content, must_report = damage
        # A cut at a line's end, or bytes that read as an empty settings file,
        # are valid settings files: only what cannot be used must be reported.
        _check_starts_and_reports(qtbot, "window", content, must_report)

    check()


# -- the cases the issue names, one by one ---------------------------------------------
def _write(name: str, data: str | bytes) -> Path:
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _offices(count: int) -> list[dict]:
    return [{"id": f"office-{n}", "name": f"Office {n}", "base_url": "https://api.voitex.com",
             "numbers": [{"number": f"845555010{n}", "label": ""}], "default_album": 1,
             "is_sandbox": False} for n in range(1, count + 1)]


@pytest.mark.expect_log("WARNING", r"damaged state file: Your profiles", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"damaged state file: The window settings", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"damaged state file: Your unsent drafts", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"still running when the console last closed", logger="console.messages")
@pytest.mark.expect_log("WARNING", r"This computer has no password keyring", logger="console.messages")
@pytest.mark.expect_log("WARNING", r"Saved from it:", logger="console.messages")
def test_one_notice_lists_every_damaged_file_and_every_start_up_message(
        qtbot, qloop, no_keyring):
    from console.store.journal import Journal

    offices = _offices(3)
    offices[2]["numbers"] = "8455550103"  # a wrongly typed field: that profile only is lost
    _write("profiles", json.dumps({"version": 1, "profiles": offices}))
    _write("drafts", '{"sms": null, "calls": {"to": "8451230000"}, "tts": {"text": "Good mor')
    _write("window", b"\xff\xfe\x00[[[ not settings")
    from console.store.paths import app_paths

    journal = Journal(app_paths().data_dir / "history.sqlite3")
    journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox",
                  recipient="8451234567", content="Sent just before a crash")
    journal.close()

    app = _start()
    try:
        _started(qtbot, app)
        dialog = app.window.startup_notices
        assert dialog.isVisible()
        text = dialog.text()
        # Every damaged file, where its copy is, and what was saved from it.
        assert "profiles.json" in text and "2 of 3 live profiles" in text
        assert "'Office 3'" in text
        assert "drafts.json" in text and "the Calls draft" in text
        assert "window.ini" in text
        for notice in app.messages.notices.damaged():
            assert str(notice.kept_as) in text and notice.kept_as.exists()
        # Both start-up messages, not only the last.
        assert "outcome is unknown" in text
        assert app.secrets.explanation in text
        assert [p.id for p in app.session.all_profiles()] == ["sandbox", "office-1", "office-2"]
        assert app.tabs["calls"].to_edit.text() == "8451230000"
        dialog.grab().save("/tmp/startup-notices.png")
    finally:
        _stop(app)


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"Your unsent drafts \(drafts.json\)", logger="console.messages")
def test_a_null_draft_costs_that_draft_only(qtbot, qloop, memory_keyring):
    path = _write("drafts", json.dumps({"sms": None, "tts": {"text": "Good morning",
                                                             "sort": 5}}))
    app = _start()
    try:
        _started(qtbot, app)
        # Said at start: the SMS draft is not a draft at all.
        [at_start] = app.messages.notices.about(path)
        assert at_start.saved == "the Text to speech draft; lost: the SMS draft"
        assert json.loads(at_start.kept_as.read_text())["sms"] is None
        assert "drafts.json" in app.window.startup_notices.text()
        # Said as the tab opens: one field of the wrong kind, the rest restored.
        app.window.show_tab("tts")
        assert app.tabs["tts"].text_edit.toPlainText() == "Good morning"
        assert app.tabs["tts"].sort_edit.text() == ""
        [_, as_opened] = app.messages.notices.about(path)
        assert as_opened.saved == ("the Text to speech draft in part (what could not be used "
                                   "was left empty)")
        assert as_opened.kept_as == at_start.kept_as
        assert "Text to speech draft in part" in app.window.startup_notices.text()
        app.window.show_tab("sms")
        assert app.tabs["sms"].body_edit.toPlainText() == ""
    finally:
        _stop(app)


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"Your unsent drafts \(drafts.json\)", logger="console.messages")
def test_a_cut_off_drafts_file_is_kept_aside_and_not_overwritten(qtbot, qloop, memory_keyring):
    whole = json.dumps({"tts": {"text": "First", "album": "", "sort": ""},
                        "sms": {"from": "8459511000", "to": "8451234567", "body": "Second"}})
    cut = whole[: whole.index("Second") + 3]
    path = _write("drafts", cut)
    app = _start()
    try:
        _started(qtbot, app)
        # Written back at once: a crash before closing would not lose it either.
        assert json.loads(path.read_text())["tts"]["text"] == "First"
        assert app.tabs["tts"].text_edit.toPlainText() == "First"
        [notice] = app.messages.notices.about(path)
        assert "ends too early" in notice.problem
        assert notice.saved == ("the Text to speech draft; anything after the damage could "
                                "not be read")
    finally:
        _stop(app)
    # Closing wrote new drafts; the damaged copy is still there, untouched.
    assert notice.kept_as.read_text() == cut
    assert json.loads(path.read_text())["tts"]["text"] == "First"


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"The window settings \(window.ini\)", logger="console.messages")
def test_damaged_window_settings_use_the_defaults_and_are_rewritten(qtbot, qloop,
                                                                    memory_keyring):
    path = _write("window", "[General]\ngeometry=not a geometry\nlastTab=@ByteArray(sms)\n")
    app = _start()
    try:
        _started(qtbot, app)
        [notice] = app.messages.notices.about(path)
        assert "geometry" in notice.problem and notice.kept_as.exists()
        app.window.show_tab("calls")
    finally:
        _stop(app)
    again = _start()
    try:
        _started(qtbot, again)
        assert again.window.current_tab_key() == "calls"
        assert again.messages.notices.about(path) == []
    finally:
        _stop(again)


@pytest.mark.expect_log("WARNING", r"Sandbox state .* could not be read", logger="console.sandbox.state")
@pytest.mark.expect_log("WARNING", r"the branch tester settings .* are damaged",
                        logger="console.ui.branch.tester_settings")
@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
@pytest.mark.expect_log("WARNING", r"The sandbox's practice data", logger="console.messages")
@pytest.mark.expect_log("WARNING", r"The branch tester's settings", logger="console.messages")
def test_a_damaged_sandbox_state_and_tester_settings_are_reported(qtbot, qloop,
                                                                  memory_keyring):
    sandbox = _write("sandbox", '{"next_recording_id": 910005, "sms": [{"reference_id": "a"')
    tester = _write("tester", json.dumps({"endpoint_url": "https://desk.example/branch",
                                          "budget_s": "fast", "walk_sends": True}))
    app = _start()
    try:
        _started(qtbot, app)
        assert app.sandbox.running
        [state_notice] = app.messages.notices.about(sandbox)
        assert state_notice.saved == "0 of 0 library entries, 0 of 0 SMS and 0 of 0 calls"
        assert "state.json" in app.window.startup_notices.text()
        assert "branch-tester.json" not in app.window.startup_notices.text()  # not opened yet
        panel = app.tabs["branch"].tester
        [tester_notice] = app.messages.notices.about(tester)
        assert "the time budget" in tester_notice.problem
        assert panel.url_edit.text() == "https://desk.example/branch"
        assert panel.auto_send_check.isChecked()
    finally:
        _stop(app)


def test_no_notice_when_nothing_is_wrong(qtbot, qloop, memory_keyring):
    app = _start()
    try:
        _started(qtbot, app)
        _build_every_tab(app)
        assert app.window.startup_notices is None
        assert app.messages.notices.damaged() == []
    finally:
        _stop(app)


@pytest.mark.expect_log("WARNING", r"This computer has no password keyring", logger="console.messages")
@pytest.mark.expect_log("WARNING", r"^Upload queue: From last time: 1 file was being uploaded",
                        logger="console.messages")
def test_an_upload_left_on_the_wire_is_in_the_start_up_notice_whatever_tab_opens(
        qtbot, qloop, no_keyring):
    from console.store.journal import Journal
    from console.store.paths import app_paths
    from console.store.upload_store import SqliteUploadStore, StoredRow

    database = app_paths().data_dir / "history.sqlite3"
    Journal(database).close()  # the History file, as a console that ran before leaves it
    store = SqliteUploadStore(database)
    store.write([StoredRow(id=1, path="/nowhere/05 Welcome.wav", status="uploading",
                           album=1, sort=5, display_name="Welcome")], durable=True)
    store.close()
    _write("window", "[General]\nlastTab=sms\n")  # Recordings is not the first tab built

    app = _start()
    try:
        _started(qtbot, app)
        assert app.window.built_tab("recordings") is None
        text = app.window.startup_notices.text()
        assert "may already be in the library" in text
        assert "Upload again or Mark as done" in text
    finally:
        _stop(app)
