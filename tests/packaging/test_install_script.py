"""packaging/linux/install.sh on a stand-in bundle with the real bundle's layout."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP_ID = "com.voitex.Console"
SIZES = (16, 32, 48, 64, 128, 256)


@pytest.fixture
def bundle(tmp_path):
    """The layout packaging/voitex-console.spec produces: executable, _internal, install.sh."""
    folder = tmp_path / "dist" / "voitex-console"
    internal = folder / "_internal"
    shutil.copytree(REPO / "resources" / "icons", internal / "resources" / "icons")
    (internal / "linux").mkdir(parents=True)
    for name in (f"{APP_ID}.desktop", f"{APP_ID}.metainfo.xml"):
        shutil.copy2(REPO / "packaging" / "linux" / name, internal / "linux" / name)
    executable = folder / "voitex-console"
    executable.write_text('#!/bin/sh\necho "stand-in console $*"\n', encoding="utf-8")
    executable.chmod(0o755)
    shutil.copy2(REPO / "packaging" / "linux" / "install.sh", folder / "install.sh")
    return folder


def run(script: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(home))
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_installs_command_menu_entry_icons_and_metainfo(bundle, tmp_path):
    prefix = tmp_path / "prefix"
    done = run(bundle / "install.sh", "--prefix", str(prefix), home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

    command = prefix / "bin" / "voitex-console"
    assert command.is_symlink()
    assert command.resolve() == prefix / "lib" / "voitex-console" / "voitex-console"
    assert subprocess.run([str(command), "--version"], capture_output=True, text=True).stdout == \
        "stand-in console --version\n"

    desktop = (prefix / "share" / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert f'Exec="{command}" %F\n' in desktop
    assert "MimeType=audio/" in desktop
    for size in SIZES:
        installed = prefix / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert installed.read_bytes() == (REPO / "resources" / "icons" / f"voitex-console-{size}.png").read_bytes()
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()


def test_the_default_is_the_users_own_folders(bundle, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = run(bundle / "install.sh", home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (home / ".local" / "share" / "applications" / f"{APP_ID}.desktop").is_file()
    assert (home / ".local" / "bin" / "voitex-console").is_symlink()


def test_uninstall_removes_everything_it_installed(bundle, tmp_path):
    prefix = tmp_path / "prefix"
    assert run(bundle / "install.sh", "--prefix", str(prefix), home=tmp_path).returncode == 0
    installed_copy = prefix / "lib" / "voitex-console" / "install.sh"
    done = run(installed_copy, "--prefix", str(prefix), "--uninstall", home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    left = [p for p in prefix.rglob("*") if p.is_file() or p.is_symlink()]
    # Caches that update-desktop-database / gtk-update-icon-cache keep for the
    # whole folder stay, without the console in them.
    caches = {"mimeinfo.cache", "icon-theme.cache"}
    assert [p for p in left if p.name not in caches] == []
    for cache in left:
        assert APP_ID not in cache.read_text(encoding="utf-8", errors="replace")


def test_installing_again_replaces_the_previous_copy(bundle, tmp_path):
    prefix = tmp_path / "prefix"
    assert run(bundle / "install.sh", "--prefix", str(prefix), home=tmp_path).returncode == 0
    (bundle / "_internal" / "new-file").write_text("2", encoding="utf-8")
    assert run(bundle / "install.sh", "--prefix", str(prefix), home=tmp_path).returncode == 0
    assert (prefix / "lib" / "voitex-console" / "_internal" / "new-file").is_file()
    assert not (prefix / "lib" / "voitex-console.new").exists()


def test_refuses_a_folder_a_menu_entry_cannot_name(bundle, tmp_path):
    done = run(bundle / "install.sh", "--prefix", str(tmp_path / "a$b"), home=tmp_path)
    assert done.returncode == 2
    assert "cannot hold" in done.stderr
    assert not (tmp_path / "a$b").exists()


def test_refuses_to_run_outside_a_bundle(tmp_path):
    script = tmp_path / "install.sh"
    shutil.copy2(REPO / "packaging" / "linux" / "install.sh", script)
    done = run(script, "--prefix", str(tmp_path / "prefix"), home=tmp_path)
    assert done.returncode == 1
    assert "not a Voitex Console bundle" in done.stderr
