"""Helpers for the tests of desks on an office database."""
from __future__ import annotations

import concurrent.futures


def off_thread(work, timeout: float = 20.0):
    """`work()` on another thread, as the window itself would ask the store (a test reading the
    office database on the window's thread would make the engine say it waited there)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result(timeout)
