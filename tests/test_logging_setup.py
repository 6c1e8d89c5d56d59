"""The log file and its redaction, through real loggers, real handlers and a real file."""
from __future__ import annotations

import json
import logging
import sys

import pytest

from console import logging_setup
from console.logging_setup import (
    BACKUP_COUNT,
    LOG_FILE_NAME,
    MAX_BYTES,
    REDACTED,
    RedactingFilter,
    close_logging,
    configure_logging,
    register_secret,
)

KEY = "vtx-live-3f9a8c2e1b7d4a6f"


@pytest.fixture
def logs(tmp_path):
    """configure_logging into a temporary folder; yields a function reading the file."""
    root = logging.getLogger()
    level = root.level
    log_file = configure_logging(tmp_path / "logs")

    def read() -> str:
        for handler in logging_setup._installed:
            handler.flush()
        return log_file.read_text(encoding="utf-8")

    read.path = log_file
    try:
        yield read
    finally:
        close_logging()
        root.setLevel(level)


def test_the_log_file_is_in_the_given_folder(tmp_path, logs):
    logging.getLogger("console.test").info("started")
    assert logs.path == tmp_path / "logs" / LOG_FILE_NAME
    assert "INFO console.test" in logs() and "started" in logs()


@pytest.mark.expect_log("WARNING", r"retrying with", logger="console.api.client")
def test_a_registered_key_is_removed_from_arguments_and_messages(logs):
    register_secret(KEY)
    log = logging.getLogger("console.api.client")
    log.info("refused key %s for profile %r", KEY, "Office")
    log.warning(f"retrying with {KEY}")
    text = logs()
    assert KEY not in text
    assert f"refused key {REDACTED} for profile 'Office'" in text
    assert f"retrying with {REDACTED}" in text


def test_registering_through_the_filter_class_works_the_same(logs):
    secret = "sandbox-key-aa77bb88cc99"
    RedactingFilter.register_secret(secret)
    logging.getLogger("console.sandbox").info("sandbox key is %s", secret)
    assert secret not in logs()


def test_a_key_percent_encoded_in_a_url_is_removed_too(logs):
    secret = "k3y/with+special=chars"
    register_secret(secret)
    logging.getLogger("console").info("GET http://127.0.0.1/?k=k3y%2Fwith%2Bspecial%3Dchars")
    assert "k3y%2Fwith%2Bspecial%3Dchars" not in logs()
    assert REDACTED in logs()


@pytest.mark.parametrize(
    ("message", "args", "hidden"),
    [
        ("request headers: %r", ({"auth_key": "unregistered-key-1", "accept": "json"},), "unregistered-key-1"),
        ("raw headers: %r", ([(b"auth_key", b"unregistered-key-2")],), "unregistered-key-2"),
        ("sent header auth_key: %s", ("unregistered-key-3",), "unregistered-key-3"),
        ("form: %s", ("album_number=1&AUTH-KEY=unregistered-key-4&x=2",), "unregistered-key-4"),
        ("branch request %s", (json.dumps({"payment_info": [{"last_four": "4444", "cvv": 987}]}),), "987"),
        ("branch request %r", ({"payment_info": [{"cvv": "0421", "zip": "10950"}]},), "0421"),
        ("payment %s", ('{"cvv ": "5512"}',), "5512"),
        ("callback query cvv=%s&zip=10950", ("7361",), "7361"),
        ("escaped json %s", (json.dumps(json.dumps({"cvv": "8846"})),), "8846"),
    ],
)
def test_auth_key_and_cvv_values_are_removed_without_registering_them(logs, message, args, hidden):
    logging.getLogger("console.branch").info(message, *args)
    text = logs()
    assert hidden not in text
    assert REDACTED in text


def test_the_rest_of_a_redacted_line_survives(logs):
    logging.getLogger("console.branch").info(
        "payment %s", json.dumps({"last_four": "4444", "cvv": "9911", "zip": "10950"}))
    line = logs().strip()
    assert '"last_four": "4444"' in line and '"zip": "10950"' in line
    assert f'"cvv": "{REDACTED}"' in line


@pytest.mark.expect_log("WARNING", r"the auth_key header is missing", logger="console")
def test_words_that_only_mention_the_names_are_kept(logs):
    logging.getLogger("console").warning("the auth_key header is missing; no cvv is ever stored")
    assert "the auth_key header is missing; no cvv is ever stored" in logs()


@pytest.mark.expect_log("ERROR", r"sending failed", logger="console.jobs")
def test_a_traceback_is_redacted(logs):
    register_secret(KEY)
    log = logging.getLogger("console.jobs")
    try:
        try:
            raise KeyError(f"no profile for {KEY}")
        except KeyError as err:
            raise RuntimeError("payment failed: {'cvv': '3141'}") from err
    except RuntimeError:
        log.exception("sending failed")
    text = logs()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: payment failed" in text and "KeyError" in text
    assert KEY not in text and "3141" not in text


@pytest.mark.expect_log("ERROR", r"lookup failed", logger="console.ui.sms_tab")
def test_a_traceback_logged_with_exc_info_on_a_child_logger_is_redacted(logs):
    register_secret(KEY)
    try:
        {}[KEY]
    except KeyError:
        logging.getLogger("console.ui.sms_tab").error("lookup failed", exc_info=True)
    assert KEY not in logs() and "KeyError" in logs()


def test_stack_text_is_redacted(logs):
    record = logging.LogRecord("console", logging.INFO, __file__, 1, "with stack", None, None)
    record.stack_info = "Stack (most recent call last):\n  auth_key='unregistered-key-5'"
    logging.getLogger("console").handle(record)
    assert "unregistered-key-5" not in logs() and "Stack (most recent call last)" in logs()


def test_a_broken_format_string_neither_leaks_nor_fails(logs, capsys):
    register_secret(KEY)
    logging.getLogger("console").info("two placeholders %s %s, one argument", KEY)
    text = logs()
    assert "two placeholders" in text and KEY not in text
    assert "Logging error" not in capsys.readouterr().err


def test_an_empty_secret_does_not_blank_the_log(logs):
    register_secret("")
    register_secret("   ")
    register_secret(None)
    logging.getLogger("console").info("nothing secret here")
    assert "nothing secret here" in logs()


@pytest.mark.expect_log("ERROR", r"refused", logger="console")
def test_warnings_also_reach_stderr_redacted(tmp_path, capsys):
    root = logging.getLogger()
    level = root.level
    register_secret(KEY)
    try:
        configure_logging(tmp_path / "logs")
        logging.getLogger("console").info("only in the file")
        logging.getLogger("console").error("key %s refused", KEY)
    finally:
        close_logging()
        root.setLevel(level)
    err = capsys.readouterr().err
    assert f"key {REDACTED} refused" in err
    assert KEY not in err and "only in the file" not in err


def test_configuring_again_replaces_the_handlers(tmp_path):
    root = logging.getLogger()
    level = root.level
    try:
        configure_logging(tmp_path / "first")
        second = configure_logging(tmp_path / "second", level=logging.DEBUG, stderr_level=None)
        logging.getLogger("console").debug("once")
        for handler in logging_setup._installed:
            handler.flush()
        assert second.read_text(encoding="utf-8").count("once") == 1
        assert "once" not in (tmp_path / "first" / LOG_FILE_NAME).read_text(encoding="utf-8")
        assert root.level == logging.DEBUG
    finally:
        close_logging()
        root.setLevel(level)
    assert not logging_setup._installed


def test_the_file_rotates_at_one_mebibyte_keeping_five(tmp_path, logs):
    register_secret(KEY)
    log = logging.getLogger("console.bulk")
    line = "x" * 200
    # A bit more than six files' worth: the oldest must be dropped.
    for number in range((MAX_BYTES // 200) * (BACKUP_COUNT + 1) + 500):
        log.info("%d %s %s", number, KEY, line)
    folder = logs.path.parent
    names = sorted(p.name for p in folder.iterdir())
    assert names == [LOG_FILE_NAME] + [f"{LOG_FILE_NAME}.{n}" for n in range(1, BACKUP_COUNT + 1)]
    for path in folder.iterdir():
        assert path.stat().st_size <= MAX_BYTES
        assert KEY not in path.read_text(encoding="utf-8")


@pytest.mark.expect_log("ERROR", r"written to the file", logger="console")
def test_without_stderr_only_the_file_is_written(tmp_path, monkeypatch):
    # A windowed frozen build on Windows runs with sys.stderr set to None.
    monkeypatch.setattr(sys, "stderr", None)
    root = logging.getLogger()
    level = root.level
    try:
        log_file = configure_logging(tmp_path / "logs")
        logging.getLogger("console").error("written to the file")
        assert len(logging_setup._installed) == 1
        logging_setup._installed[0].flush()
        assert "written to the file" in log_file.read_text(encoding="utf-8")
    finally:
        close_logging()
        root.setLevel(level)
