"""Find the files under the project's `resources/` folder.

Every read of a resource (icons, highlighting colours, sample designs) goes
through `resource_path`, so the same code works from a source checkout, an
installed wheel and a frozen bundle.
"""
from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidate_roots() -> list[Path]:
    roots: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        roots.append(Path(frozen_root) / "resources")
    # Installed wheels carry the folder inside the package (see pyproject).
    roots.append(_PACKAGE_DIR / "_resources")
    # A source checkout (including an editable install) has it beside the package.
    roots.append(_PACKAGE_DIR.parent / "resources")
    return roots


def resources_root() -> Path:
    for root in _candidate_roots():
        if root.is_dir():
            return root
    raise FileNotFoundError(
        "The application's resources folder is missing; reinstall Voitex Console."
    )


def resource_path(relative: str) -> Path:
    """The path of `relative` (for example "icons/voitex-console.svg")."""
    path = resources_root() / relative
    if not path.exists():
        raise FileNotFoundError(f"Resource not found: {relative}")
    return path


def read_resource_text(relative: str) -> str:
    return resource_path(relative).read_text(encoding="utf-8")
