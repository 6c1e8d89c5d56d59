"""Export the saved walks as a test file that runs against a running endpoint.

The file needs only Python 3.10 and its standard library (unittest, urllib):

    python3 test_appointments_endpoint.py --endpoint http://127.0.0.1:8080/

Each walk is one test; each of its requests is posted as saved (the card
verification value was never saved) and the reply must be the JSON the
project gave when the walk was saved. One more test compares the endpoint's
/health version with the version the tests were exported from.
"""
from __future__ import annotations

import json
import re
from datetime import date

from console import __version__
from console.branch.project.compiled import project_version
from console.branch.project.exporter import ExportError, endpoint_file_name, slug, tests_file_name
from console.branch.project.model import Project
from console.branch.project.walks import step_title
from console.branch.schema import design_to_json

_TEMPLATE = r'''#!/usr/bin/env python3
r"""Tests for the Voitex IVR endpoint of the project @NAME@, version @VERSION@.

Exported by Voitex Console @CONSOLE@ on @DATE@ with @COUNT@. Run against the
endpoint (exported as @ENDPOINT_FILE@, or any endpoint meant to answer alike):

    python3 @FILE@ --endpoint http://127.0.0.1:8080/

or set VOITEX_ENDPOINT instead of --endpoint. Standard library only.
"""
from __future__ import annotations

import json
import os
import sys
import unittest
import urllib.error
import urllib.request

VERSION = @VERSION_LITERAL@
WALKS = json.loads(
@WALKS@
)
ENDPOINT = os.environ.get("VOITEX_ENDPOINT", "")
TIMEOUT_S = 10.0


def post(payload):
    request = urllib.request.Request(
        ENDPOINT, data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return response.status, response.read().decode("utf-8")


class WalkTests(unittest.TestCase):
    maxDiff = None

    def check_walk(self, walk):
        for step in walk["steps"]:
            with self.subTest(step=step["title"]):
                status, text = post(step["request"])
                self.assertEqual(status, 200, f"{step['title']}: HTTP {status}")
                try:
                    got = json.loads(text)
                except ValueError:
                    self.fail(f"{step['title']}: the reply is not JSON: {text[:200]!r}")
                self.assertEqual(got, json.loads(step["expect"]),
                                 f"{walk['name']}, {step['title']} (expected the reply of "
                                 f"{step['answered_by']})")

    def test_health_version(self):
        url = ENDPOINT.split("?")[0].rstrip("/") + "/health"
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
                health = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, ValueError) as error:
            self.skipTest(f"the endpoint has no /health of an exported endpoint ({error})")
        if not isinstance(health, dict) or "version" not in health:
            self.skipTest("the endpoint's /health does not give a version")
        self.assertEqual(health["version"], VERSION,
                         "the endpoint runs another version of the project: export the "
                         "endpoint and the tests again, and run both")


def _walk_test(walk):
    def test(self):
        self.check_walk(walk)
    test.__doc__ = walk["name"]
    return test


for _number, _walk in enumerate(WALKS, start=1):
    setattr(WalkTests, f"test_walk_{_number:02d}_{_walk['slug']}", _walk_test(_walk))


def main(argv):
    global ENDPOINT
    rest = [argv[0]]
    arguments = iter(argv[1:])
    for argument in arguments:
        if argument == "--endpoint":
            ENDPOINT = next(arguments, "")
        elif argument.startswith("--endpoint="):
            ENDPOINT = argument.split("=", 1)[1]
        else:
            rest.append(argument)
    if not ENDPOINT:
        print("Give the endpoint's address: --endpoint http://127.0.0.1:8080/", file=sys.stderr)
        return 2
    program = unittest.main(argv=rest, exit=False)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


def export_tests(project: Project, *, today: date | None = None) -> str:
    if not project.walks:
        raise ExportError("There are no saved walks to export as tests. Walk a call on the "
                          "\u201cWalk the call\u201d page and save it as a test case first.")
    walks = []
    for walk in project.walks:
        walks.append({
            "name": walk.name,
            "slug": slug(walk.name, "walk").replace("-", "_"),
            "steps": [{"title": step_title(step, number),
                       "request": json.loads(step.request),
                       "expect": design_to_json(step.expect, compact=True),
                       "answered_by": step.answered_by}
                      for number, step in enumerate(walk.steps, start=1)],
        })
    data = json.dumps(walks, ensure_ascii=True, sort_keys=True, indent=1)
    literal = "\n".join(f"    {line!r}" for line in data.splitlines(keepends=True))
    count = f"{len(walks)} walk" + ("s" if len(walks) != 1 else "")
    replacements = {
        "@NAME@": json.dumps(project.name or "IVR project", ensure_ascii=True),
        "@VERSION_LITERAL@": repr(project_version(project)),
        "@VERSION@": project_version(project),
        "@CONSOLE@": __version__,
        "@DATE@": (today or date.today()).isoformat(),
        "@COUNT@": count,
        "@ENDPOINT_FILE@": endpoint_file_name(project),
        "@FILE@": tests_file_name(project),
        "@WALKS@": literal,
    }
    # One pass, so a marker inside a walk's name stays as typed.
    return re.sub(r"@[A-Z_]+@", lambda match: replacements.get(match.group(0), match.group(0)),
                  _TEMPLATE)
