"""Start-up order, checked on a real process: what is loaded at the first paint."""
from __future__ import annotations

import os
import re
import subprocess
import sys

# Run as `python -c`: the console with its start-up probe, printing the
# modules loaded at the moment of the first paint.
PROBE_RUNNER = """
import sys
import console.launch as app

plain_line = app.startup_probe_line

def line(event):
    if event == "first-paint":
        print("modules-at-first-paint: " + " ".join(sorted(sys.modules)), flush=True)
    return plain_line(event)

app.startup_probe_line = line
from console.cli import main
raise SystemExit(main([]))
"""

NOT_BEFORE_THE_FIRST_PAINT = (
    "httpx", "httpcore", "starlette", "uvicorn", "keyring",
    "console.sandbox", "console.api.client", "console.api.branch_endpoint",
    "console.jobs.upload_queue", "console.ui.branch_tab", "console.ui.recordings_tab",
    "console.ui.sms_tab", "console.ui.tts_tab", "console.ui.calls_tab", "console.ui.history_tab",
    "console.ui.profiles_dialog", "console.ui.dialogs",
    "console.ui.broadcast_tab", "console.jobs.broadcast_runner", "phonenumbers", "openpyxl",
    "console.ui.help_window",
)


def run_probe(home, extra_env=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOITEX_CONSOLE_HOME=str(home),
               VOITEX_CONSOLE_STARTUP_PROBE="1", **(extra_env or {}))
    return subprocess.run([sys.executable, "-c", PROBE_RUNNER], env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_first_paint_needs_no_network_stack_sandbox_or_tab(tmp_path):
    done = run_probe(tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    [modules_line] = [ln for ln in done.stdout.splitlines()
                      if ln.startswith("modules-at-first-paint: ")]
    loaded = set(modules_line.split(": ", 1)[1].split())
    assert "PySide6.QtWidgets" in loaded and "console.ui.main_window" in loaded
    early = sorted(name for name in loaded
                   if any(name == m or name.startswith(m + ".") for m in NOT_BEFORE_THE_FIRST_PAINT))
    assert early == []


def test_the_probe_prints_both_moments_and_quits(tmp_path):
    done = run_probe(tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    events = re.findall(r"^startup-probe: ([\w-]+) wall=[\d.]+ rss_kib=(\d+)$", done.stdout,
                        re.MULTILINE)
    assert [event for event, _rss in events] == ["first-paint", "tab-ready"]
    assert all(int(rss) > 10_000 for _event, rss in events)
