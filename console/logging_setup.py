"""The console's log file, and the filter that keeps secrets out of it.

Logs go to a rotating file in the platform's log folder (1 MiB, five old
files kept). Every record passes through `RedactingFilter` on its way to the
file, which removes:

- the values registered with `register_secret` (account keys, the embedded
  sandbox's key) wherever they appear;
- whatever follows an `auth_key` name (header, form field, dict or JSON key);
- card verification values (`"cvv": 987`, `cvv=987`, `'cvc': '123'`).

It works on the finished message (msg % args), on the exception traceback and
on the stack text, so a key inside an exception message is caught too. The
filter sits on the handlers, not on a logger: a logger's filters do not see
records that propagate up from child loggers.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from urllib.parse import quote

from console.domain.card_data import verification_name_pattern

LOG_FILE_NAME = "voitex-console.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 5
REDACTED = "[redacted]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

_SECRET_NAME = (
    r"(?<![A-Za-z0-9])"
    r"(?:auth[_\-]?key|" + verification_name_pattern() + ")"
    r"(?![A-Za-z0-9])"
)
# name, then either a closing quote (possibly escaped, possibly after a stray
# space as in `"cvv ": 987`) and `:` `=` or `,` (the `,` of a header tuple such
# as `('auth_key', 'k')`), or a plain `:` / `=`; then the value, quoted or bare.
_SECRET_PAIR = re.compile(
    _SECRET_NAME
    + r"""(?:\s*\\*["']\s*[:=,]|\s*[:=])\s*"""
    + r"""(?:b?\\*(?P<quote>["'])(?P<quoted>.*?)\\*(?P=quote)"""
    + r"""|(?P<bare>[^\s,;&"'<>()\[\]{}\\]+)"""
    # an opening quote never closed on this line: the rest of the line goes
    + r"""|b?\\*["'](?P<unclosed>[^\r\n]*))""",
    re.IGNORECASE,
)

_secrets_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def register_secret(value: str | None) -> None:
    """Never let `value` reach the log from now on (for the rest of the process)."""
    global _secrets
    if not value or not value.strip():
        return
    forms = {value, quote(value, safe=""), repr(value)[1:-1], json.dumps(value)[1:-1]}
    with _secrets_lock:
        # Longest first, so a secret containing another one is removed whole.
        _secrets = tuple(sorted(set(_secrets) | forms, key=len, reverse=True))


def _replace_pair(match: re.Match[str]) -> str:
    group = next(name for name in ("quoted", "bare", "unclosed") if match.group(name) is not None)
    start, end = match.span(group)
    offset = match.start()
    whole = match.group(0)
    return whole[: start - offset] + REDACTED + whole[end - offset:]


def redact(text: str) -> str:
    """`text` without registered secrets, auth_key values and card verification values."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _SECRET_PAIR.sub(_replace_pair, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no secret reaches a handler's output."""

    register_secret = staticmethod(register_secret)
    redact = staticmethod(redact)

    _traceback_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not leak its arguments unredacted
            message = f"{record.msg!s} (arguments: {record.args!r})"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback they
            # print is the redacted one.
            record.exc_text = self._traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_installed: list[logging.Handler] = []


def configure_logging(
    log_dir: Path,
    level: int = logging.INFO,
    *,
    stderr_level: int | None = logging.WARNING,
) -> Path:
    """Send the root logger to a rotating file in `log_dir`; returns the file's path.

    Calling it again replaces the handlers installed by the previous call.
    Warnings and errors also go to stderr when there is one (a windowed
    frozen build on Windows has none).
    """
    close_logging()
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / LOG_FILE_NAME
    redactor = RedactingFilter()

    file_handler = RotatingFileHandler(
        log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    file_handler.addFilter(redactor)
    handlers: list[logging.Handler] = [file_handler]

    if stderr_level is not None and sys.stderr is not None:
        stderr_handler = logging.StreamHandler(sys.stderr)
        stderr_handler.setLevel(stderr_level)
        stderr_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stderr_handler.addFilter(redactor)
        handlers.append(stderr_handler)

    root = logging.getLogger()
    for handler in handlers:
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(level)
    return log_file


def close_logging() -> None:
    """Remove and close the handlers `configure_logging` installed."""
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
