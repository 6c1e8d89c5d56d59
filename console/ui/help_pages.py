"""The help's pages, without Qt: the user guide's Markdown files in
`resources/guide/` (in the order of `resources/guide/index.json`; pages link to
each other by file name), the provider's API reference with its `|` tables turned
into Markdown tables (`reference_to_markdown`), and the search over them."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from console.resources import read_resource_text

REFERENCE_KEY = "api-reference"
REFERENCE_TITLE = "Voitex API reference (for programmers)"
START_PAGE = "start-here.md"
# F1 opens the page about the tab in front (the main window's tab keys).
PAGE_FOR_TAB = {"recordings": "upload-recordings.md", "tts": "create-tts.md",
                "sms": "send-sms.md", "calls": "place-call.md", "broadcast": "broadcast.md",
                "branch": "branch-design-test.md", "history": "history.md",
                "library": "library.md"}

# Lines of the provider's page that are section titles: the API names, then the
# parts each API is described in.
_API_TITLES = ("API Branch", "Client-Side APIs", "Upload Recording API", "Create TTS",
               "Notification Call", "Send SMS")
_PART_TITLES = ("Overview", "Authentication", "Endpoint", "Request Parameters",
                "Response Parameters", "Request Code Sample", "Response Code Sample")


@dataclass(frozen=True)
class HelpPage:
    key: str  # the file name in resources/guide/, or REFERENCE_KEY
    title: str
    markdown: str

    def searchable(self) -> str:
        return (self.title + "\n" + _plain(self.markdown)).casefold()


def _plain(markdown: str) -> str:
    """The words of a Markdown page, without link targets and markup."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`#|>]", " ", text)


def matching_pages(pages: list[HelpPage], query: str) -> list[HelpPage]:
    """The pages containing every word of `query` (any letter case), in order."""
    words = query.casefold().split()
    return [page for page in pages if all(word in page.searchable() for word in words)]


def load_guide_pages() -> list[HelpPage]:
    index = json.loads(read_resource_text("guide/index.json"))
    return [HelpPage(entry["file"], entry["title"], read_resource_text(f"guide/{entry['file']}"))
            for entry in index["pages"]]


def load_reference_page() -> HelpPage:
    text = read_resource_text("reference/voitex-api-docs.txt")
    return HelpPage(REFERENCE_KEY, REFERENCE_TITLE, reference_to_markdown(text))


def _table_header(line: str) -> list[str] | None:
    """The column names when `line` starts a table ("Parameter | Description |")."""
    stripped = line.strip()
    if not stripped.endswith("|") or stripped.count("|") < 2:
        return None
    cells = [cell.strip() for cell in stripped[:-1].split("|")]
    if cells and cells[0] == "Parameter" and all(cells):
        return cells
    return None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def reference_to_markdown(text: str) -> str:
    """The provider's API page as Markdown, with its `|` tables as real tables.

    In the provider's text a table starts with a header line such as
    ``Parameter | Description | Required |``; then each cell ends at a `|`, and
    a cell may run over several lines (``album_number |`` / ``The album ...`` /
    ``|``). The table ends at the first line without a `|` where a new row
    would begin.
    """
    out: list[str] = []
    lines = text.splitlines()
    index = 0
    code_block = False

    def close_code() -> None:
        nonlocal code_block
        code_block = False

    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        header = _table_header(line)
        if header is not None:
            close_code()
            columns = len(header)
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + " --- |" * columns)
            index += 1
            row: list[str] = []
            pending: list[str] = []
            while index < len(lines):
                current = lines[index]
                if "|" not in current and not row and not pending:
                    break  # the table is over
                pieces = current.split("|")
                for position, piece in enumerate(pieces):
                    if piece.strip():
                        pending.append(piece.strip())
                    if position < len(pieces) - 1:  # a "|" ends the cell
                        row.append(_cell(" ".join(pending)))
                        pending = []
                        if len(row) == columns:
                            out.append("| " + " | ".join(row) + " |")
                            row = []
                index += 1
            if row or pending:
                row.append(_cell(" ".join(pending)))
                row += [""] * (columns - len(row))
                out.append("| " + " | ".join(row[:columns]) + " |")
            out.append("")
            continue
        if index == 0 and stripped == "API Docs":
            out += ["# Voitex API reference", ""]
        elif stripped in _API_TITLES:
            close_code()
            out += [f"## {stripped}", ""]
        elif stripped in _PART_TITLES:
            close_code()
            out += [f"### {stripped}", ""]
            if stripped.endswith("Code Sample"):
                code_block = True
        elif code_block:
            # Inline code, one paragraph a line: a fenced block would not wrap,
            # and the samples are single long lines.
            if stripped:
                out += [f"`{stripped}`", ""]
        elif stripped:
            previous = out[-2] if len(out) >= 2 and out[-1] == "" else ""
            if (previous and previous[:1].isalnum() and stripped[:1].islower()
                    and not previous.endswith((".", ":", "!", "?", "}"))):
                out[-2] = f"{previous} {stripped}"  # a sentence wrapped onto the next line
            else:
                out += [stripped, ""]
        index += 1
    close_code()
    return "\n".join(out).rstrip() + "\n"
