"""A customer's branch endpoint, for tests only: real HTTP on 127.0.0.1.

Each path answers one way (see ROUTES); every request received is recorded so
tests can see what was sent. `/menu` is a two-level IVR menu that decides by
the last branch step of the request, as a real endpoint would.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

DOC_RESPONSE_SAMPLE = (
    '{ "goto":"150", "play":[ { "type":"file", "album":"10", "sort":"25" }, { "type":"tts", '
    '"text":"This is a reply TTS recording from the API.", } ], "inputs":{ "1":"3", "4":"2", '
    '"6":"105", }, "variables":{ "album_num":"13", "var_2":"var_val" } }'
)

VALID_REPLY = {
    "play": [{"type": "tts", "text": "Your balance is 57 dollars."}],
    "inputs": {"1": "100", "2": "200"},
}
INVALID_REPLY = {"goto": "abc", "inputs": {"10": "5"}}

MENU = {
    "0": {"play": [{"type": "tts", "text": "Main menu. For hours press 1, for sales press 2."}],
          "inputs": {"1": "100", "2": "200"}},
    "100": {"play": [{"type": "file", "album": "10", "sort": "25"}],
            "inputs": {"9": "0"}},
    "200": {"play": [{"type": "tts", "text": "Connecting you to sales."}], "goto": "300"},
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        return

    def _reply(self, status: int, body: str, content_type: str = "application/json",
               extra: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        path = self.path.split("?")[0]
        self.server.owner.received.append(
            {"path": path, "body": body, "raw": raw,
             "content_type": self.headers.get("Content-Type")})
        if path == "/valid":
            self._reply(200, json.dumps(VALID_REPLY))
        elif path == "/nosort":
            # A file item without its sort number, and a name written twice.
            self._reply(200, '{"play": [{"type": "file", "album": "10"}], '
                             '"inputs": {"1": "3", "1": "4"}}')
        elif path == "/invalid":
            self._reply(200, json.dumps(INVALID_REPLY))
        elif path == "/lenient":
            self._reply(200, DOC_RESPONSE_SAMPLE)
        elif path == "/slow":
            # Wait, but wake up at once when the server stops.
            self.server.owner.stopping.wait(self.server.owner.slow_delay)
            self._reply(200, json.dumps(VALID_REPLY))
        elif path == "/html":
            self._reply(200, "<!DOCTYPE html><html><body><h1>Fatal error</h1>"
                             "<p>Call to undefined function</p></body></html>",
                        "text/html; charset=utf-8")
        elif path == "/500":
            self._reply(500, "Internal Server Error", "text/plain")
        elif path == "/notjson":
            self._reply(200, "OK", "text/plain")
        elif path == "/empty":
            self._reply(200, "", "application/json")
        elif path == "/redirect":
            self._reply(302, "", "text/plain", {"Location": "https://example.com/new"})
        elif path == "/echo":
            # A careless endpoint that sends the whole request back.
            self._reply(200, json.dumps({"variables": {"echo": raw}}))
        elif path == "/menu":
            steps = (body or {}).get("branch_data") or [{}]
            branch = steps[-1].get("branch", "") if steps else ""
            self._reply(200, json.dumps(MENU.get(branch, {})))
        else:
            self._reply(404, "Not Found", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeEndpoint

    def handle_error(self, request, client_address):
        # A client that gave up (the tester's time budget) leaves a broken pipe.
        return


class FakeEndpoint:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.slow_delay = 5.0
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def fake_endpoint():
    endpoint = FakeEndpoint()
    endpoint.start()
    try:
        yield endpoint
    finally:
        endpoint.stop()
