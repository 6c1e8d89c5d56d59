"""The help window: the guide's pages, search, links, keyboard, and the API
reference with its tables as tables."""
from __future__ import annotations

import json
import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextTable
from PySide6.QtWidgets import QLabel

import pytest

from console.resources import read_resource_text, resource_path
from console.ui.help_pages import (
    PAGE_FOR_TAB,
    REFERENCE_KEY,
    load_guide_pages,
    matching_pages,
    reference_to_markdown,
)
from console.ui.help_window import HelpWindow, show_help

TASKS = ["upload", "recording from text", "sms", "call", "branch", "history", "live account",
         "sandbox", "unknown"]


def tables_in(document):
    found = []
    frames = [document.rootFrame()]
    while frames:
        frame = frames.pop()
        if isinstance(frame, QTextTable):
            found.append(frame)
        frames.extend(frame.childFrames())
    return sorted(found, key=lambda table: table.firstPosition())


@pytest.fixture
def window(qtbot):
    help_window = HelpWindow()
    qtbot.addWidget(help_window)
    help_window.show()
    qtbot.waitExposed(help_window)
    return help_window


def test_every_task_has_a_page_and_every_page_is_listed():
    pages = load_guide_pages()
    titles = " ".join(page.title.casefold() for page in pages)
    for task in TASKS:
        assert task in titles, task
    index = json.loads(read_resource_text("guide/index.json"))
    listed = {entry["file"] for entry in index["pages"]}
    on_disk = {path.name for path in resource_path("guide").glob("*.md")}
    assert listed == on_disk


def test_links_and_images_in_the_guide_lead_somewhere():
    pages = load_guide_pages()
    keys = {page.key for page in pages}
    for page in pages:
        for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)]+)\)", page.markdown):
            assert target in keys, f"{page.key} links to missing {target}"
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.markdown):
            path = resource_path(f"guide/{image}")
            assert path.stat().st_size < 200_000, f"{image} is too big for the guide"


def test_search_matches_every_word_in_any_case():
    pages = load_guide_pages()
    assert [p.key for p in matching_pages(pages, "")] == [p.key for p in pages]
    found = [p.key for p in matching_pages(pages, "KEYRING key")]
    assert "add-live-account.md" in found
    assert "send-sms.md" not in found
    assert matching_pages(pages, "zebra-crossing") == []


def test_the_window_opens_on_the_start_page_with_names_for_everything(window):
    assert window.current_key == "start-here.md"
    assert "Start here" in window.browser.toPlainText()
    assert window.contents.currentItem().text() == "Start here"
    for widget in (window.search_edit, window.contents, window.browser, window.back_button,
                   window.forward_button):
        assert widget.accessibleName()
    assert window.shown_titles()[-1] == "Voitex API reference (for programmers)"


def test_searching_filters_the_contents_and_marks_the_words(qtbot, window):
    qtbot.keyClicks(window.search_edit, "unknown")
    titles = window.shown_titles()
    assert titles and all(t for t in titles)
    assert "Upload recordings" not in titles
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.current_key == window.contents.item(0).data(Qt.ItemDataRole.UserRole)
    assert window.highlighted_count() > 0
    window.search_edit.setText("no such words anywhere")
    assert window.shown_titles() == [] and window.no_match.isVisible()


def test_keyboard_moves_from_search_to_pages_and_back_and_forward(qtbot, window):
    window.search_edit.setFocus()
    qtbot.keyClicks(window.search_edit, "sms")
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Down)
    assert window.contents.hasFocus()
    qtbot.keyClick(window.contents, Qt.Key.Key_Down)
    shown = window.current_key
    assert shown != "start-here.md"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_key == "start-here.md"
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_key == shown


def test_links_between_pages(window):
    window.browser.anchorClicked.emit(QUrl("send-sms.md"))
    assert window.current_key == "send-sms.md"
    assert "Send an SMS" in window.browser.toPlainText()
    assert window.back_button.isEnabled()
    window.back_button.click()
    assert window.current_key == "start-here.md"


def test_the_api_reference_tables_are_real_tables(window):
    assert window.show_page(REFERENCE_KEY)
    tables = tables_in(window.browser.document())
    assert len(tables) >= 10
    text = window.browser.toPlainText()
    assert "|" not in text.split("Request Code Sample")[0]
    first = tables[0]
    assert first.columns() == 2
    assert first.cellAt(1, 0).firstCursorPosition().block().text() == "call_id"


def test_reference_conversion_keeps_multi_line_cells_in_one_row():
    text = ("Intro\nParameter | Description | Required |\nalbum_number |\nThe album.\n|\nYes |\n"
            "text |\nThe text. | Yes |\nResponse Parameters\n")
    markdown = reference_to_markdown(text)
    assert "| Parameter | Description | Required |" in markdown
    assert "| --- | --- | --- |" in markdown
    assert "| album_number | The album. | Yes |" in markdown
    assert "| text | The text. | Yes |" in markdown
    assert "### Response Parameters" in markdown


def test_f1_in_the_main_window_opens_the_guide(qtbot, console_env, tmp_path):
    from console.ui.main_window import TAB_ORDER, MainWindow
    from console.ui.tab_interface import TabSpec

    tabs = {key: TabSpec(build=lambda k=key: QLabel(k)) for key in TAB_ORDER}
    main = MainWindow(session=console_env.session, messages=console_env.messages, tabs=tabs,
                      config_dir=tmp_path, sandbox_status=lambda: "Sandbox ready")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.guide_action.shortcut().toString() == "F1"
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    qtbot.keyClick(main.tab_widget, Qt.Key.Key_F1)
    guide = main.findChild(HelpWindow)
    assert guide is not None and guide.isVisible()
    assert guide.current_key == PAGE_FOR_TAB[main.current_tab_key()]
    main.show_tab("sms")
    main.show_user_guide()
    assert guide.current_key == "send-sms.md" and guide.shown_titles()[0] == "Start here"
    assert show_help(main, REFERENCE_KEY) is guide
    assert guide.current_key == REFERENCE_KEY
    # The branch designer's open design is named in the title while its tab is shown.
    main.set_document_name("main-menu.json")
    assert "main-menu.json" not in main.windowTitle()
    main.show_tab("branch")
    assert main.windowTitle().startswith("main-menu.json \u2014 Voitex Console")
    guide.close()


def test_a_search_the_open_page_does_not_match_shows_the_first_page_that_does(qtbot, window):
    window.show_page(REFERENCE_KEY)
    qtbot.keyClicks(window.search_edit, "keyring")
    assert window.current_key == window.contents.item(0).data(Qt.ItemDataRole.UserRole)
    assert "keyring" in window.browser.toPlainText().casefold()
    assert window.highlighted_count() > 0


def test_the_reference_code_samples_wrap_instead_of_scrolling_sideways(qtbot, window):
    window.resize(960, 680)
    window.show_page(REFERENCE_KEY)
    qtbot.waitUntil(lambda: window.browser.viewport().width() > 0)
    assert window.browser.horizontalScrollBar().maximum() == 0


def test_the_help_window_names_its_controls_and_has_no_alt_letter_twice(window):
    from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls

    assert mnemonic_clashes(window, []) == {}
    assert unnamed_controls(window) == []


def test_screenshots_shrink_to_the_page_width(qtbot, window):
    window.resize(700, 600)
    window.show_page("send-sms.md")
    qtbot.waitUntil(lambda: window.browser.viewport().width() > 0)
    assert "![" not in window.browser.toPlainText()
    assert window.browser.horizontalScrollBar().maximum() == 0


def test_every_tab_has_its_guide_page():
    from console.ui.main_window import TAB_ORDER

    keys = {page.key for page in load_guide_pages()}
    assert set(PAGE_FOR_TAB) == set(TAB_ORDER)
    assert set(PAGE_FOR_TAB.values()) <= keys
