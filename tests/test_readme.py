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


def documentation_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md")),
            *sorted((ROOT / "resources" / "guide").glob("*.md"))]


def test_the_readme_and_docs_stand_alone():
    for path in documentation_files():
        text = path.read_text(encoding="utf-8")
        assert "/work/shared" not in text and "../shared" not in text, path.name


def test_files_the_readme_and_docs_name_exist():
    # The README is short and points into the guide and docs/ for the rest:
    # every file it or docs/ names there must be there.
    named = re.compile(r"(?<![\w/.-])((?:docs|resources/guide|resources/reference)/[\w./-]+\.(?:md|txt|json))")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in named.findall(path.read_text(encoding="utf-8")):
            assert (ROOT / target).is_file(), f"{path.name} names missing {target}"


def test_the_readme_points_into_the_guide_and_the_design():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("resources/guide/start-here.md", "resources/guide/office-database.md",
                   "resources/guide/proxy.md", "docs/design.md", "docs/testing.md"):
        assert target in text, target


def readme_headings() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}


def test_sections_the_code_cites_are_in_the_readme():
    # Messages and docstrings send people to a README section by name.
    cited = re.compile(r'(?:see the README|README\.md),\s*\\?"([^"\\]+)\\?"')
    found = []
    for path in sorted((ROOT / "console").rglob("*.py")):
        text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        found += [(path.name, section) for section in cited.findall(text)]
    assert found, "the pattern finds the citations the code has"
    assert [(name, s) for name, s in found if s not in readme_headings()] == []
