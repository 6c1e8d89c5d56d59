"""The type checker's place in CI and its reach (pyproject.toml [tool.mypy])."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT_LAYERS = ["console/api", "console/domain", "console/branch", "console/store", "console/jobs"]
# Brought under strict by issue 23 (part 1); the list only grows until it is all of console/.
STRICT_TOO = ["console/sandbox", "console/embedded_sandbox.py", "console/ui/branch",
              "console/ui/branch_tab.py", "console/ui/tts_tab.py", "console/ui/widgets.py",
              "console/ui/dialogs.py", "console/ui/profiles_dialog.py",
              "console/ui/connection_panel.py", "console/ui/crash_dialog.py",
              "console/ui/help_window.py"]


def mypy_config() -> dict[str, object]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["mypy"]


def test_the_layers_below_the_ui_are_checked_strictly():
    config = mypy_config()
    assert config["strict"] is True
    files = config["files"]
    assert isinstance(files, list)
    assert [f for f in files if f in STRICT_LAYERS] == STRICT_LAYERS
    assert set(STRICT_TOO) <= set(files)
    assert all((ROOT / f).exists() for f in files), "a checked path that is gone checks nothing"
    assert config["python_version"] == "3.11"
    # Missing stubs are installed (types-*), not silenced wholesale.
    assert "ignore_missing_imports" not in config


def test_ci_type_checks_before_the_tests_and_fails_on_findings():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script  # a finding (exit status 1) stops the run
    lines = [line.strip() for line in script.splitlines()]
    assert ".venv/bin/mypy" in lines  # bare: no "|| true", no relaxed flags
    assert lines.index(".venv/bin/mypy") < next(
        i for i, line in enumerate(lines) if "-m pytest" in line)


def test_the_checker_is_part_of_the_test_extra():
    with open(ROOT / "pyproject.toml", "rb") as f:
        test_extra = tomllib.load(f)["project"]["optional-dependencies"]["test"]
    assert any(req.startswith("mypy") for req in test_extra)
