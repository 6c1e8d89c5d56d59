"""What the branch checks report: one finding per problem, tied to a field.

A finding's `path` names the place in the response or request it is about, the
way the JSON nests: ``("goto",)``, ``("play", 2, "album")``, ``("inputs", 0,
"key")``, ``()`` for the whole thing. Row numbers are 0-based here and 1-based
in the words shown to people.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from console.domain.wording import plural

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
# How bad each severity is, worst first: sort by it, or take the min for the worst.
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True)
class Finding:
    path: Path
    severity: Severity
    code: str  # stable identifier, e.g. "inputs.duplicate_key"; tests and the UI key on it
    message: str  # plain words, complete sentences, shown as they are

    def is_about(self, *prefix: PathPart) -> bool:
        return self.path[: len(prefix)] == prefix


def count_by_severity(findings: tuple[Finding, ...] | list[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def summary_text(findings: tuple[Finding, ...] | list[Finding]) -> str:
    """ "2 problems, 1 warning" style summary; "No problems found." when empty."""
    counts = count_by_severity(findings)
    parts = []
    if counts["error"]:
        parts.append(plural(counts["error"], "problem"))
    if counts["warning"]:
        parts.append(plural(counts["warning"], "warning"))
    if counts["info"]:
        parts.append(plural(counts["info"], "note"))
    return ", ".join(parts) if parts else "No problems found."
