"""PySide6's look at each imported module, made cheap (console/ui/pyside_import_scan.py):
the same answer as PySide6's own helper, and no module source left in linecache."""
from __future__ import annotations

import importlib
import linecache
import sys

from console.ui import pyside_import_scan


def import_fresh(tmp_path, monkeypatch, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    module = __import__(name)  # through the hook PySide6 puts on __import__
    monkeypatch.delitem(sys.modules, name)
    return module, str(path)


def test_modules_are_told_apart_as_pyside6_does_without_filling_linecache(tmp_path, monkeypatch):
    assert pyside_import_scan.make_cheap()
    assert pyside_import_scan.make_cheap()  # twice: replaced once
    feature = sys.modules[pyside_import_scan.FEATURE_MODULE]
    helper = getattr(feature, pyside_import_scan.HELPER)
    assert helper in pyside_import_scan.REPLACED
    plain, plain_path = import_fresh(tmp_path, monkeypatch, "voitex_scan_plain", "VALUE = 1\n")
    qt, qt_path = import_fresh(tmp_path, monkeypatch, "voitex_scan_qt",
                               "from PySide6.QtCore import QObject\nVALUE = QObject\n")
    assert feature.pyside_feature_dict["voitex_scan_plain"] == -1  # PySide6: "ignore this module"
    assert feature.pyside_feature_dict["voitex_scan_qt"] == 0
    assert plain_path not in linecache.cache and qt_path not in linecache.cache
    original = pyside_import_scan.REPLACED[helper]
    assert original(plain) is False and original(qt) is True  # what PySide6's own helper says


def test_a_module_without_a_source_file_goes_to_pyside6s_helper():
    asked = []
    builtin = sys.modules["sys"]
    assert pyside_import_scan.source_names_pyside(builtin, lambda m: asked.append(m) or False) is False
    assert asked == [builtin]
