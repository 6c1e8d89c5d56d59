"""Where the console keeps its files.

The per-user folders come from platformdirs. ``VOITEX_CONSOLE_HOME`` replaces
all of them with one folder, so tests, a portable install or a training
machine never touch the real user's settings.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "voitex-console"
HOME_ENV = "VOITEX_CONSOLE_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profiles.json"

    @property
    def journal_file(self) -> Path:
        return self.data_dir / "history.sqlite3"


def app_paths() -> AppPaths:
    """The console's folders, created if they do not exist yet."""
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        base = Path(home).expanduser()
        paths = AppPaths(base / "config", base / "data", base / "logs")
    else:
        # appauthor=False: on Windows the folder would otherwise be nested
        # under an author folder with the same name.
        paths = AppPaths(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return paths
