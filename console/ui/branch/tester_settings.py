"""The endpoint tester's remembered settings (branch-tester.json): the last
endpoint, the time budget and "send the next request at once".

Only convenience lives here, so a damaged file costs at most its damaged
fields: the rest is used, the file is kept aside, and the start-up notice
says so.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

from console.store.files import atomic_write
from console.store.notices import Notices, join_names, set_aside
from console.store.salvage import read_json_file

log = logging.getLogger(__name__)

BUDGET_RANGE_S = (0.1, 30.0)
_NAMES = {"endpoint_url": "the endpoint address", "budget_s": "the time budget",
          "walk_sends": "\u201csend the next request at once\u201d"}


def _usable(key: str, value: Any) -> bool:
    if key == "endpoint_url":
        return isinstance(value, str) and len(value) < 4096
    if key == "budget_s":
        # The range first: a huge whole number cannot even be turned into a float.
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and BUDGET_RANGE_S[0] <= value <= BUDGET_RANGE_S[1] and math.isfinite(value))
    return isinstance(value, bool)


def read_tester_settings(path: Path, notices: Notices | None = None) -> dict[str, Any]:
    """The usable settings from `path` (missing keys keep the panel's defaults)."""
    reading = read_json_file(path, open_levels=1)
    if not reading.exists:
        return {}
    data = reading.value if isinstance(reading.value, dict) else {}
    settings = {key: data[key] for key in _NAMES if key in data and _usable(key, data[key])}
    if isinstance(settings.get("budget_s"), int):
        settings["budget_s"] = float(settings["budget_s"])
    wrong = [_NAMES[key] for key in _NAMES if key in data and key not in settings]
    # The first that holds: the file unreadable, not an object, or a value of the wrong kind.
    problem = next((text for text in (
        reading.problem,
        None if isinstance(reading.value, dict) else "it does not hold the tester's settings",
        f"{join_names(wrong)} held a value of the wrong kind" if wrong else None,
    ) if text is not None), None)
    if problem is None:
        return settings
    saved = join_names([_NAMES[k] for k in settings]) or "nothing: the usual settings are used"
    kept_as = set_aside(path)
    log.warning("the branch tester settings %s are damaged (%s)", path, problem)
    if notices is not None:
        notices.damaged_file(path=path, what="The branch tester's settings", problem=problem,
                             saved=saved, kept_as=kept_as)
    return settings


def write_tester_settings(path: Path, data: dict[str, Any]) -> None:
    try:
        with atomic_write(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
    except OSError as error:
        log.warning("Could not save the branch tester settings: %s", error)
