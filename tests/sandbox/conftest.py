from __future__ import annotations

import httpx
import pytest

from tests.helpers import SANDBOX_KEY


@pytest.fixture
def client(sandbox):
    """An httpx client for the running sandbox, sending the right key."""
    with httpx.Client(base_url=sandbox.url, headers={"auth_key": SANDBOX_KEY}, timeout=30) as http:
        yield http
