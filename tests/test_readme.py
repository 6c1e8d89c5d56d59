"""The README's promises that CI depends on."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)


def test_ci_runs_the_readmes_test_command():
    test_command = [c for c in readme_commands() if "pytest" in c]
    assert len(test_command) == 1
    assert test_command[0] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_lists_the_debian_packages_ci_installs():
    listed = [line.strip() for line in
              (ROOT / ".ci" / "debian-packages.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    [apt] = [c for c in readme_commands() if c.startswith("apt-get install")]
    assert apt.split()[4:] == listed


def test_run_command_starts_the_installed_console():
    [run] = [c for c in readme_commands() if c.endswith("voitex-console")]
    assert "pip install -e ." in run
