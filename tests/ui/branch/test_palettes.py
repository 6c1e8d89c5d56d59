"""Colours under light and dark palettes, and the designer's form at laptop sizes.

Dark desktops (Windows, Linux) hand the console a dark palette: every colour
the branch tab, the banner and the profiles dialog pick themselves must still
read at the WCAG ratio for normal text, 4.5:1, against what they are drawn on.
"""
from __future__ import annotations

import re

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QStyleFactory

import pytest

from console.api.branch_endpoint import post_branch_request
from console.branch.findings import Finding
from console.branch.tester import ReplyOutcome
from console.ui.banner import ProfileBanner
from console.ui.branch.findings_view import FindingLine, InlineFindings
from console.ui.branch.models import cell_colours, not_used_colour
from console.ui.branch_tab import BranchTab
from console.ui.palette import (
    MIN_CONTRAST,
    contrast_ratio,
    dark_fusion_palette,
    is_dark,
)
from console.ui.profiles_dialog import ProfilesDialog
from console.ui.widgets import FieldError, ResultLabel

PROBLEMS = (Finding(("goto",), "error", "t.error", "The branch must be a number."),
            Finding(("goto",), "warning", "t.warning", "A warning about the branch."),
            Finding(("goto",), "info", "t.info", "A note about the branch."))


@pytest.fixture(params=["light", "dark"])
def palette(request, qapp):
    old_palette, old_style = qapp.palette(), qapp.style().name()
    qapp.setStyle(QStyleFactory.create("Fusion"))
    chosen = dark_fusion_palette() if request.param == "dark" else qapp.style().standardPalette()
    qapp.setPalette(chosen)
    yield chosen
    qapp.setPalette(old_palette)
    qapp.setStyle(QStyleFactory.create(old_style))


def colours_in(style_sheet: str) -> dict[str, str]:
    found = dict(re.findall(r"(?<![-\w])(color|background)\s*:\s*(#[0-9a-fA-F]{6}|white)",
                            style_sheet))
    return {k: ("#ffffff" if v == "white" else v) for k, v in found.items()}


def assert_readable(fg, bg, what):
    ratio = contrast_ratio(fg, bg)
    assert ratio >= MIN_CONTRAST, f"{what}: {fg} on {bg} is {ratio:.2f}:1"


def window_colour(widget) -> str:
    return widget.palette().color(QPalette.ColorRole.Window).name()


def test_the_dark_palette_is_dark(palette):
    assert is_dark(palette) == (palette.color(QPalette.ColorRole.Window).lightness() < 128)


def test_branch_tab_colours_read_on_both_palettes(qtbot, qloop, palette):
    tab = BranchTab(post_request=post_branch_request, confirm=lambda box: True)
    qtbot.addWidget(tab)
    tab.resize(1100, 700)
    tab.show()
    background = window_colour(tab)
    base = tab.palette().color(QPalette.ColorRole.Base).name()

    # The designer's warning under a field, and the line under each table.
    tab.designer.goto_edit.setText("abc")
    inline = InlineFindings("Test")
    line = FindingLine("Test")
    qtbot.addWidget(inline)
    qtbot.addWidget(line)
    for finding in PROBLEMS:
        inline.set_findings((finding,))
        [colour] = re.findall(r"color:(#[0-9a-f]{6})", inline.text())
        assert_readable(colour, background, f"inline {finding.severity}")
        line.set_findings((finding,))
        assert_readable(colours_in(line.styleSheet())["color"], background,
                        f"line {finding.severity}")
    shown = tab.designer.goto_findings.text()
    assert "color:" in shown
    for colour in re.findall(r"color:(#[0-9a-f]{6})", shown):
        assert_readable(colour, background, "goto finding")

    # Table cells with findings, and cells that do not apply.
    for severity in ("error", "warning"):
        cell_bg, cell_fg = cell_colours(severity)
        assert_readable(cell_fg.name(), cell_bg.name(), f"{severity} cell")
    assert_readable(not_used_colour().name(), base, "cell not used")
    assert not_used_colour().name() != tab.palette().color(QPalette.ColorRole.Text).name()

    # The help line under each table.
    for section in (tab.designer.play_section, tab.designer.keys_section,
                    tab.composer.steps_section if hasattr(tab.composer, "steps_section")
                    else tab.designer.variables_section):
        assert_readable(colours_in(section.help.styleSheet())["color"], background,
                        "table help")

    # The JSON preview's highlighting, on the preview's own background.
    preview = tab.designer.preview
    preview_bg = preview.palette().color(QPalette.ColorRole.Base).name()
    for name, fmt in preview.highlighter.formats.items():
        assert_readable(fmt.foreground().color().name(), preview_bg, f"JSON {name}")
    assert_readable(preview.palette().color(QPalette.ColorRole.Text).name(), preview_bg,
                    "JSON punctuation")

    # The tester's timing, over and near the budget.
    tester = tab.tester
    for over, near in ((True, False), (False, True)):
        tester.show_outcome(ReplyOutcome(kind="no_reply", headline="No reply.",
                                         status_text="No reply", timing_text="3.00 s",
                                         over_budget=over, near_budget=near, reply_text=""),
                            announce=False)
        assert_readable(colours_in(tester.timing_label.styleSheet())["color"],
                        window_colour(tester), "timing")


def test_banner_and_result_colours_read_on_both_palettes(qtbot, palette):
    from console.store.profiles import Profile, sandbox_profile

    banner = ProfileBanner()
    qtbot.addWidget(banner)
    for profile in (sandbox_profile(), Profile(id="x", name="Main office", base_url="https://a")):
        banner.show_profile(profile)
        found = colours_in(banner.styleSheet())
        assert_readable(found["color"], found["background"], "banner")
    result = ResultLabel("Result")
    styles = result.STYLES["dark" if is_dark(palette) else "light"]
    for kind in ("ok", "error", "warning", "busy", "unknown", "declined"):
        found = colours_in(styles[kind])
        assert_readable(found["color"], found["background"], f"result {kind}")


def test_profiles_dialog_colours_read_on_both_palettes(qtbot, console_env, palette):
    dialog = ProfilesDialog(session=console_env.session, secrets=console_env.secrets,
                            messages=console_env.messages)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start_new_profile()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "error", timeout=5000)
    background = window_colour(dialog)
    errors = dialog.findChildren(FieldError)
    assert errors
    for error in errors:
        assert_readable(colours_in(error.styleSheet())["color"], background, "field error")
    note = colours_in(dialog.keyring_note.styleSheet())
    if note:
        assert_readable(note["color"], note["background"], "keyring note")
    for label in dialog.findChildren(QLabel):
        found = colours_in(label.styleSheet())
        if "color" in found:
            assert_readable(found["color"], found.get("background", background),
                            label.accessibleName() or label.text()[:30])


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_designer_form_is_not_cut_off_at_laptop_sizes(qtbot, qloop, console_env, tmp_path,
                                                           size):
    from PySide6.QtCore import QRect

    from console.ui.main_window import TAB_ORDER, MainWindow
    from console.ui.tab_interface import TabSpec

    tabs = {key: TabSpec(build=lambda k=key: QLabel(k)) for key in TAB_ORDER}
    tabs["branch"] = TabSpec(build=lambda: BranchTab(post_request=post_branch_request,
                                                     confirm=lambda box: True))
    window = MainWindow(session=console_env.session, messages=console_env.messages, tabs=tabs,
                        config_dir=tmp_path, sandbox_status=lambda: "",
                        available_geometry=lambda: QRect(0, 0, *size))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show_tab("branch")
    window.show()
    qtbot.waitExposed(window)
    designer = window.tab("branch").designer
    designer.load_sample("main-menu.json", "Main menu")
    form_scroll = designer.findChild(QScrollArea)
    qtbot.waitUntil(lambda: form_scroll.viewport().width() > 0)
    QApplication.processEvents()
    form = form_scroll.widget()
    assert form.width() <= form_scroll.viewport().width(), (
        f"the form is {form.width()} wide in a {form_scroll.viewport().width()} pane")
    for section in (designer.play_section, designer.keys_section, designer.variables_section):
        help_label = section.help
        # A wrapped label shows all its text when given the height it asks for.
        assert help_label.height() >= help_label.heightForWidth(help_label.width()) - 1
