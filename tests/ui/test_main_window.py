"""The main window: tabs built on first visit, drafts, first size, status-bar messages."""
from __future__ import annotations

import json

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLabel

import pytest

from console.ui.elided_label import elide_words
from console.ui.main_window import TAB_ORDER, MainWindow
from console.ui.tab_interface import TabCapabilityError, TabSpec
from console.ui.window_geometry import initial_geometry


class Builds:
    """Real send tabs (they keep drafts), plain pages for the others; counts builds."""

    def __init__(self, env) -> None:
        self.env = env
        self.built: list[str] = []

    def specs(self) -> dict[str, TabSpec]:
        specs = {}
        for key in TAB_ORDER:
            specs[key] = TabSpec(build=lambda k=key: self._build(k),
                                 keeps_draft=key in ("sms", "tts", "calls"))
        return specs

    def _build(self, key):
        self.built.append(key)
        if key == "sms":
            from console.ui.sms_tab import SmsTab

            return SmsTab(session=self.env.session, sender=self.env.sender,
                          messages=self.env.messages)
        if key == "tts":
            from console.ui.tts_tab import TtsTab

            return TtsTab(session=self.env.session, sender=self.env.sender,
                          messages=self.env.messages)
        if key == "calls":
            from console.ui.calls_tab import CallsTab

            return CallsTab(session=self.env.session, sender=self.env.sender,
                            messages=self.env.messages)
        return QLabel(f"{key} page")


def make_window(qtbot, env, config_dir, builds, available=QRect(0, 0, 1366, 768)):
    window = MainWindow(session=env.session, messages=env.messages, tabs=builds.specs(),
                        config_dir=config_dir, sandbox_status=lambda: "Sandbox: starting…",
                        available_geometry=lambda: available)
    qtbot.addWidget(window)
    return window


def test_no_tab_is_built_before_the_first_paint_then_only_the_current_one(
        qtbot, console_env, tmp_path):
    builds = Builds(console_env)
    window = make_window(qtbot, console_env, tmp_path, builds)
    assert builds.built == [] and window.tabs == {}
    page = window.tab_widget.widget(0)
    assert page.widget().text() == "Opening Recordings…"  # the placeholder
    with qtbot.waitSignal(window.current_tab_ready, timeout=5000) as ready:
        window.show()
    assert ready.args == ["recordings"] and builds.built == ["recordings"]
    assert window.tab_widget.widget(0).widget() is window.tabs["recordings"]

    window.show_tab("sms")  # a first visit builds it, once
    window.show_tab("recordings")
    window.show_tab("sms")
    assert builds.built == ["recordings", "sms"]
    assert window.tab_widget.currentWidget().widget() is window.tabs["sms"]


def test_the_saved_last_tab_is_built_first_and_drafts_come_back_on_first_visit(
        qtbot, console_env, tmp_path):
    builds = Builds(console_env)
    window = make_window(qtbot, console_env, tmp_path, builds)
    with qtbot.waitSignal(window.current_tab_ready, timeout=5000):
        window.show()
    window.tab("sms").body_edit.setPlainText("Half-typed message")
    window.tab("tts").restore_draft({"text": "Welcome to our office"})
    window.show_tab("history")
    window.close()
    saved = json.loads((tmp_path / "drafts.json").read_text())
    assert saved["sms"]["body"] == "Half-typed message"

    again_builds = Builds(console_env)
    again = make_window(qtbot, console_env, tmp_path, again_builds)
    with qtbot.waitSignal(again.current_tab_ready, timeout=5000) as ready:
        again.show()
    assert ready.args == ["history"] and again_builds.built == ["history"]
    again.show_tab("sms")
    assert again.tabs["sms"].body_edit.toPlainText() == "Half-typed message"
    # A tab never opened this time keeps last time's draft.
    again.close()
    saved_again = json.loads((tmp_path / "drafts.json").read_text())
    assert saved_again["sms"]["body"] == "Half-typed message"
    assert saved_again["tts"] == saved["tts"]
    assert "tts" not in again.tabs


def test_tab_builds_on_demand_before_the_window_shows(qtbot, console_env, tmp_path):
    (tmp_path / "drafts.json").write_text(json.dumps({"sms": {"to": "8451234567", "body": "Hi"}}))
    builds = Builds(console_env)
    window = make_window(qtbot, console_env, tmp_path, builds)
    sms = window.tab("sms")
    assert builds.built == ["sms"] and window.built_tab("sms") is sms
    assert sms.body_edit.toPlainText() == "Hi"
    assert window.built_tab("history") is None


def test_a_tab_declared_with_drafts_must_have_them(qtbot, console_env, tmp_path):
    builds = Builds(console_env)
    specs = builds.specs()
    specs["history"] = TabSpec(build=lambda: QLabel("no drafts here"), keeps_draft=True)
    window = MainWindow(session=console_env.session, messages=console_env.messages, tabs=specs,
                        config_dir=tmp_path, sandbox_status=lambda: "")
    qtbot.addWidget(window)
    with pytest.raises(TabCapabilityError, match="'history' tab is declared to keep a draft"):
        window.tab("history")


@pytest.mark.parametrize("available, expected", [
    # A 1024x700 laptop: the frame and title bar must fit too.
    (QRect(0, 0, 1024, 700), QRect(20, 0, 984, 628)),
    (QRect(0, 0, 1366, 768), QRect(133, 0, 1100, 696)),
    (QRect(0, 0, 1920, 1040), QRect(410, 104, 1100, 760)),
    # A second screen to the right, under a top panel.
    (QRect(1920, 32, 1280, 1000), QRect(2010, 116, 1100, 760)),
])
def test_initial_geometry(available, expected):
    assert initial_geometry(available) == expected


def test_the_first_window_fits_a_1024x700_screen(qtbot, console_env, tmp_path):
    available = QRect(0, 0, 1024, 700)
    builds = Builds(console_env)
    window = make_window(qtbot, console_env, tmp_path, builds, available=available)
    window.show_tab("sms")
    with qtbot.waitSignal(window.current_tab_ready, timeout=5000):
        window.show()
    frame = window.frameGeometry()
    assert available.contains(frame), frame
    assert window.width() <= 1024 - 40 and window.height() <= 700 - 72
    sms = window.tabs["sms"]
    qtbot.waitUntil(lambda: not sms.send_button.visibleRegion().isEmpty(), timeout=5000)
    assert window.statusBar().isVisible()
    bar = window.statusBar().geometry()
    assert window.rect().contains(bar)
    window.grab().save(str(tmp_path / "main-1024x700.png"))


def test_a_saved_size_wins_over_the_screen(qtbot, console_env, tmp_path):
    builds = Builds(console_env)
    window = make_window(qtbot, console_env, tmp_path, builds)
    window.resize(700, 500)
    window.close()
    again = make_window(qtbot, console_env, tmp_path, Builds(console_env),
                        available=QRect(0, 0, 1024, 700))
    assert (again.width(), again.height()) == (700, 500)


def test_a_size_saved_on_a_larger_screen_shrinks_to_fit(qtbot, console_env, tmp_path):
    window = make_window(qtbot, console_env, tmp_path, Builds(console_env),
                         available=QRect(0, 0, 1920, 1080))
    window.resize(1800, 1000)
    window.close()
    again = make_window(qtbot, console_env, tmp_path, Builds(console_env),
                        available=QRect(0, 0, 1024, 700))
    assert again.width() <= 1024 - 40 and again.height() <= 700 - 72


LONG = ("The key for 'Main office' could not be read from the system keyring: it stays "
        "kept in memory until you quit, so add it again next time in Profile ▸ Manage profiles.")


@pytest.mark.expect_log("WARNING", r"could not be read from the system keyring", logger="console.messages")
def test_a_long_status_message_is_shortened_at_a_word_with_the_whole_text_at_hand(
        qtbot, console_env, tmp_path):
    builds = Builds(console_env)
    window = make_window(qtbot, console_env, tmp_path, builds, available=QRect(0, 0, 1024, 700))
    with qtbot.waitSignal(window.current_tab_ready, timeout=5000):
        window.show()
    console_env.messages.warning(LONG)
    label = window.message_label
    qtbot.waitUntil(lambda: label.width() > 0, timeout=5000)
    assert label.is_elided(), label.text()
    shown = label.text()
    assert shown.endswith("…")
    assert LONG.startswith(shown[:-1])
    assert LONG[len(shown) - 1] == " "  # cut between words
    assert label.toolTip().startswith(LONG) and window.status_message() == LONG
    assert label.accessibleDescription() == LONG
    window.grab().save(str(tmp_path / "status-elided.png"))

    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)  # the label opens the log
    dialog = window._message_log_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.windowTitle() == "Messages"
    assert LONG in window.message_log_text() and "Warning: " in window.message_log_text()
    console_env.messages.info("Now working on 'Sandbox'.")
    assert "Info: Now working on 'Sandbox'." in window.message_log_text()
    from PySide6.QtWidgets import QPlainTextEdit

    [view] = dialog.findChildren(QPlainTextEdit)
    assert LONG in view.toPlainText() and "Now working on 'Sandbox'." in view.toPlainText()


def test_a_short_message_is_shown_whole_without_a_tooltip(qtbot, console_env, tmp_path):
    window = make_window(qtbot, console_env, tmp_path, Builds(console_env))
    with qtbot.waitSignal(window.current_tab_ready, timeout=5000):
        window.show()
    console_env.messages.info("Saved.")
    assert window.message_label.text() == "Saved." and window.message_label.toolTip() == ""


@pytest.mark.parametrize("text, width, expected", [
    ("short", 10, "short"),
    ("kept in memory until you quit", 14, "kept in…"),
    ("kept in memory until you quit", 17, "kept in memory…"),
    ("one, two, three", 8, "one…"),  # no dangling comma
    ("Unbreakableword here", 6, "Unbre…"),  # nothing fits whole: cut the first word
])
def test_elide_words(text, width, expected):
    assert elide_words(text, width, len) == expected
    assert len(elide_words(text, width, len)) <= max(width, len(expected))


def test_window_size_constants_fit_the_issue_screen():
    geometry = initial_geometry(QRect(0, 0, 1024, 700))
    assert geometry.size().boundedTo(QSize(1024, 700)) == geometry.size()


def test_quitting_during_a_broadcast_asks_first(qtbot, console_env, tmp_path):
    from tests.console_env import ConfirmRecorder

    running = [True]
    confirm = ConfirmRecorder(False)
    window = MainWindow(session=console_env.session, messages=console_env.messages,
                        tabs=Builds(console_env).specs(), config_dir=tmp_path,
                        sandbox_status=lambda: "Sandbox: starting…",
                        broadcasts_running=lambda: running[0], confirm_close=confirm)
    qtbot.addWidget(window)
    window.show()
    assert not window.close()  # the user chose to stay
    assert "A broadcast is still sending. Quit anyway?" in confirm.boxes[0]
    assert "offers to resume" in confirm.boxes[0]
    running[0] = False  # paused or finished: nothing to interrupt
    assert window.close()
    assert len(confirm.boxes) == 1


def test_building_a_tab_is_announced(qtbot, console_env, tmp_path):
    # The app freezes what a newly built tab made out of the garbage collector's
    # scans (a full collection over them stalled History's scrolling).
    window = make_window(qtbot, console_env, tmp_path, Builds(console_env))
    with qtbot.waitSignal(window.tab_built, timeout=5000) as built:
        window.tab("sms")
    assert built.args == ["sms"]
    with qtbot.assertNotEmitted(window.tab_built):
        window.tab("sms")  # already built: nothing new to freeze
