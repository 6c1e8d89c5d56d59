"""Make PySide6's look at every imported module cheap, before the first paint.

Once PySide6 is imported, its `__feature__` support (`from __feature__ import
snake_case`) runs a Python callback on every import statement: the first time
it sees a module it calls `inspect.getsource(module)` and remembers whether the
text holds "PySide6". That fills `linecache` with the source of every module
imported after PySide6, stdlib included, and keeps it: about 7 MiB of resident
memory at the first paint (bench/startup.py), for a question a byte search answers.

`make_cheap()` swaps the callback's helper for one that reads the file's bytes
and searches them, with the same answer (a module whose text names PySide6
may use `__feature__`), and leaves nothing in `linecache`. Modules without a
`.py` file go to PySide6's own helper. A PySide6 without that helper (another
version) is left as it is.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the import hook this module adjusts)

FEATURE_MODULE = "shibokensupport.feature"
HELPER = "_mod_uses_pyside"
MARK = b"PySide6"
# Our helper -> the PySide6 helper it replaced.
REPLACED: dict[Callable[[ModuleType], bool], Callable[[ModuleType], bool]] = {}


def source_names_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """What PySide6's helper answers ("PySide6" in the module's text), from the file's bytes."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return fallback(module)
    try:
        with open(path, "rb") as source:
            return MARK in source.read()
    except OSError:
        return fallback(module)


def make_cheap() -> bool:
    """Replace the helper (once); True if this PySide6 has the helper to replace."""
    feature = sys.modules.get(FEATURE_MODULE)
    original = getattr(feature, HELPER, None)
    if feature is None or not callable(original):
        return False
    if original in REPLACED:
        return True  # already replaced

    def uses_pyside(module: ModuleType) -> bool:
        return source_names_pyside(module, original)

    REPLACED[uses_pyside] = original
    setattr(feature, HELPER, uses_pyside)
    return True
