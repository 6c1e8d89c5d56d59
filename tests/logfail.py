"""Fail a test when the code under test logs a warning or an error it did not expect.

The idea of qutebrowser's `tests/helpers/logfail.py`: a handler on the root
logger for each test collects every record at WARNING and above, from any
thread (the embedded sandbox's uvicorn thread, executor threads, the session's
qasync loop), and the test fails in teardown listing them.

A test that expects such a record declares it:

    @pytest.mark.expect_log("WARNING", r"could not read .* settings")
    @pytest.mark.expect_log("ERROR", r"upload failed", logger="console.jobs")

`level` is a level name or number and matches exactly; `pattern` is searched
(`re.search`) in the record's message; `logger`, when given, matches that
logger and its children. A declared record must really be logged at least
once, so a declaration cannot outlive the behaviour it documents. For a
parametrized test where only some cases log, put the marker on those cases
(`pytest.param(..., marks=pytest.mark.expect_log(...))`).

The check runs after every fixture is torn down, so records logged while a
fixture cleans up (a sandbox stopping, the loop cancelling leftover tasks)
count too.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

import pytest

MIN_LEVEL = logging.WARNING


@dataclass(frozen=True)
class Expected:
    level: int
    pattern: re.Pattern[str]
    logger: str | None

    def matches(self, record: logging.LogRecord) -> bool:
        if record.levelno != self.level:
            return False
        if self.logger is not None and not (
            record.name == self.logger or record.name.startswith(self.logger + ".")
        ):
            return False
        return self.pattern.search(record.getMessage()) is not None

    def describe(self) -> str:
        where = f" from {self.logger}" if self.logger else ""
        return f"{logging.getLevelName(self.level)} matching {self.pattern.pattern!r}{where}"


def _level(value: int | str) -> int:
    if isinstance(value, int):
        return value
    number = logging.getLevelName(value.upper())
    if not isinstance(number, int):
        raise pytest.UsageError(f"expect_log: unknown level {value!r}")
    return number


def expected_logs(item: pytest.Item) -> list[Expected]:
    expected = []
    for mark in item.iter_markers("expect_log"):
        args = dict(zip(("level", "pattern", "logger"), mark.args, strict=False))
        args.update(mark.kwargs)
        if "level" not in args or "pattern" not in args:
            raise pytest.UsageError(f"{item.nodeid}: expect_log needs a level and a pattern")
        expected.append(Expected(_level(args["level"]), re.compile(args["pattern"]), args.get("logger")))
    return expected


class LogFailHandler(logging.Handler):
    """Keeps every record at WARNING and above; records arrive from any thread."""

    def __init__(self) -> None:
        super().__init__(MIN_LEVEL)
        self._lock_records = threading.Lock()
        self._records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s (%(threadName)s): %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock_records:
            self._records.append(record)

    def records(self) -> list[logging.LogRecord]:
        with self._lock_records:
            return list(self._records)


_handler_key = pytest.StashKey[LogFailHandler]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item):
    handler = LogFailHandler()
    item.stash[_handler_key] = handler
    logging.getLogger().addHandler(handler)
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    handler = item.stash.get(_handler_key, None)
    if handler is None:
        return result
    logging.getLogger().removeHandler(handler)
    records = handler.records()
    expected = expected_logs(item)
    unexpected = [r for r in records if not any(e.matches(r) for e in expected)]
    missing = [e for e in expected if not any(e.matches(r) for r in records)]
    problems = []
    if unexpected:
        problems.append(
            "Unexpected log records (fix the cause, or declare them with "
            "@pytest.mark.expect_log(level, pattern) when the test expects them):"
        )
        problems.extend("  " + handler.format(r).replace("\n", "\n  ") for r in unexpected)
    if missing:
        problems.append("Declared with expect_log but never logged:")
        problems.extend("  " + e.describe() for e in missing)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return result
