"""The HTTP side of the exported endpoint: Voitex's POST in, the project's reply out.

Runs as its own process (``python3 endpoint.py --port 8080``) on the standard
library's threading HTTP server, or behind any web server through the WSGI
callable ``application``. A request that is not JSON, is not an object, is
too large or arrives too slowly gets the project's fallback reply and one log
line saying why; an error inside never reaches Voitex as a traceback. Log
lines hold branch numbers, rule names and the call id, never the request's
body, so no card data is ever logged. Standard library only, Python 3.10: the
exporter copies this module into the endpoint file.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from console.branch.project.runtime import RuntimeProject, choose_reply

MAX_REQUEST_BYTES = 64 * 1024
# A body over the limit is read and dropped up to this much, so the client
# still gets its reply instead of a reset connection.
DRAIN_BYTES = 4 * 1024 * 1024
READ_TIMEOUT_S = 10.0
log = logging.getLogger("voitex_ivr_endpoint")
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,40}")
# A card number is 13 to 19 digits; a call id ("AST10-1689867312.264") has shorter runs.
_LONG_DIGITS = re.compile(r"[0-9]{11,}")
WsgiStart = Callable[[str, list[tuple[str, str]]], Any]


def _safe(value: Any) -> str:
    """A value from the request fit for a log line: short, plain, never free text."""
    if not isinstance(value, str) or not _SAFE.fullmatch(value) or _LONG_DIGITS.search(value):
        return "?"
    return value


def _printable(text: str) -> str:
    """One line: a rule's name from a hand-edited file cannot start a new log line."""
    return "".join(char if char.isprintable() else " " for char in text)


def answer_body(project: RuntimeProject, body: bytes) -> tuple[str, str, bool]:
    """The reply text for one POST body, the log line, and whether it was refused."""
    fallback = "answered with the project's fallback reply"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return project.fallback, f"refused a request: its body is not UTF-8 text; {fallback}", True
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        return (project.fallback, f"refused a request: its body is not JSON ({error.msg} at line "
                f"{error.lineno} column {error.colno}); {fallback}", True)
    except RecursionError:
        return project.fallback, f"refused a request: its JSON is nested too deeply; {fallback}", True
    if not isinstance(payload, dict):
        return project.fallback, f"refused a request: its JSON is not an object; {fallback}", True
    try:
        choice = choose_reply(project, payload)
    except Exception as error:  # noqa: BLE001 - never a traceback to Voitex
        return (project.fallback, f"could not choose a reply ({type(error).__name__}); "
                f"{fallback}", True)
    branch = _safe(choice.branch) if choice.branch is not None else "none"
    line = f"call {_safe(payload.get('call_id'))}, branch {branch}: {_printable(choice.reason)}"
    return choice.reply, line, False


def health_body(project: RuntimeProject) -> str:
    return json.dumps({"status": "ok", "project": project.name, "version": project.version},
                      ensure_ascii=False)


def _read_chunked(rfile: Any, limit: int) -> bytes | None:
    """A chunked body, or None when it is longer than `limit` or malformed."""
    parts: list[bytes] = []
    size = 0
    while True:
        line = rfile.readline(80)
        try:
            length = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            return None
        if length < 0:
            return None
        if length == 0:
            while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(parts)
        size += length
        if size > limit:
            return None
        parts.append(rfile.read(length))
        rfile.readline(8)


def make_handler(project: RuntimeProject, max_bytes: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "VoitexIVREndpoint/1"
        protocol_version = "HTTP/1.1"
        timeout = READ_TIMEOUT_S

        def _send(self, status: int, text: str) -> None:
            data = text.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                log.warning("could not send the reply: the connection closed")

        def _body(self) -> tuple[bytes | None, str]:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                body = _read_chunked(self.rfile, max_bytes)
                if body is None:
                    self.close_connection = True
                    return None, f"its chunked body is malformed or over {max_bytes:,} bytes"
                return body, ""
            text = self.headers.get("Content-Length", "0").strip() or "0"
            if not text.isdigit():
                self.close_connection = True
                return None, "its Content-Length is not a number"
            length = int(text)
            if length > max_bytes:
                self.close_connection = True
                if length <= DRAIN_BYTES:
                    self.rfile.read(length)
                return None, f"its body of {length:,} bytes is over the {max_bytes:,}-byte limit"
            body = self.rfile.read(length)
            if len(body) < length:
                self.close_connection = True
                return None, "its body ended before its Content-Length"
            return body, ""

        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            try:
                body, problem = self._body()
            except OSError:  # a socket timeout, a reset
                self.close_connection = True
                body, problem = None, f"its body did not arrive within {READ_TIMEOUT_S:g} s"
            if body is None:
                log.warning("refused a request: %s; answered with the project's fallback reply",
                            problem)
                self._send(200, project.fallback)
                return
            reply, line, refused = answer_body(project, body)
            (log.warning if refused else log.info)("%s", line)
            self._send(200, reply)

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path.split("?")[0].rstrip("/").endswith("/health") \
                    or self.path.split("?")[0] in ("", "/"):
                self._send(200, health_body(project))
            else:
                self._send(404, json.dumps({"error": "Voitex posts to this endpoint; GET "
                                                     "answers only /health."}))

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass  # every request gets its own line above; the request line may hold anything

        def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            log.warning("refused a connection that did not send a readable HTTP request")

    return Handler


def make_wsgi_app(project: RuntimeProject, max_bytes: int = MAX_REQUEST_BYTES
                  ) -> Callable[[dict[str, Any], WsgiStart], Iterable[bytes]]:
    """The endpoint as a WSGI application, for running behind a web server."""
    def application(environ: dict[str, Any], start_response: WsgiStart) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method != "POST":
            text = health_body(project)
        else:
            length_text = str(environ.get("CONTENT_LENGTH") or "0").strip()
            if not length_text.isdigit() or int(length_text) > max_bytes:
                log.warning("refused a request: its Content-Length is missing, not a number or "
                            "over %s bytes; answered with the project's fallback reply",
                            f"{max_bytes:,}")
                text = project.fallback
            else:
                body = environ["wsgi.input"].read(int(length_text))
                text, line, refused = answer_body(project, body)
                (log.warning if refused else log.info)("%s", line)
        data = text.encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json; charset=utf-8"),
                                  ("Content-Length", str(len(data)))])
        return [data]

    return application


def main(argv: list[str], project: RuntimeProject) -> int:
    parser = argparse.ArgumentParser(description=f"The Voitex IVR endpoint for {project.name!r}.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    parser.add_argument("--port", type=int, default=8080,
                        help="the port (default 8080; 0 picks a free one)")
    parser.add_argument("--max-request-bytes", type=int, default=MAX_REQUEST_BYTES,
                        help=f"the largest request accepted (default {MAX_REQUEST_BYTES})")
    options = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        # A console that cannot show a quotation mark gets an escape, not an error.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        server = ThreadingHTTPServer((options.host, options.port),
                                     make_handler(project, options.max_request_bytes))
    except OSError as error:
        print(f"Cannot listen on {options.host}:{options.port}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    server.daemon_threads = True
    address: Any = server.server_address
    host, port = str(address[0]), int(address[1])
    shown_host = f"[{host}]" if ":" in host else host

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    # Ready only once a stop request is heard: a supervisor may stop it at once.
    print(f"Voitex IVR endpoint for \u201c{project.name}\u201d, version {project.version}, "
          f"listening on http://{shown_host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("Stopped.", flush=True)
    return 0
