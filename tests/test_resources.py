"""console.resources from a source checkout, from the layout a wheel installs, and frozen."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console import resources
from console.resources import (
    ICON_SIZES,
    app_icon_files,
    locate_resources,
    read_resource_text,
    resource_path,
    resources_root,
)

REPO = Path(__file__).resolve().parent.parent


def test_a_checkout_reads_the_top_level_resources_folder():
    location = locate_resources()
    assert location.kind == "checkout"
    assert location.root == REPO / "resources"
    assert resources_root() == REPO / "resources"
    svg = resource_path("icons/voitex-console.svg")
    assert svg == REPO / "resources" / "icons" / "voitex-console.svg"
    assert "<svg" in read_resource_text("icons/voitex-console.svg")


def test_app_icon_files_are_the_svg_then_every_png_size():
    files = app_icon_files()
    assert [f.name for f in files] == ["voitex-console.svg"] + [
        f"voitex-console-{size}.png" for size in ICON_SIZES
    ]
    assert all(f.is_file() for f in files)


def test_a_missing_resource_names_itself():
    with pytest.raises(FileNotFoundError, match="icons/no-such-icon.png"):
        resource_path("icons/no-such-icon.png")


@pytest.mark.parametrize("relative", ["../pyproject.toml", "/etc/passwd", "icons/../../README.md", ""])
def test_paths_outside_the_resources_folder_are_refused(relative):
    with pytest.raises(ValueError):
        resource_path(relative)


def test_a_frozen_bundle_reads_the_folder_pyinstaller_unpacked(tmp_path, monkeypatch):
    unpacked = tmp_path / "_internal"
    (unpacked / "resources" / "icons").mkdir(parents=True)
    (unpacked / "resources" / "icons" / "voitex-console.svg").write_text("<svg frozen/>", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(unpacked), raising=False)

    assert locate_resources().kind == "bundle"
    assert resource_path("icons/voitex-console.svg") == unpacked / "resources" / "icons" / "voitex-console.svg"
    assert read_resource_text("icons/voitex-console.svg") == "<svg frozen/>"


def test_without_any_resources_folder_the_error_says_to_reinstall(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "site-packages" / "console")
    with pytest.raises(FileNotFoundError, match="reinstall"):
        resources_root()


def _build_package_layout(tmp_path: Path) -> Path:
    """Run the project's own build configuration (setuptools' build_py, the step
    that lays out what a wheel contains) on a copy of the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "console", source / "console", ignore=ignore)
    shutil.copytree(REPO / "resources", source / "resources", ignore=ignore)
    site = tmp_path / "site-packages"
    if (source / "setup.py").exists():
        command = [sys.executable, "setup.py", "-q", "build_py", "-d", str(site)]
    else:
        command = [sys.executable, "-c", "from setuptools import setup; setup()",
                   "-q", "build_py", "-d", str(site)]
    done = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_an_installed_wheel_reads_resources_inside_the_package(tmp_path):
    site = _build_package_layout(tmp_path)
    # A folder named "resources" beside the package, as another distribution
    # might leave in site-packages, must not be mistaken for ours.
    (site / "resources" / "icons").mkdir(parents=True)
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "from console.resources import locate_resources, app_icon_files, read_resource_text\n"
        "location = locate_resources()\n"
        "print(json.dumps({'kind': location.kind, 'root': str(location.root),\n"
        "    'icons': [str(p) for p in app_icon_files()],\n"
        "    'svg': read_resource_text('icons/voitex-console.svg')}))\n"
    )
    # Started outside the checkout, so the checkout's console package is not importable.
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(done.stdout)
    root = site / "console" / "_resources"
    assert found["kind"] == "wheel"
    assert Path(found["root"]) == root
    assert [Path(p).parent for p in found["icons"]] == [root / "icons"] * (len(ICON_SIZES) + 1)
    assert "<svg" in found["svg"]
    # Everything under resources/ made it, not only the icons.
    shipped = sorted(p.relative_to(REPO / "resources") for p in (REPO / "resources").rglob("*") if p.is_file())
    installed = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    assert installed == shipped
