"""The start-up notice: one dialog, shown once after the window opens, listing
every damaged state file (where its copy is, what was saved from it) and every
other message posted while the console started (requests of unknown outcome,
no keyring, a restored queue), instead of the last status-bar line."""
from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from console.store.notices import DamagedFile
from console.ui.messages import Level, MessageBridge

_LEVEL_WORDS = {Level.INFO: "Note", Level.WARNING: "Warning", Level.ERROR: "Problem"}


def notices_html(damaged: list[DamagedFile], messages: list[tuple[Level, str]]) -> str:
    parts: list[str] = []
    if damaged:
        parts.append("<h3>Damaged files</h3><p>The console started with what could be "
                     "read from them. Nothing else needs doing; keep the damaged copies "
                     "if you want to look at them later.</p><ul>")
        for notice in damaged:
            kept = (f"The damaged copy was kept as <code>{html.escape(str(notice.kept_as))}"
                    "</code>." if notice.kept_as is not None and notice.kept_as != notice.path
                    else f"The damaged file is still at <code>{html.escape(str(notice.path))}"
                    "</code>.")
            parts.append(
                f"<li><b>{html.escape(notice.what)}</b> ({html.escape(notice.path.name)}): "
                f"{html.escape(notice.problem)}.<br>Saved from it: {html.escape(notice.saved)}."
                f"<br>{kept}</li>")
        parts.append("</ul>")
    if messages:
        parts.append("<h3>Messages from the start</h3><ul>")
        for level, text in messages:
            parts.append(f"<li><b>{_LEVEL_WORDS[Level(level)]}:</b> {html.escape(text)}</li>")
        parts.append("</ul>")
    return "".join(parts)


class StartupNoticesDialog(QDialog):
    def __init__(self, damaged: list[DamagedFile], messages: list[tuple[Level, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.damaged = list(damaged)
        self.messages = list(messages)
        self.setWindowTitle("While starting, the console found…")
        self.setAccessibleName("Start-up notices")
        count = len(self.damaged) + len(self.messages)
        heading = QLabel(f"Please read {'this' if count == 1 else f'these {count} things'} "
                         "before you go on.")
        heading.setWordWrap(True)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Start-up notices list")
        self.browser.setOpenLinks(False)
        self.browser.setHtml(notices_html(self.damaged, self.messages))
        heading.setBuddy(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Understood")
        ok.setAccessibleName("Understood")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(720, 520)

    def text(self) -> str:
        return self.browser.toPlainText()

    def add_message(self, level: str, text: str) -> None:
        """A warning that arrives while the notice is still open (the key read
        at start, a damaged file found late) joins the list instead of the
        status bar alone."""
        if Level(level) == Level.INFO or not self.isVisible():
            return
        self.messages.append((Level(level), text))
        self.browser.setHtml(notices_html(self.damaged, self.messages))


def show_startup_notices(parent: QWidget, messages: MessageBridge) -> StartupNoticesDialog | None:
    """Open the start-up notice if there is anything worth a look; once.

    Files found damaged later (a tab opened after start) are posted as
    warnings, so they reach the user too.
    """
    if messages.delivered:
        return None
    backlog = messages.deliver_backlog()
    damaged = messages.notices.damaged()
    # Into the window's message log too, to be read again after the notice is closed.
    for notice in damaged:
        messages.warning(notice.text())
    messages.notices.subscribe(lambda notice: messages.warning(notice.text()))
    if not damaged and not any(level != Level.INFO for level, _text in backlog):
        return None
    dialog = StartupNoticesDialog(damaged, backlog, parent)
    messages.posted.connect(dialog.add_message)
    dialog.open()
    return dialog
