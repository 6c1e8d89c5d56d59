"""A Voitex-compatible HTTP server for training and tests (no Qt).

It speaks the documented wire format (see docs/voitex-api-notes.md),
keeps what it receives (uploaded files on disk, TTS texts, every SMS and call
"sent"), and can be told to fail in the ways a real server does.

    srv = SandboxServer(data_dir=path, auth_key="k", faults=[FaultRule("sms", "http500", count=2)])
    srv.start()          # serves on a daemon thread; returns once it accepts connections
    srv.url              # "http://127.0.0.1:<port>"
    srv.library(); srv.outbox()
    srv.add_fault(FaultRule(endpoint="upload", kind="drop")); srv.clear_faults()
    srv.stop()

Standalone: `python -m console.sandbox.cli --port 8765 --data-dir DIR` (see cli.py).
"""
from console.sandbox.faults import ENDPOINTS, KINDS, FaultPlan, FaultRule
from console.sandbox.server import DEFAULT_SANDBOX_KEY, SandboxServer

__all__ = ["DEFAULT_SANDBOX_KEY", "ENDPOINTS", "KINDS", "FaultPlan", "FaultRule", "SandboxServer"]
