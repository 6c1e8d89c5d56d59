"""A read-only JSON view with syntax colours that updates cheaply as you type.

`JsonPreview.set_json` replaces only the part of the text that changed, so the
highlighter re-colours a few lines per keystroke instead of the whole
document (see bench/branch_preview.py).
"""
from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from console.resources import read_resource_text

# Punctuation is not matched: it keeps the view's text colour (set to the
# scheme's punctuation colour), which halves the formatting calls per line.
_TOKENS = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*"?)(?P<colon>\s*:)?'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
)


Scheme = dict[str, dict[str, Any]]  # token kind -> {"color": "#rrggbb", "bold": bool}


def _load_scheme(dark: bool) -> Scheme:
    schemes: dict[str, Scheme] = json.loads(read_resource_text("branch/highlight.json"))
    return schemes["dark" if dark else "light"]


def _load_formats(scheme: Scheme) -> dict[str, QTextCharFormat]:
    formats = {}
    for name, spec in scheme.items():
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(spec["color"]))
        if spec.get("bold"):
            fmt.setFontWeight(QFont.Weight.Bold)
        formats[name] = fmt
    return formats


class JsonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, *, scheme: Scheme) -> None:
        super().__init__(document)
        self.formats = _load_formats(scheme)

    def highlightBlock(self, text: str) -> None:
        formats = self.formats
        for match in _TOKENS.finditer(text):
            kind = match.lastgroup
            if kind is None:
                continue
            if kind == "colon" or match.group("string") is not None:
                string_start, string_end = match.span("string")
                name = "key" if match.group("colon") else "string"
                self.setFormat(string_start, string_end - string_start, formats[name])
            else:
                start, end = match.span()
                self.setFormat(start, end - start, formats[kind])


def _common_prefix(a: str, b: str) -> int:
    # Binary search over slice comparisons: string equality runs in C.
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:] == b[len(b) - middle:]:
            low = middle
        else:
            high = middle - 1
    return low


def _utf16_length(text: str) -> int:
    # QTextDocument positions count UTF-16 units; characters beyond U+FFFF take two.
    return len(text.encode("utf-16-le")) // 2 if not text.isascii() else len(text)


class JsonPreview(QPlainTextEdit):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setAccessibleName(accessible_name)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        scheme = _load_scheme(dark)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Text, QColor(scheme["punctuation"]["color"]))
        self.setPalette(palette)
        self.highlighter = JsonHighlighter(self.document(), scheme=scheme)
        self._text = ""

    def text(self) -> str:
        return self._text

    def set_json(self, text: str) -> None:
        old = self._text
        if text == old:
            return
        prefix = _common_prefix(old, text)
        suffix = _common_suffix(old, text, min(len(old), len(text)) - prefix)
        cursor = QTextCursor(self.document())
        start = _utf16_length(old[:prefix])
        cursor.setPosition(start)
        cursor.setPosition(start + _utf16_length(old[prefix:len(old) - suffix]),
                           QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text[prefix:len(text) - suffix])
        self._text = text
