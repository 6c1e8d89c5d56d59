"""Runs built for tests: a store on the console_env's history file, a runner on its Sender."""
from __future__ import annotations

from datetime import UTC, datetime

from console.jobs.broadcast_runner import BroadcastRunner, send_broadcast_row
from console.store.broadcasts import NewRow, RunSpec, SqliteBroadcastStore


class FixedClock:
    """The wall clock the runner judges quiet hours by; moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# Noon in New York (17:00 UTC in January): every US zone but Hawaii is inside 08:00-21:00.
NOON_NEW_YORK = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def numbers(count: int, area: str = "212") -> list[str]:
    return [f"{area}555{i:04d}" for i in range(count)]


def make_run(store, *, count=None, to=None, kind="sms", texts=None, start_at=None, **settings):
    to = to or numbers(count or 3)
    texts = texts or [f"Hello customer {i}" for i in range(len(to))]
    base = ({"from": "8459511000"} if kind == "sms"
            else {"cid": "8459511000", "type": "stream", "sfile_id": "918357"})
    base.update({"per_second": 50, "per_minute": 6000, "office_zone": "America/New_York"})
    base.update(settings)
    return store.create_run(
        RunSpec(profile_id="sandbox", profile_name="Sandbox", kind=kind, name="Test run",
                settings=base, start_at=start_at),
        [NewRow(source_row=i + 2, number=n, text=t, segments=1)
         for i, (n, t) in enumerate(zip(to, texts, strict=False))])


def make_runner(env, store, clock):
    async def send_row(run, row):
        return await send_broadcast_row(env.sender, run, row)

    return BroadcastRunner(store=store, send_row=send_row, clock=clock, history=env.journal,
                           current_profile_id=lambda: env.session.profile.id)


def journal_sends(path, to: str, times, *, group_id: str = "99") -> None:
    """Messages to `to` at `times`, journalled as another broadcast's (done)."""
    from console.store.journal import Journal

    for moment in times:
        journal = Journal(path, clock=lambda moment=moment: moment)
        try:
            entry = journal.begin(kind="sms", profile_id="other", profile_name="Other desk",
                                  recipient=to, content="Another broadcast", group_id=group_id)
            journal.finish(entry, outcome="done")
        finally:
            journal.close()


def open_store(env) -> SqliteBroadcastStore:
    return SqliteBroadcastStore(env.journal.path)
