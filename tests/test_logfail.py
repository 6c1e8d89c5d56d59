"""The logfail plugin itself (tests/logfail.py), in inner pytest runs.

The inner runs are subprocesses: in-process, their records would also reach
this test's own logfail handler.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def inner(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini(
        "[pytest]\n"
        "markers =\n"
        "    expect_log(level, pattern, logger=None): declared log record\n"
    )

    def run(source: str):
        pytester.makepyfile(test_inner=source)
        return pytester.runpytest_subprocess("-p", "tests.logfail", "--strict-markers", "-p", "no:cacheprovider")

    return run


def test_an_unexpected_warning_fails_the_test_with_its_message(inner):
    result = inner(
        "import logging\n"
        "def test_logs():\n"
        "    logging.getLogger('console.x').warning('disk %s is full', 'C')\n"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Unexpected log records*", "*WARNING console.x (MainThread): disk C is full*"])


def test_a_record_from_another_thread_counts(inner):
    result = inner(
        "import logging, threading\n"
        "def test_logs():\n"
        "    t = threading.Thread(target=lambda: logging.getLogger('uvicorn.error').error('boom'), name='server')\n"
        "    t.start(); t.join()\n"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR uvicorn.error (server): boom*"])


def test_a_record_logged_while_a_fixture_tears_down_counts(inner):
    result = inner(
        "import logging, pytest\n"
        "@pytest.fixture\n"
        "def server():\n"
        "    yield\n"
        "    logging.getLogger('console.sandbox').error('could not stop')\n"
        "def test_uses(server):\n"
        "    pass\n"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*could not stop*"])


def test_info_records_and_declared_records_pass(inner):
    result = inner(
        "import logging, pytest\n"
        "@pytest.mark.expect_log('WARNING', r'retry in \\d+ s', logger='console.api')\n"
        "def test_logs():\n"
        "    logging.getLogger('console').info('fine')\n"
        "    logging.getLogger('console.api.client').warning('retry in 3 s')\n"
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "why"),
    [
        ("expect_log('ERROR', r'retry')", "level differs"),
        ("expect_log('WARNING', r'give up')", "pattern differs"),
        ("expect_log('WARNING', r'retry', logger='console.jobs')", "logger differs"),
    ],
)
def test_a_declaration_that_does_not_match_lets_the_record_fail(inner, marker, why):
    result = inner(
        "import logging, pytest\n"
        f"@pytest.mark.{marker}\n"
        "def test_logs():\n"
        "    logging.getLogger('console.api.client').warning('retry in 3 s')\n"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Unexpected log records*", "*Declared with expect_log but never logged*"])
