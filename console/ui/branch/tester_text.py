"""The tester's words and names, without Qt: what the findings list says when
there is nothing to check, the file name proposed for the runs, the address as
shown (without a password)."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from console.branch.tester import EndpointRun, ReplyOutcome


def nothing_checked_text(outcome: ReplyOutcome) -> str:
    """What the findings list says when there is no reply to check: never
    "No problems found." after a timeout, a refused connection or an HTTP error."""
    if outcome.kind == "no_reply":
        return "Nothing to check: no reply arrived (see the result above)."
    if outcome.kind == "http_error":
        return (f"Nothing to check: the endpoint answered {outcome.status_text}, "
                "so Voitex would not read the reply.")
    return "No problems found."


def runs_file_name(runs: list[EndpointRun]) -> str:
    """The name proposed when saving the test runs: the first run's date and time."""
    stamp = runs[0].sent_at if runs else ""
    digits = stamp.replace("-", "").replace(":", "").replace(" ", "-")
    return f"branch-test-runs-{digits}.json" if digits else "branch-test-runs.json"


def without_password(url: str) -> str:
    """`url` without the user name and password it may carry (for display and logs)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
