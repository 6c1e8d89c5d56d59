"""The build scripts and the PyInstaller specification are at least well-formed.

Building them for real takes minutes and happens in packaging/ci-check.sh.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


@pytest.mark.parametrize("script", ["build-bundle.sh", "ci-check.sh", "linux/install.sh"])
def test_shell_scripts_parse_and_are_executable(script):
    path = PACKAGING / script
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert path.stat().st_mode & 0o111, f"{script} is not executable"


@pytest.mark.parametrize("name", ["voitex-console.spec", "launcher.py", "inspect-bundle.py", "render-icons.py"])
def test_python_build_files_compile(name):
    source = (PACKAGING / name).read_text(encoding="utf-8")
    compile(source, str(PACKAGING / name), "exec")


def test_the_spec_bundles_resources_keyring_backends_and_the_desktop_files():
    spec = (PACKAGING / "voitex-console.spec").read_text(encoding="utf-8")
    assert 'collect_entry_point("keyring.backends")' in spec
    assert '(str(ROOT / "resources"), "resources")' in spec
    assert 'collect_submodules("uvicorn")' in spec


def test_the_build_tools_are_pinned():
    lines = [line.strip() for line in (PACKAGING / "requirements-build.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines and all("==" in line for line in lines)
    assert any(line.startswith("pyinstaller==") for line in lines)


def test_the_packaging_folder_never_shadows_the_packaging_library():
    # The repository root is on sys.path in tests; an __init__.py here would make
    # `import packaging` (used by pip, build, setuptools, PyInstaller) find this folder.
    assert not (PACKAGING / "__init__.py").exists()
