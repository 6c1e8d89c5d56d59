"""Find the files under the project's `resources/` folder.

Every read of a resource (icons, highlighting colours, sample designs) goes
through `resource_path`, so the same code works in the three ways the console
is run:

- a source checkout (and an editable install): `resources/` beside `console/`;
- an installed wheel: the build maps `resources/` into the package as
  `console/_resources` (see setup.py);
- the frozen bundle: PyInstaller unpacks `resources/` into `sys._MEIPASS`
  (see packaging/voitex-console.spec).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_PACKAGE_DIR = Path(__file__).resolve().parent

ICON_NAME = "voitex-console"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


@dataclass(frozen=True)
class ResourcesLocation:
    kind: str  # "bundle", "wheel" or "checkout"
    root: Path


def _candidates() -> list[ResourcesLocation]:
    found: list[ResourcesLocation] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen_root:
        found.append(ResourcesLocation("bundle", Path(frozen_root) / "resources"))
    found.append(ResourcesLocation("wheel", _PACKAGE_DIR / "_resources"))
    # Only a real checkout: an installed package's parent is site-packages,
    # where some other distribution may have left a folder named "resources".
    checkout = _PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        found.append(ResourcesLocation("checkout", checkout / "resources"))
    return found


def locate_resources() -> ResourcesLocation:
    """Which layout the console runs from, and its resources folder."""
    for candidate in _candidates():
        if candidate.root.is_dir():
            return candidate
    looked = ", ".join(str(c.root) for c in _candidates())
    raise FileNotFoundError(
        f"The application's resources folder is missing (looked in {looked}); "
        "reinstall Voitex Console."
    )


def resources_root() -> Path:
    return locate_resources().root


def resource_path(relative: str) -> Path:
    """The path of `relative` (for example "icons/voitex-console.svg")."""
    parts = PurePosixPath(relative)
    if parts.is_absolute() or ".." in parts.parts or not parts.parts:
        raise ValueError(f"Not a path inside the resources folder: {relative!r}")
    root = resources_root()
    path = root.joinpath(*parts.parts)
    if not path.exists():
        raise FileNotFoundError(f"Resource not found: {relative} (in {root})")
    return path


def read_resource_text(relative: str) -> str:
    return resource_path(relative).read_text(encoding="utf-8")


def app_icon_files() -> list[Path]:
    """The application icon: the SVG drawing, then the PNGs from small to large.

    Qt picks the best size from all of them for each place the icon appears
    (title bar, task bar, Alt+Tab), and the PNGs still work where the SVG icon
    engine plugin is missing.
    """
    names = [f"icons/{ICON_NAME}.svg"] + [f"icons/{ICON_NAME}-{size}.png" for size in ICON_SIZES]
    return [resource_path(name) for name in names]
