"""The window's own state files: the tabs' drafts and the window settings.

Each tab's draft is restored on its own, so one damaged draft (`{"sms": null}`,
a field of the wrong kind, a file cut off half-way) costs that draft and no
other, and never stops the console from starting. A damaged file is kept
aside as `<name>.broken-<stamp>` before the window writes a new one at close,
and reported to the start-up notices.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from console.store.files import atomic_write
from console.store.notices import Notices, join_names, set_aside
from console.store.salvage import read_json_file

log = logging.getLogger(__name__)

DRAFT_TITLES = {"recordings": "Recordings", "tts": "Text to speech", "sms": "SMS",
                "calls": "Calls", "branch": "Branch designer", "history": "History"}


def _same_kind(value: Any, default: Any) -> bool:
    if default is None:  # a combo box's current data: a number, or None when empty
        return value is None or isinstance(value, (str, int)) and not isinstance(value, bool)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def restore_one(tab: Any, value: Any) -> str:
    """Restore one tab's draft: "whole", "part" (fields of the wrong kind left
    out) or "none" (nothing usable; the tab keeps its empty form)."""
    empty = tab.draft()
    if not isinstance(value, dict):
        return "none"
    if isinstance(empty, dict):
        usable = {k: v for k, v in value.items() if k in empty and _same_kind(v, empty[k])}
        dropped = [k for k in value if k in empty and k not in usable]
    else:
        usable, dropped = value, []
    try:
        tab.restore_draft(usable)
    except Exception:  # whatever a file holds must not stop the console starting
        log.exception("a tab's draft could not be restored")
        try:
            tab.restore_draft(empty)
        except Exception:
            log.exception("a tab's empty draft could not be restored either")
        return "none"
    # A tab with parts of its own (the branch designer) lists the parts it could not use.
    return "part" if dropped or getattr(tab, "draft_problems", None) else "whole"


def _drafts_words(names: list[str]) -> str:
    return f"the {join_names(names)} draft{'s' if len(names) > 1 else ''}"


class SavedDrafts:
    """drafts.json: read at start, each draft restored when its tab is first built.

    Damage to the file itself (cut off, not JSON, a draft that is not an
    object) is reported at start; a draft with fields of the wrong kind when its
    tab is built, since only the tab knows its fields.
    """

    def __init__(self, path: Path, notices: Notices | None) -> None:
        self.path = Path(path)
        self.notices = notices
        self.kept_as: Path | None = None  # where a damaged copy went, once set aside

    def load(self) -> dict[str, Any]:
        reading = read_json_file(self.path, open_levels=1)
        if not reading.exists:
            return {}
        found = reading.value if isinstance(reading.value, dict) else {}
        drafts = {key: value for key, value in found.items() if isinstance(value, dict)}
        lost = [DRAFT_TITLES.get(key, str(key)) for key in found if key not in drafts]
        problem = reading.problem
        if problem is None and not isinstance(reading.value, dict):
            problem = "it does not hold drafts"
        if problem is None and lost:
            problem = f"{_drafts_words(lost)} held values of the wrong kind"
        if problem is None:
            return drafts
        names = [DRAFT_TITLES.get(key, key) for key in drafts]
        saved = _drafts_words(names) if names else "no draft"
        if lost:
            saved += f"; lost: {_drafts_words(lost)}"
        if reading.damaged:
            saved += "; anything after the damage could not be read"
        self._report(problem, saved)
        if self.kept_as is not None:
            # What was saved is written back at once: a crash before the window
            # closes must not lose it too.
            self.save(drafts)
        return drafts

    def restore(self, key: str, tab: Any, draft: Any) -> str:
        """Put `draft` into `tab`; "whole", "part" or "none" (reported)."""
        outcome = restore_one(tab, draft)
        if outcome != "whole":
            title = DRAFT_TITLES.get(key, key)
            saved = (f"{_drafts_words([title])} in part (what could not be used was left empty)"
                     if outcome == "part" else "nothing of that draft")
            self._report(f"{_drafts_words([title])} held values of the wrong kind", saved)
        return outcome

    def save(self, drafts: dict[str, Any]) -> None:
        try:
            with atomic_write(self.path, "w", encoding="utf-8") as handle:
                json.dump(drafts, handle, indent=1)
        except OSError as err:  # a full disk must not stop the window from closing
            log.warning("the drafts could not be saved: %s", err)

    def _report(self, problem: str, saved: str) -> None:
        if self.kept_as is None and self.path.exists():
            # Copied: the file is rewritten with what was saved, now or at close.
            self.kept_as = set_aside(self.path, keep=True)
        if self.notices is not None:
            self.notices.damaged_file(path=self.path, what="Your unsent drafts",
                                      problem=problem, saved=saved, kept_as=self.kept_as)


@dataclass
class WindowSettings:
    geometry: QByteArray | None = None
    window_state: QByteArray | None = None
    last_tab: str | None = None


# (key in window.ini, WindowSettings attribute, the value's type)
SETTINGS_KEYS: tuple[tuple[str, str, type], ...] = (
    ("geometry", "geometry", QByteArray),
    ("windowState", "window_state", QByteArray),
    ("lastTab", "last_tab", str),
)


def write_window_settings(path: Path, saved: WindowSettings) -> None:
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    for key, attribute, _kind in SETTINGS_KEYS:
        settings.setValue(key, getattr(saved, attribute))
    settings.sync()


def read_window_settings(path: Path, notices: Notices | None) -> WindowSettings:
    """The saved geometry, toolbar state and last tab; defaults for anything damaged."""
    if not path.exists():
        return WindowSettings()
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    result = WindowSettings()
    wrong: list[str] = []
    for key, attribute, kind in SETTINGS_KEYS:
        try:
            value = settings.value(key)
        except Exception:  # a value Qt cannot turn into a Python object
            value, ok = None, False
        else:
            ok = value is None or isinstance(value, kind)
        if ok:
            setattr(result, attribute, value)
        else:
            wrong.append(key)
    status = settings.status()
    del settings
    if status == QSettings.Status.NoError and not wrong:
        return result
    if status == QSettings.Status.FormatError:
        problem = "it is not a settings file any more"
    elif status == QSettings.Status.AccessError:
        problem = "it could not be read"
    else:
        problem = "some settings in it hold values of the wrong kind (" + ", ".join(wrong) + ")"
    if status != QSettings.Status.NoError:
        result = WindowSettings()
    names = {"geometry": "the window's size and position", "window_state": "the toolbars",
             "last_tab": "the last tab"}
    kept = [names[a] for a in ("geometry", "window_state", "last_tab")
            if getattr(result, a) is not None]
    saved = join_names(kept) if kept else "nothing: the window opens at its usual size"
    kept_as = set_aside(path)
    if notices is not None:
        notices.damaged_file(path=path, what="The window settings", problem=problem,
                             saved=saved, kept_as=kept_as)
    return result
