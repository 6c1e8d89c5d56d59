"""Step 4: every History entry names the desk and the operator (OS user) that made it.

Also a small key/value table of the store's own (``store_meta``): in SQLite
it keeps the file's identity, which the one-time import into an office
database uses so that importing the same file twice adds nothing twice. In
PostgreSQL, imported entries and catalogue rows carry that origin in
``source_key`` (unique), and the entries a desk left pending are found by desk.
"""
from __future__ import annotations

SQLITE = """
ALTER TABLE entries ADD COLUMN desk TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN operator TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

POSTGRES = """
ALTER TABLE entries ADD COLUMN IF NOT EXISTS desk TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN IF NOT EXISTS operator TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN IF NOT EXISTS source_key TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS entries_source ON entries (source_key)
    WHERE source_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_pending_desk ON entries (desk) WHERE outcome = 'pending';
ALTER TABLE catalogue_entries ADD COLUMN IF NOT EXISTS source_key TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS catalogue_source ON catalogue_entries (source_key)
    WHERE source_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
