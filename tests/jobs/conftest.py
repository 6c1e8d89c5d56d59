from __future__ import annotations

import pytest


@pytest.fixture
def journal(tmp_path):
    from console.store.journal import Journal

    j = Journal(tmp_path / "history.sqlite3")
    yield j
    j.close()


@pytest.fixture
def queues(qloop, qapp, tmp_path, journal, request):
    """A QueueFactory; with a sandbox when the test also asks for `sandbox`."""
    from tests.jobs.queue_helpers import QueueFactory

    sandbox = request.getfixturevalue("sandbox") if "sandbox" in request.fixturenames else None
    factory = QueueFactory(tmp_path, journal, sandbox)
    yield factory
    factory.close()
