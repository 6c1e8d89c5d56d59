"""The About text: versions and the folders, as plain text a user can paste."""
from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import qVersion

from console import __version__
from console.about import about_text
from console.store.paths import app_paths


def test_names_the_versions_of_the_console_qt_pyside_and_python():
    lines = about_text().splitlines()
    assert lines[0] == f"Voitex Console {__version__}"
    assert f"Qt {qVersion()} (PySide6 {PySide6.__version__})" in lines
    assert any(line.startswith(f"Python {platform.python_version()}") for line in lines)


def test_names_the_configuration_data_and_log_folders(app_home):
    paths = app_paths()
    lines = about_text().splitlines()
    assert f"Configuration folder: {paths.config_dir}" in lines
    assert f"Data folder: {paths.data_dir}" in lines
    assert any(line.startswith(f"Log folder: {paths.log_dir}") for line in lines)
    # The folders come from VOITEX_CONSOLE_HOME, as everywhere else.
    assert str(app_home / "config") in about_text()


def test_is_plain_text_without_markup():
    text = about_text()
    assert "<" not in text and ">" not in text and "&" not in text
