"""Property: whatever bytes end up in history.sqlite3, the journal opens, History
can list and export every entry, and a repair names the file (Hypothesis, real files)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.store.journal import Journal

ENTRIES = 150


def template() -> bytes:
    """A real history file with entries of every kind and another part's table."""
    if not hasattr(template, "data"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "history.sqlite3"
            journal = Journal(path)
            with journal.batch():
                for n in range(ENTRIES):
                    kind = ("sms", "call", "tts", "upload")[n % 4]
                    entry_id = journal.begin(
                        kind=kind, profile_id="office", profile_name="Office",
                        recipient=f"845{n:07d}", content=f"Entry {n} " + "é" * (n % 40),
                        request={"to": f"845{n:07d}", "n": n}, group_id=f"run-{n % 5}")
                    journal.finish(entry_id, outcome=("done", "failed", "unknown")[n % 3],
                                   messages=[f"note {n}"])
            journal.database.ensure_tables(
                "CREATE TABLE IF NOT EXISTS other_rows (id INTEGER PRIMARY KEY, path TEXT);")
            with journal.database.transaction() as db:
                db.executemany("INSERT INTO other_rows (path) VALUES (?)",
                               [(f"/m/{n}.wav",) for n in range(80)])
            journal.close()
            template.data = path.read_bytes()
    return template.data


damage = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("bytes"), st.floats(0.0, 1.0), st.binary(min_size=1, max_size=6000)),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damages=st.lists(damage, min_size=1, max_size=3))
def test_any_damage_still_opens_lists_and_exports(damages):
    data = bytearray(template())
    for harm in damages:
        if harm[0] == "truncate":
            del data[int(len(data) * harm[1]):]
        else:
            offset = int(len(data) * harm[1])
            data[offset:offset + len(harm[2])] = harm[2]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        path.write_bytes(bytes(data))
        journal = Journal(path)
        try:
            if journal.load_warning is not None:
                assert str(path) in journal.load_warning
                assert list(path.parent.glob("history.sqlite3.broken-*"))
            entries = journal.query(limit=10_000)
            assert len(entries) == journal.count() <= ENTRIES
            for entry in entries:
                # What the History tab reads from each entry.
                entry.created.astimezone()
                " ".join(entry.content.split())
                entry.recipient.isdigit()
                assert isinstance(entry.request, dict)
                assert all(isinstance(m, str) for m in entry.messages)
            assert journal.export_csv(Path(folder) / "out.csv") == len(entries)
            new_id = journal.begin(kind="sms", profile_id="o", profile_name="O",
                                   recipient="8451234567", content="after the damage")
            assert journal.get(new_id).content == "after the damage"
        finally:
            journal.close()
