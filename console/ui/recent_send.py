"""Before a one-off SMS or call: did the same words go to this number within the hour, from
any desk of the office? Then the user is asked: "… sent by Front desk at 10:42. Send anyway?"

`find_same_send` reads History and runs off the window's thread (on an office database it is
a round trip to another machine); `same_send_question` words the answer on the window's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.store.interface import HistoryStore
from console.ui.send_flow import Confirmation

__all__ = ["RECENT", "SameSend", "find_same_send", "same_send_question"]

RECENT = timedelta(hours=1)


@dataclass(frozen=True)
class SameSend:
    desk: str  # "" for entries written before desks were recorded
    at: datetime  # UTC
    outcome: str
    mine: bool  # written by this desk


def find_same_send(history: HistoryStore | None, *, kind: str, recipient: str, content: str,
                   now: datetime | None = None) -> SameSend | None:
    """The newest entry of `kind` to `recipient` with `content` in the last hour (not failed),
    from every desk and profile; None when there is none or History cannot be read (the send
    itself is not at stake: its own pending entry is written or it does not go)."""
    if history is None or not recipient:
        return None
    since = (now or datetime.now(UTC)) - RECENT
    try:
        entries = history.query(kind=kind, since=since, text=recipient, limit=100)
    except Exception:  # History cannot be read: the send's own journal write says so
        return None
    own = getattr(history, "desk", None)
    for entry in entries:  # newest first
        if entry.recipient == recipient and entry.content == content and entry.outcome != "failed":
            at = datetime.fromisoformat(entry.created_at)
            return SameSend(desk=entry.desk, at=at if at.tzinfo else at.replace(tzinfo=UTC),
                            outcome=entry.outcome, mine=bool(own) and entry.desk == own)
    return None


def same_send_question(found: SameSend, *, to: str, what: str, action: str,
                       declined: str) -> Confirmation:
    """`what`: "message" or "call"; `to` as shown."""
    at = found.at.astimezone().strftime("%H:%M")
    if found.desk and found.mine:
        by = f"sent by this desk ({found.desk}) at {at}"
    elif found.desk:
        by = f"sent by {found.desk} at {at}"
    else:
        by = f"sent at {at}"
    state = ("" if found.outcome == "done" else
             " Its outcome is not known yet: it may already have arrived.")
    return Confirmation(
        title=f"Send the same {what} again?",
        text=f"This same {what} went to {to} in the last hour: {by}.{state}",
        informative="Send it again anyway? Check History first if you are not sure.",
        action=action, declined=declined)
