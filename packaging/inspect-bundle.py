"""Check a built bundle holds what the frozen console needs at run time.

    python packaging/inspect-bundle.py dist/voitex-console

Run it with the Python that built the bundle (it reads the executable's
archive with PyInstaller's own reader). What it checks cannot be seen from the
self-check on a machine without a desktop session: the keyring backends for
the other desktops and systems, and the modules chosen by name at run time.
Exits 1 and names what is missing.
"""
from __future__ import annotations

import configparser
import sys
from pathlib import Path

from PyInstaller.archive.readers import CArchiveReader

APP_ID = "com.voitex.Console"
ICON_SIZES = (16, 32, 48, 64, 128, 256)
REQUIRED_MODULES = [
    # keyring loads these through its entry points
    "keyring.backends.SecretService", "keyring.backends.kwallet", "keyring.backends.libsecret",
    "keyring.backends.Windows", "keyring.backends.macOS", "keyring.backends.fail",
    "keyring.backends.chainer",
    # uvicorn picks these by name
    "uvicorn.loops.auto", "uvicorn.loops.asyncio", "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.websockets.auto", "uvicorn.lifespan.on",
    "starlette.applications", "python_multipart", "qasync", "platformdirs",
    "mutagen.mp3", "mutagen.wave", "httpx",
    "console.cli", "console.app", "console.sandbox", "console.resources", "console.logging_setup",
]
if sys.platform == "win32":
    # the Windows Credential Manager backend talks to the system through it
    REQUIRED_MODULES.append("win32ctypes.pywin32.win32cred")
FORBIDDEN_LIBRARIES = ["Qt6Qml", "Qt6Quick", "Qt6Pdf", "Qt6Sql", "Qt6Designer"]


def main(argv: list[str]) -> int:
    bundle = Path(argv[1] if len(argv) > 1 else "dist/voitex-console").resolve()
    internal = bundle / "_internal"
    problems: list[str] = []
    executable = bundle / ("voitex-console.exe" if sys.platform == "win32" else "voitex-console")
    if not executable.is_file():
        print(f"inspect-bundle: no executable at {executable}")
        return 1

    archive = CArchiveReader(str(executable))
    modules = set(archive.open_embedded_archive("PYZ.pyz").toc)
    for module in REQUIRED_MODULES:
        if module not in modules:
            problems.append(f"module {module} is not in the bundle")

    entry_points = list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    if not entry_points:
        problems.append("keyring's metadata (entry_points.txt) is not in the bundle")
    else:
        parser = configparser.ConfigParser()
        parser.read(entry_points[0], encoding="utf-8")
        if not parser.has_section("keyring.backends") or not parser.options("keyring.backends"):
            problems.append("keyring's entry points list no backends")

    icons = internal / "resources" / "icons"
    names = ["voitex-console.svg"] + [f"voitex-console-{size}.png" for size in ICON_SIZES]
    for name in names:
        if not (icons / name).is_file():
            problems.append(f"resources/icons/{name} is not in the bundle")
    if sys.platform.startswith("linux"):
        for name in (f"linux/{APP_ID}.desktop", f"linux/{APP_ID}.metainfo.xml"):
            if not (internal / name).is_file():
                problems.append(f"{name} is not in the bundle")
        if not (bundle / "install.sh").is_file():
            problems.append("install.sh is not at the top of the bundle")

    libraries = [path.name for path in internal.rglob("*") if path.is_file()]
    for prefix in FORBIDDEN_LIBRARIES:
        if any(name.startswith((prefix, "lib" + prefix)) for name in libraries):
            problems.append(f"{prefix} is in the bundle although the console does not use it")
    if (internal / "PySide6" / "Qt" / "translations").exists():
        problems.append("Qt's translations are in the bundle")

    # PyInstaller links some libraries into place: count each file once.
    size = sum(path.lstat().st_size for path in bundle.rglob("*")
               if path.is_file() and not path.is_symlink())
    print(f"inspect-bundle: {bundle}: {len(modules)} modules, {len(libraries)} files, "
          f"{size / 2**20:.0f} MiB")
    for problem in problems:
        print(f"inspect-bundle: MISSING/WRONG: {problem}")
    if not problems:
        print("inspect-bundle: ok (keyring backends and metadata, uvicorn protocols, "
              "resources, desktop files)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
