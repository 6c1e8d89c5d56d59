"""Step 7: what desks sharing one office database need of each other.

Only PostgreSQL has anything to do (a desk alone on its SQLite file shares
nothing); the SQLite step is empty so that both engines count the same steps.

- ``broadcast_participants``: each desk or desk-less runner taking part in a
  broadcast, with a lease its heartbeat renews (console/store/pg/broadcast_claims.py).
- ``office_profiles``: the account profiles' non-secret part (id, name, numbers,
  base URL, proxy choice) as profiles.json keeps it, one row per profile; a
  deleted profile stays as a tombstone, so a desk that was away does not bring
  it back. Keys stay in each desk's keyring.
- Change news: every change to a shared table sends ``NOTIFY voitex, '<table>'``
  from a statement trigger (only when a row changed); a desk listens and reads
  again (console/store/pg/live.py). Notifications can be lost, so each desk
  also polls: the rarely written tables count their changes in ``voitex_topics``
  (one cheap read tells whether anything changed), the busy ones
  (``entries``, ``broadcast_rows``) carry the writing transaction's id
  (``change_xid``), which a reader compares with the mark of its last look.
- History entries imported from a desk's own file by an earlier version kept
  that file's broadcast run ids as their group; those ids could now meet the
  office's own run ids, so they are prefixed with the file's identity.
"""
from __future__ import annotations

SQLITE = """
-- Nothing to do: a desk alone on its own file shares nothing with other desks.
"""

# Tables whose changes are counted in voitex_topics (written seldom), and those only announced.
COUNTED = ("broadcast_runs", "broadcast_dnc", "broadcast_meta", "broadcast_templates",
           "catalogue_entries", "office_profiles")
ANNOUNCED = ("entries", "broadcast_rows")


def _triggers(table: str, function: str) -> str:
    lines = []
    for event, alias in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        name = f"{table}_{event.lower()}_news"
        lines.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        lines.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {alias} TABLE"
                     f" AS changed FOR EACH STATEMENT EXECUTE FUNCTION {function}();")
    return "\n".join(lines)


POSTGRES = """
CREATE TABLE IF NOT EXISTS broadcast_participants (
    run_id BIGINT NOT NULL REFERENCES broadcast_runs(id),
    participant TEXT NOT NULL,
    desk TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('desk', 'runner')),
    joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, participant)
);
CREATE INDEX IF NOT EXISTS broadcast_rows_claims ON broadcast_rows (run_id, claimed_by)
    WHERE claimed_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS broadcast_rows_change ON broadcast_rows (run_id, change_xid);
CREATE TABLE IF NOT EXISTS office_profiles (
    id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT false,
    updated_at TEXT NOT NULL,
    desk TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS voitex_topics (
    topic TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE OR REPLACE FUNCTION voitex_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id();
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS broadcast_rows_touch ON broadcast_rows;
CREATE TRIGGER broadcast_rows_touch BEFORE UPDATE ON broadcast_rows
    FOR EACH ROW EXECUTE FUNCTION voitex_touch_row();
CREATE OR REPLACE FUNCTION voitex_counted_news() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO voitex_topics (topic, version) VALUES (TG_TABLE_NAME, 1)
            ON CONFLICT (topic) DO UPDATE SET version = voitex_topics.version + 1;
        PERFORM pg_notify('voitex', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION voitex_news() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        PERFORM pg_notify('voitex', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;
""" + "\n".join(_triggers(t, "voitex_counted_news") for t in COUNTED) + "\n" + "\n".join(
    _triggers(t, "voitex_news") for t in ANNOUNCED) + """
UPDATE entries SET group_id = split_part(source_key, ':', 1) || ':' || group_id
    WHERE source_key IS NOT NULL AND group_id IS NOT NULL AND position(':' in group_id) = 0;
"""
