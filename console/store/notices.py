"""What start-up found wrong, collected in one place and told to the user once.

Every loader of a state file (profiles, drafts, window settings, the History
database, the upload queue, the sandbox's state, the branch tester's settings)
reports a damaged file here instead of showing its own message, so the window
can list them all together after it opens: which file, where the damaged copy
was kept, and what was saved from it. Other start-up notices (requests of
unknown outcome, no keyring) come through the message bridge, which keeps
them until the window can show them.

No Qt here: the stores report to it without knowing about windows.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DamagedFile:
    """One state file that could not be read as it was.

    `what` names the file for the user ("Your profiles"), `problem` says what
    was wrong in words ("it ends too early, at line 3"), `kept_as` is where the
    damaged copy was kept (None when it could not be moved and stays at
    `path`), `saved` what was salvaged ("2 of 3 profiles", "nothing: the
    defaults are used").
    """

    path: Path
    what: str
    problem: str
    saved: str
    kept_as: Path | None = None

    def text(self) -> str:
        """One paragraph for the user."""
        if self.kept_as is not None and self.kept_as != self.path:
            kept = f"The damaged copy was kept as {self.kept_as}."
        else:
            kept = f"The damaged file is still at {self.path}."
        problem = self.problem.rstrip(".")
        return (f"{self.what} ({self.path.name}): {problem}. Saved from it: {self.saved}. {kept}")


class Notices:
    """Collects damaged files reported while the console starts.

    `damaged_file(...)` records one; `subscribe(callback)` is called for each
    later one (the window, once open, shows late reports too). Each report is
    also logged, so the log file tells the same story.
    """

    def __init__(self) -> None:
        self._damaged: list[DamagedFile] = []
        self._listeners: list[Callable[[DamagedFile], None]] = []

    def damaged_file(self, *, path: Path | str, what: str, problem: str, saved: str,
                     kept_as: Path | str | None = None) -> DamagedFile:
        notice = DamagedFile(path=Path(path), what=what, problem=problem, saved=saved,
                             kept_as=Path(kept_as) if kept_as is not None else None)
        self.add(notice)
        return notice

    def add(self, notice: DamagedFile) -> None:
        self._damaged.append(notice)
        log.warning("damaged state file: %s", notice.text())
        for listener in list(self._listeners):
            listener(notice)

    def damaged(self) -> list[DamagedFile]:
        return list(self._damaged)

    def about(self, path: Path | str) -> list[DamagedFile]:
        """The reports about one file (tests and the window use it)."""
        path = Path(path)
        return [n for n in self._damaged if n.path == path]

    def subscribe(self, listener: Callable[[DamagedFile], None]) -> None:
        self._listeners.append(listener)

    def __len__(self) -> int:
        return len(self._damaged)

    def __bool__(self) -> bool:
        return True  # an empty collector is still a collector (`notices or Notices()` traps)


def set_aside(path: Path | str, *, keep: bool = False) -> Path | None:
    """Move a damaged file to `<name>.broken-<stamp>` beside it; the new name, or None.

    `keep=True` copies instead of moving, for a file the caller still reads
    from. None when the file could not be moved (it then stays where it was).
    """
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.broken-{stamp}")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.name}.broken-{stamp}-{counter}")
    try:
        if keep:
            backup.write_bytes(path.read_bytes())
        else:
            os.replace(path, backup)
    except OSError as err:
        log.warning("could not set %s aside: %s", path, err)
        return None
    return backup


def json_problem(error: Exception, text: str | None = None) -> str:
    """What is wrong with a JSON file, in words ("it ends too early, at line 3")."""
    import json

    if isinstance(error, UnicodeDecodeError):
        return "it is not text (it holds bytes that are not UTF-8)"
    if isinstance(error, json.JSONDecodeError):
        doc = error.doc or ""
        # An unterminated string runs to the end of the text: cut off too.
        if not doc[error.pos:].strip() or error.msg.startswith("Unterminated string"):
            last_line = doc.rstrip().count("\n") + 1
            return f"the file ends too early at line {last_line} (it was cut off)"
        return f"it is not valid JSON (line {error.lineno}, column {error.colno})"
    if isinstance(error, RecursionError):
        return "it is nested too deeply to read"
    return f"its contents are damaged ({error})"


def join_names(names: list[str]) -> str:
    """'the SMS and Calls drafts' style lists: 'A', 'A and B', 'A, B and C'."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
