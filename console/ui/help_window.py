"""The help window: the user guide, task by task, and the provider's API reference,
with contents, search (the matches highlighted), back and forward, and images
fitted to the width. The pages themselves come from help_pages.py."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QTextEdit,
    QWidget,
)

from console.resources import resource_path
from console.ui.help_pages import (
    PAGE_FOR_TAB,
    REFERENCE_KEY,
    START_PAGE,
    HelpPage,
    load_guide_pages,
    load_reference_page,
    matching_pages,
    reference_to_markdown,
)
from console.ui.layout import buddy_label, column, push_button, row, splitter, wrapped_label


class HelpWindow(QWidget):
    """A window of its own with the guide's contents, a search field and the page."""

    def __init__(self, *, pages: list[HelpPage] | None = None, parent: QWidget | None = None,
                 start: str = START_PAGE) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Voitex Console: user guide")
        self.setAccessibleName("User guide")
        self.pages = pages if pages is not None else load_guide_pages() + [load_reference_page()]
        self._by_key = {page.key: page for page in self.pages}
        self.current_key = ""
        self._back: list[str] = []
        self._forward: list[str] = []

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search the guide (Ctrl+F)")
        self.search_edit.setAccessibleName("Search the guide")
        self.search_edit.setClearButtonEnabled(True)
        search_label = buddy_label("&Search:", self.search_edit)
        self.contents = QListWidget()
        self.contents.setAccessibleName("Contents")
        contents_label = buddy_label("&Contents:", self.contents)
        self.no_match = wrapped_label("No page contains these words. Try fewer or other words.",
                                      "Search result")
        self.no_match.hide()

        self.back_button = push_button("\u2190 &Back", "Back to the previous page", "Back (Alt+Left)")
        self.forward_button = push_button("&Forward \u2192", "Forward", "Forward (Alt+Right)")
        self.home_button = push_button("Start &page", "Go to the start page")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Help page")
        self.browser.setOpenLinks(False)
        self.browser.setSearchPaths([str(resource_path("guide"))])
        # A scroll bar that comes and goes with the page's length changes the
        # text's width after it is laid out, and Qt then leaves a needless
        # sideways scroll bar behind.
        self.browser.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

        left = QWidget()
        column(row(search_label, (self.search_edit, 1)), contents_label, (self.contents, 1),
               self.no_match, parent=left, margins=0)
        right = QWidget()
        column(row(self.back_button, self.forward_button, self.home_button, 1), (self.browser, 1),
               parent=right, margins=0)
        column(splitter(Qt.Orientation.Horizontal, (left, 0), (right, 1), sizes=[260, 640]),
               parent=self)

        self.search_edit.textChanged.connect(self.on_search_changed)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self.contents.currentItemChanged.connect(self._on_contents_changed)
        self.browser.anchorClicked.connect(self.on_link_clicked)
        self.back_button.clicked.connect(self.go_back)
        self.forward_button.clicked.connect(self.go_forward)
        self.home_button.clicked.connect(lambda: self.show_page(START_PAGE))
        for keys, slot in (("Ctrl+F", self.focus_search), ("Alt+Left", self.go_back),
                           ("Alt+Right", self.go_forward), ("Escape", self.close),
                           (QKeySequence.StandardKey.Find, self.focus_search)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.search_edit.installEventFilter(self)

        self._fill_contents(self.pages)
        self.resize(960, 680)
        self.show_page(start if start in self._by_key else self.pages[0].key)

    # -- pages ---------------------------------------------------------------
    def show_page(self, key: str, *, remember: bool = True) -> bool:
        page = self._by_key.get(key)
        if page is None:
            return False
        if remember and self.current_key and self.current_key != key:
            self._back.append(self.current_key)
            self._forward.clear()
        self.current_key = key
        self.browser.setMarkdown(page.markdown)
        self.browser.document().setDocumentMargin(12)
        self._fit_images()
        self.setWindowTitle(f"{page.title} \u2014 Voitex Console help")
        self._select_in_contents(key)
        self._highlight(self.search_edit.text())
        self._update_buttons()
        return True

    def _fit_images(self) -> None:
        """Shrink screenshots wider than the page to its width (never enlarge them)."""
        room = max(self.browser.viewport().width() - 40, 120)
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt = fragment.charFormat()
                if fragment.isValid() and fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    natural = document.resource(QTextDocument.ResourceType.ImageResource,
                                                QUrl(image.name()))
                    width = natural.width() if hasattr(natural, "width") else 0
                    if width:
                        shown = min(width, room)
                        image.setWidth(shown)
                        image.setHeight(natural.height() * shown / width)
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(),
                                           QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(image)
                iterator += 1
            block = block.next()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_images()

    def go_back(self) -> None:
        if self._back:
            self._forward.append(self.current_key)
            self.show_page(self._back.pop(), remember=False)

    def go_forward(self) -> None:
        if self._forward:
            self._back.append(self.current_key)
            self.show_page(self._forward.pop(), remember=False)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(bool(self._back))
        self.forward_button.setEnabled(bool(self._forward))

    def on_link_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
            return
        key = url.path().rsplit("/", 1)[-1]
        self.show_page(key)

    # -- contents and search ---------------------------------------------------
    def _fill_contents(self, pages: list[HelpPage]) -> None:
        self.contents.blockSignals(True)
        self.contents.clear()
        for page in pages:
            item = QListWidgetItem(page.title)
            item.setData(Qt.ItemDataRole.UserRole, page.key)
            self.contents.addItem(item)
        self.contents.blockSignals(False)
        self._select_in_contents(self.current_key)

    def _select_in_contents(self, key: str) -> None:
        self.contents.blockSignals(True)
        self.contents.setCurrentRow(-1)
        for index in range(self.contents.count()):
            if self.contents.item(index).data(Qt.ItemDataRole.UserRole) == key:
                self.contents.setCurrentRow(index)
        self.contents.blockSignals(False)

    def shown_titles(self) -> list[str]:
        return [self.contents.item(row).text() for row in range(self.contents.count())]

    def on_search_changed(self, text: str) -> None:
        found = matching_pages(self.pages, text)
        self._fill_contents(found)
        self.no_match.setVisible(not found)
        if found and all(page.key != self.current_key for page in found):
            # The page on screen does not have the words: show the first that does.
            self.show_page(found[0].key)
        else:
            self._highlight(text)

    def _on_search_return(self) -> None:
        if self.contents.count():
            self.show_page(self.contents.item(0).data(Qt.ItemDataRole.UserRole))
            self.contents.setFocus()

    def _on_contents_changed(self, current: QListWidgetItem | None,
                             _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.show_page(current.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down in the search field moves on to the matching pages.
        if (watched is self.search_edit and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.contents.count()):
            self.contents.setFocus()
            if self.contents.currentRow() < 0:
                self.contents.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)

    def _highlight(self, query: str) -> None:
        """Mark the searched words on the page, in the palette's selection colours."""
        selections: list[QTextEdit.ExtraSelection] = []
        fmt = QTextCharFormat()
        fmt.setBackground(self.palette().highlight())
        fmt.setForeground(self.palette().highlightedText())
        document = self.browser.document()
        for word in query.split():
            cursor = document.find(word)
            while not cursor.isNull() and len(selections) < 200:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
                cursor = document.find(word, cursor)
        self.browser.setExtraSelections(selections)
        if selections:
            self.browser.setTextCursor(selections[0].cursor)
            self.browser.ensureCursorVisible()

    def highlighted_count(self) -> int:
        return len(self.browser.extraSelections())


def show_help(parent: QWidget, page: str = START_PAGE) -> HelpWindow:
    """Open the help window on `page`, reusing the one already open for `parent`."""
    window = parent.findChild(HelpWindow)
    if window is None:
        window = HelpWindow(parent=parent, start=page)
    else:
        window.show_page(page)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


# The pages' names are here too, for the main window (F1 and the Help menu).
__all__ = ["PAGE_FOR_TAB", "HelpPage", "HelpWindow", "REFERENCE_KEY", "START_PAGE", "load_guide_pages",
           "load_reference_page", "matching_pages", "reference_to_markdown", "show_help"]
