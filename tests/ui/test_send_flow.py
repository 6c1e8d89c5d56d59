"""Pieces of the one send flow that are not tied to one tab."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

import pytest

from console.store.journal import Journal
from console.store.profiles import OwnNumber, Profile, sandbox_profile
from console.ui.history_tab import HistoryTab
from console.ui.send_flow import describe_resend, sms_cost
from console.ui.widgets import ERROR_TEXT, FieldError, ResultLabel, excerpt

LIVE = Profile(id="office-1", name="Main office", base_url="https://api.voitex.com",
               numbers=[OwnNumber("8459511000", "")], is_sandbox=False)


@pytest.mark.parametrize("kind, content, profile, expected", [
    ("sms", "a" * 200, LIVE, "This sends 2 messages (standard characters) on the live account "
                             "'Main office': a real customer receives it."),
    ("sms", "It’s here", LIVE, "This sends 1 message (special characters) on the live account"),
    ("sms", "Hi", sandbox_profile(), "This sends 1 message (standard characters) on the Sandbox: "
                                     "practice only, nothing reaches a customer."),
    ("call", "Play library file 918357", LIVE, "This places 1 call on the live account "
                                               "'Main office': a real person's phone rings."),
    ("tts", "Hello", LIVE, "replaces a recording already at that album and sort number"),
    ("sms", "Hi", None, "The profile it was sent with no longer exists."),
])
def test_describe_resend(kind, content, profile, expected):
    assert expected in describe_resend(kind, content, profile)


def test_history_send_again_says_live_and_how_many_messages(qtbot, tmp_path):
    journal = Journal(tmp_path / "history.sqlite3")
    try:
        entry_id = journal.begin(kind="sms", profile_id=LIVE.id, profile_name=LIVE.name,
                                 recipient="8451234567", content="x" * 161,
                                 request={"from": "8459511000", "to": "8451234567",
                                          "body": "x" * 161}, resend_of=None)
        journal.finish(entry_id, outcome="unknown", messages=["dropped"])
        tab = HistoryTab(journal=journal, profiles_provider=lambda: [sandbox_profile(), LIVE],
                         resend=None)
        qtbot.addWidget(tab)
        [entry] = journal.query()
        box = tab.build_resend_box(entry)
        assert "live account 'Main office'" in box.informativeText()
        assert "2 messages" in box.informativeText()
    finally:
        journal.close()


def test_sms_cost():
    assert sms_cost("a" * 161) == "2 messages (standard characters)"
    assert sms_cost("ok \U0001F44D") == "1 message (special characters)"


def test_excerpt_keeps_the_first_lines():
    assert excerpt("one\ntwo\nthree\nfour") == "one\ntwo\nthree…"
    assert excerpt("  short  ") == "short"
    assert excerpt("x" * 500).endswith("…") and len(excerpt("x" * 500)) == 241


@pytest.fixture
def dark_fusion(qapp):
    """The palette of a desktop in dark mode, put back afterwards."""
    old_palette, old_style = qapp.palette(), qapp.style().name()
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e8e8e8"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.Text, "#e8e8e8"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e8e8e8")):
        dark.setColor(role, QColor(colour))
    qapp.setStyle(QStyleFactory.create("Fusion"))
    qapp.setPalette(dark)
    yield dark
    qapp.setPalette(old_palette)
    qapp.setStyle(QStyleFactory.create(old_style))


def _contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_outcome_and_error_colours_are_readable_on_a_dark_palette(qtbot, dark_fusion):
    import re

    label = ResultLabel("Result")
    error = FieldError("To")
    qtbot.addWidget(label)
    qtbot.addWidget(error)
    error.show_error("To: enter a number.")
    assert ERROR_TEXT["dark"] in error.styleSheet()
    assert _contrast(QColor(ERROR_TEXT["dark"]), dark_fusion.color(QPalette.ColorRole.Window)) >= 4.5
    for kind in ("ok", "error", "unknown", "declined", "warning", "busy"):
        label.show_result(kind, "text")
        style = label.styleSheet()
        assert style.count("#") >= 2
        background = QColor(re.search(r"background:(#[0-9a-f]{6})", style).group(1))
        colour = QColor(re.search(r"[^-]color:(#[0-9a-f]{6})", style).group(1))
        assert background.lightness() < 128, kind  # no light box on a dark window
        assert _contrast(colour, background) >= 4.5, kind


def test_outcome_colours_are_readable_on_a_light_palette(qtbot):
    import re

    label = ResultLabel("Result")
    qtbot.addWidget(label)
    for kind in ("ok", "error", "unknown", "declined", "warning", "busy"):
        label.show_result(kind, "text")
        style = label.styleSheet()
        background = QColor(re.search(r"background:(#[0-9a-f]{6})", style).group(1))
        colour = QColor(re.search(r"[^-]color:(#[0-9a-f]{6})", style).group(1))
        assert _contrast(colour, background) >= 4.5, kind


def test_a_palette_change_restyles_a_shown_result(qtbot, qapp):
    label = ResultLabel("Result")
    qtbot.addWidget(label)
    label.show_result("unknown", "text")
    assert "#fff3cd" in label.styleSheet()
    old = qapp.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    qapp.setPalette(dark)
    try:
        qtbot.waitUntil(lambda: "#3a2c00" in label.styleSheet(), timeout=2000)
    finally:
        qapp.setPalette(old)
    qtbot.waitUntil(lambda: "#fff3cd" in label.styleSheet(), timeout=2000)
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() >= 128


class _Flow:
    """A SendFlow in a bare widget, with requests the test writes itself."""

    def __init__(self, qtbot, console_env):
        from PySide6.QtWidgets import QPushButton, QWidget

        from console.ui.send_flow import SMS, SendFlow

        self.widget = QWidget()
        qtbot.addWidget(self.widget)
        self.button = QPushButton("Send", self.widget)
        self.label = ResultLabel("Result", self.widget)
        self.flow = SendFlow(parent=self.widget, session=console_env.session,
                             messages=console_env.messages, button=self.button,
                             result_label=self.label, kind=SMS)

    def run(self, request):
        from console.ui.send_flow import Form
        from tests.console_env import drive

        return drive(self.flow.run(form=Form(), confirmations=lambda profile: [],
                                   request=request, busy_text="Sending…",
                                   done_text=lambda r: f"Sent. Reference id: {r.reference_id}"))


@pytest.mark.expect_log("WARNING", r"^Unknown: Voitex did not answer clearly", logger="console.messages")
def test_a_note_about_history_is_shown_beside_the_outcome(qtbot, console_env):
    from types import SimpleNamespace

    flow = _Flow(qtbot, console_env)
    note = "History could not be updated yet; it will be updated when the file is free."

    async def wrapped():
        return SimpleNamespace(value=SimpleNamespace(reference_id="R1"), entry_id=1,
                               history_note=note)

    result = flow.run(wrapped)
    assert result.reference_id == "R1"
    assert flow.label.kind == "ok"
    assert flow.label.text() == f"Sent. Reference id: R1 {note}"

    async def unknown():
        from console.api import OutcomeUnknownError

        err = OutcomeUnknownError("dropped")
        err.history_note = note
        raise err

    assert flow.run(unknown) is None
    assert flow.label.kind == "unknown"
    assert flow.label.text().endswith(note)
    assert flow.button.isEnabled()


@pytest.mark.expect_log("ERROR", r"failed because of an unexpected problem: boom", logger="console.messages")
def test_a_bug_in_the_request_is_shown_and_raised_for_the_crash_dialog(qtbot, console_env):
    flow = _Flow(qtbot, console_env)

    async def broken():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        flow.run(broken)
    assert flow.label.kind == "error"
    assert "unexpected problem: boom" in flow.label.text()
    assert flow.button.isEnabled() and not flow.flow.cancel_button.isVisible()
