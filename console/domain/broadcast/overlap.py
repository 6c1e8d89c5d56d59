"""Recipients of a new broadcast whom another send would already reach.

Before a broadcast starts, two groups are looked for: customers who got this
same message in the last 24 hours (from any broadcast or a one-off send), and
customers who are still to be sent to by a broadcast that is not over. Either
would get the message twice. The user chooses; the default leaves them out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from console.domain.wording import plural

__all__ = ["RECENT", "Overlap", "find_overlap"]

RECENT = timedelta(hours=24)  # how far back "got the same message" looks


@dataclass(frozen=True)
class Overlap:
    """Which rows of the new broadcast (by their index in its list) another send reaches."""

    recent: dict[int, str] = field(default_factory=dict)  # index -> when it went (ISO 8601, UTC)
    running: dict[int, int] = field(default_factory=dict)  # index -> the run still sending to it

    @property
    def indexes(self) -> set[int]:
        return set(self.recent) | set(self.running)

    def __bool__(self) -> bool:
        return bool(self.recent or self.running)

    def sentences(self) -> list[str]:
        """What the user is told, one sentence a group."""
        lines = []
        if self.recent:
            lines.append(f"{plural(len(self.recent), 'recipient')} got this same message in the "
                         "last 24 hours.")
        if self.running:
            runs = sorted(set(self.running.values()))
            names = ", ".join(f"#{r}" for r in runs)
            lines.append(f"{plural(len(self.running), 'recipient')} still "
                         f"{'waits' if len(self.running) == 1 else 'wait'} to be sent to by "
                         f"{'broadcast' if len(runs) == 1 else 'broadcasts'} {names}, which "
                         f"{'is' if len(runs) == 1 else 'are'} not over.")
        return lines


def find_overlap(rows: Sequence[tuple[str, str]], *, recent: Iterable[tuple[str, str, str]],
                 running: Mapping[str, int]) -> Overlap:
    """`rows`: (number, text) of each row of the new broadcast.
    `recent`: (number, text, when) of what went out in the last 24 hours.
    `running`: number -> run id of the rows other broadcasts still have to send."""
    sent: dict[tuple[str, str], str] = {}
    for number, text, when in recent:
        sent[(number, text)] = when  # the latest wins: rows come oldest first
    found_recent: dict[int, str] = {}
    found_running: dict[int, int] = {}
    for index, (number, text) in enumerate(rows):
        sent_at = sent.get((number, text))
        if sent_at is not None:
            found_recent[index] = sent_at
        run = running.get(number)
        if run is not None:
            found_running[index] = run
    return Overlap(recent=found_recent, running=found_running)
