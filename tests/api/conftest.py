"""Helpers for the client's tests against the sandbox (pure asyncio, no Qt)."""
from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from console.api import VoitexClient
from tests.helpers import SANDBOX_KEY


def make_client(sandbox, **overrides) -> VoitexClient:
    """A client for the sandbox with short retry waits, so tests stay quick."""
    settings = {"base_url": sandbox.url, "auth_key": SANDBOX_KEY, "backoff_base": 0.01, "backoff_cap": 0.05}
    settings.update(overrides)
    return VoitexClient(**settings)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_entry(sandbox, album: int, sort: int) -> dict | None:
    matches = [e for e in sandbox.library() if e["album"] == album and e["sort"] == sort]
    assert len(matches) <= 1, "the sandbox keeps one recording per album and sort"
    return matches[0] if matches else None


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
