"""The exported endpoint and its exported tests, run as real processes and
spoken to over real loopback HTTP."""
from __future__ import annotations

import ast
import http.client
import importlib.util
import io
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import console.branch.project as project_package
from console.branch.project.compiled import project_version
from console.branch.project.edits import set_rule
from console.branch.project.exporter import (
    MODULES,
    ExportError,
    blocking_problems,
    export_endpoint,
    module_body,
)
from console.branch.project.model import Project, Trigger
from console.branch.project.tests_export import export_tests
from tests.branch.project.running import run_exported_tests, start_exported
from tests.branch.project.sample import sample_project

CVV = "7319"
CARD = "4111111111111111"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    running = start_exported(sample_project(), tmp_path_factory.mktemp("endpoint"))
    yield running
    running.stop()


def exchange(url: str, method: str, body: bytes | None = None, headers=None,
             path: str = "/") -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def fallback() -> dict:
    return {"play": [{"type": "tts", "text": "Sorry, we cannot take your call right now. "
                                             "Please call again later."}]}


def test_it_prints_its_version_and_answers_health(endpoint):
    project = sample_project()
    assert endpoint.name == "Appointments"
    assert endpoint.version == project_version(project)
    status, text = exchange(endpoint.url, "GET", path="/health")
    assert status == 200
    assert json.loads(text) == {"status": "ok", "project": "Appointments",
                                "version": endpoint.version}
    assert exchange(endpoint.url, "GET", path="/anything")[0] == 404


def test_it_gives_each_saved_request_the_reply_the_walk_expects(endpoint):
    from console.branch.schema import parse_design

    project = sample_project()
    before = len(endpoint.log)
    for walk in project.walks:
        for step in walk.steps:
            status, text = exchange(endpoint.url, "POST", step.request.encode("utf-8"),
                                    {"Content-Type": "application/json"})
            assert status == 200
            assert parse_design(text).design == step.expect
    line = endpoint.wait_for_log(r"branch 300: rule 1 \u201cOffice hours\u201d matched", before)
    assert "INFO call AST10-1715682600.101" in line


@pytest.mark.parametrize("body, headers, words", [
    (b"not json", {}, r"its body is not JSON \(Expecting value at line 1 column 1\)"),
    (b"[1, 2]", {}, "its JSON is not an object"),
    (b"\xff\xfe", {}, "its body is not UTF-8 text"),
    (b'{"branch_data": [' + b" " * 70_000 + b"]}", {},
     r"its body of 70,0\d\d bytes is over the 65,536-byte limit"),
    (b"{}", {"Content-Length": "lots"}, "its Content-Length is not a number"),
    (b'{"branch_data": [{"branch": "999"}]}', {}, "branch 999 is not a trigger of this project"),
])
def test_a_malformed_request_gets_the_fallback_reply_and_a_log_line(endpoint, body, headers,
                                                                     words):
    before = len(endpoint.log)
    status, text = exchange(endpoint.url, "POST", body, headers)
    assert status == 200 and json.loads(text) == fallback()
    endpoint.wait_for_log(words, before)
    assert not any("Traceback" in line for line in endpoint.log)


def test_a_chunked_request_is_read_too(endpoint):
    request = sample_project().walks[0].steps[0].request.encode("utf-8")
    chunked = iter([request[:10], request[10:]])
    parts = urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", "/", body=chunked, encode_chunked=True,
                           headers={"Transfer-Encoding": "chunked"})
        reply = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    assert "inputs" in reply and reply != fallback()


def test_card_data_never_reaches_the_log(endpoint):
    payload = json.loads(sample_project().walks[0].steps[0].request)
    payload["payment_info"] = [{"last_four": "1111", "cvv": int(CVV), "card_number": CARD}]
    payload["call_id"] = CARD
    before = len(endpoint.log)
    exchange(endpoint.url, "POST", json.dumps(payload).encode())
    exchange(endpoint.url, "POST", json.dumps(payload).encode()[:-5])  # cut: refused
    exchange(endpoint.url, "GET", path=f"/health?card={CARD}")
    endpoint.wait_for_log("refused a request: its body is not JSON", before)
    line = endpoint.wait_for_log("call \\?, branch 100", before)
    assert line
    for text in endpoint.log:
        assert CVV not in text and CARD not in text


def test_the_exported_tests_pass_against_the_endpoint_and_fail_against_another(
        endpoint, tmp_path):
    project = sample_project()
    tests = tmp_path / "test_appointments.py"
    tests.write_text(export_tests(project), encoding="utf-8")
    result = run_exported_tests(tests, endpoint.url)
    assert result.returncode == 0, result.stderr
    assert "Ran 3 tests" in result.stderr and result.stderr.rstrip().endswith("OK")

    changed = set_rule(project, 2, 0, when="time is between 11:00 and 17:00")
    other = start_exported(changed, tmp_path, "changed.py")
    try:
        result = run_exported_tests(tests, other.url)
    finally:
        other.stop()
    assert result.returncode == 1
    assert "Reschedule, then the front desk in office hours, Step 3: branch 300, after key 0" \
        in result.stderr
    assert "the endpoint runs another version of the project" in result.stderr
    assert "failures=2" in result.stderr


def test_the_exported_tests_need_an_address(tmp_path):
    tests = tmp_path / "t.py"
    tests.write_text(export_tests(sample_project()), encoding="utf-8")
    result = run_exported_tests(tests, "")
    assert result.returncode == 2 and "Give the endpoint's address" in result.stderr


def test_the_file_stands_alone_on_python_3_10(tmp_path):
    text = export_endpoint(sample_project()).text
    tree = ast.parse(text, feature_version=(3, 10))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert "console" not in imported
    tests = ast.parse(export_tests(sample_project()), feature_version=(3, 10))
    assert {a.name.split(".")[0] for n in ast.walk(tests) if isinstance(n, ast.Import)
            for a in n.names} <= set(sys.stdlib_module_names)


def test_the_copied_modules_define_each_name_once():
    names: dict[str, str] = {}
    folder = Path(project_package.__file__).parent
    for module in MODULES:
        body = module_body((folder / module).read_text(encoding="utf-8"))
        for node in ast.parse(body).body:
            defined = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined = [node.name]
            elif isinstance(node, ast.Assign):
                defined = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined = [node.target.id]
            for name in defined:
                assert name not in names, f"{name} is in {names.get(name)} and {module}"
                names[name] = module


@pytest.mark.expect_log("WARNING", r"refused a request: its body is not JSON",
                        logger="voitex_ivr_endpoint")
def test_the_wsgi_application_answers_like_the_server(tmp_path):
    path = tmp_path / "wsgi_endpoint.py"
    path.write_text(export_endpoint(sample_project()).text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("wsgi_endpoint", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["wsgi_endpoint"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["wsgi_endpoint"]
    statuses = []

    def call(method, body=b""):
        environ = {"REQUEST_METHOD": method, "CONTENT_LENGTH": str(len(body)),
                   "wsgi.input": io.BytesIO(body)}
        return json.loads(b"".join(module.application(environ, lambda s, h: statuses.append(s))))

    assert call("GET")["version"] == project_version(sample_project())
    assert call("POST", b"nope") == fallback()
    assert "inputs" in call("POST", sample_project().walks[0].steps[0].request.encode())
    assert statuses == ["200 OK"] * 3


def test_problems_that_would_make_the_endpoint_differ_stop_the_export():
    project = set_rule(sample_project(), 0, 0, when="input is")
    project = replace(project, triggers=project.triggers + (Trigger("100"),))
    problems = blocking_problems(project)
    assert [p.split(":")[0] for p in problems] == [
        "Trigger 100 \u201cConfirm\u201d, rule 1 \u201cConfirmed\u201d", "Trigger 100"]
    with pytest.raises(ExportError, match="The endpoint was not exported: Trigger 100"):
        export_endpoint(project)
    with pytest.raises(ExportError, match="no saved walks"):
        export_tests(Project())


@pytest.mark.skipif(os.name == "nt", reason="sends SIGTERM")
def test_sigterm_stops_it_cleanly(tmp_path):
    running = start_exported(sample_project(), tmp_path)
    assert running.stop() == 0
    assert running.stdout.get(timeout=30).strip() == "Stopped."


def test_a_port_in_use_is_said_in_words(endpoint, tmp_path):
    import subprocess

    path = tmp_path / "second.py"
    path.write_text(export_endpoint(sample_project()).text, encoding="utf-8")
    port = str(urlsplit(endpoint.url).port)
    result = subprocess.run([sys.executable, "-I", str(path), "--port", port],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr

