"""The type checker's place in CI and its reach (pyproject.toml [tool.mypy])."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Issue 23: the whole package, the user interface and the wiring included.
STRICT = ["console"]


def mypy_config() -> dict[str, object]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["mypy"]


def test_the_whole_package_is_checked_strictly():
    config = mypy_config()
    assert config["strict"] is True
    assert config["files"] == STRICT
    assert all((ROOT / f).exists() for f in config["files"]), "a checked path that is gone checks nothing"
    assert config["python_version"] == "3.11"
    # Missing stubs are installed (types-*), not silenced wholesale; no module is let off.
    assert "ignore_missing_imports" not in config
    assert "overrides" not in config
    assert "ignore-without-code" in config["enable_error_code"]


def test_every_type_ignore_names_its_code_and_says_why():
    for path in sorted((ROOT / "console").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if "# type: ignore" not in line:
                continue
            where = f"{path.relative_to(ROOT)}:{number}"
            assert "# type: ignore[" in line, f"{where}: a bare type: ignore"
            said = line.split("# type: ignore[", 1)[1].split("]", 1)[1].strip()
            above = lines[number - 2].strip() if number > 1 else ""
            assert said.startswith("#") or above.startswith("#"), f"{where}: say why beside it"


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
