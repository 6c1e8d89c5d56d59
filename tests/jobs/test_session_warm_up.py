"""The HTTP client's first-use imports happen on the warm-up thread, not at the first send."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: in the test process the client is long imported.
CHILD = """
import sys
import threading
from console.jobs.session import _FIRST_USE_MODULES, import_client_modules
assert "console.api.client" not in sys.modules, "imported before the warm-up"
thread = threading.Thread(target=import_client_modules)  # as AccountSession.warm_up does
thread.start()
thread.join(60)
missing = [m for m in ("console.api.client", "httpx", *_FIRST_USE_MODULES) if m not in sys.modules]
print("missing:", missing)
"""


def test_warm_up_imports_what_the_first_request_needs() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "missing: []", done.stdout + done.stderr
