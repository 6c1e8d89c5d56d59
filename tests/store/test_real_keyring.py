"""The real path: a Secret Service keyring (gnome-keyring) on a headless machine.

Every other test installs an in-memory keyring; this one proves the console
works with a real backend, and that the key is stored encrypted. CI installs
gnome-keyring; elsewhere the test is skipped with the reason.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    not (shutil.which("gnome-keyring-daemon") and shutil.which("dbus-run-session")),
    reason="needs Debian's gnome-keyring and dbus (CI installs them)")

SCRIPT = textwrap.dedent("""
    import keyring
    from console.store.secrets import SecretStore
    store = SecretStore.create()
    print("backend", type(keyring.get_keyring()).__module__, "state", store.state)
    store.set_key("main-office", "KEY-real-keyring-5f2a")
    print("read back", store.get_key("main-office") == "KEY-real-keyring-5f2a")
    store.delete_key("main-office")
    print("after delete", store.get_key("main-office"))
""")


def test_keys_round_trip_through_a_real_secret_service(tmp_path):
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_RUNTIME_DIR=str(runtime), PYTHON=sys.executable, SCRIPT=SCRIPT)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c",
         'printf "%s" unlock-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
         ' && "$PYTHON" -c "$SCRIPT"'],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "backend keyring.backends.SecretService state keyring" in done.stdout
    assert "read back True" in done.stdout
    assert "after delete None" in done.stdout
    for path in home.rglob("*"):
        if path.is_file():
            assert b"KEY-real-keyring-5f2a" not in path.read_bytes(), path
