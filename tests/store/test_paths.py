from pathlib import Path

from console.store.paths import app_paths


def test_home_override_puts_every_folder_under_it_and_creates_them(app_home):
    paths = app_paths()
    assert paths.config_dir == app_home / "config"
    assert paths.data_dir == app_home / "data"
    assert paths.log_dir == app_home / "logs"
    assert all(p.is_dir() for p in (paths.config_dir, paths.data_dir, paths.log_dir))
    assert paths.profiles_file == app_home / "config" / "profiles.json"
    assert paths.journal_file == app_home / "data" / "history.sqlite3"


def test_without_override_uses_per_user_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("VOITEX_CONSOLE_HOME")
    # platformdirs follows the XDG variables on Linux; point them at tmp so the
    # test never creates folders in the real home.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    paths = app_paths()
    assert paths.config_dir == tmp_path / "cfg" / "voitex-console"
    assert paths.data_dir == tmp_path / "share" / "voitex-console"
    assert Path(paths.log_dir).is_relative_to(tmp_path)
    assert paths.log_dir.is_dir()
