"""One schema for both engines, in numbered steps.

Each step is a module ``mNNN_<what>.py`` with the SQL for SQLite (``SQLITE``)
and for PostgreSQL (``POSTGRES``): the same tables and meanings, each in its
engine's own dialect. Version N means "steps 1..N have run", in either engine.
A step, once released, is never edited: a change is a new step. SQLite counts
the steps in ``PRAGMA user_version``; PostgreSQL in the one-row table
``voitex_schema``. A store written by a newer console (a version above
`SCHEMA_VERSION`) is refused, never guessed at.

The steps run in one transaction with the new number, so a store is never
left half-migrated; in PostgreSQL under an advisory lock, so two desks that
start at once do not both migrate.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.store.migrations import (
    m001_journal,
    m002_search,
    m003_uploads_catalogue,
    m004_desk_operator,
    m005_recipient_index,
    m006_broadcasts,
    m007_office_sharing,
)

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    sqlite: str
    postgres: str


def _step(number: int, module: object) -> Step:
    name = getattr(module, "__name__", "").rsplit(".", 1)[-1]
    return Step(number, name, getattr(module, "SQLITE"), getattr(module, "POSTGRES"))  # noqa: B009


STEPS: tuple[Step, ...] = tuple(
    _step(n, m) for n, m in enumerate(
        (m001_journal, m002_search, m003_uploads_catalogue, m004_desk_operator,
         m005_recipient_index, m006_broadcasts, m007_office_sharing), start=1))
SCHEMA_VERSION = len(STEPS)

# pg_advisory_xact_lock key for migrations ("voitex" in ASCII, as a number).
PG_MIGRATION_LOCK = 0x766F69746578


class NewerSchemaError(Exception):
    """The store was written by a newer Voitex Console; the message says what to do."""


def newer_schema_text(where: str, found: int) -> str:
    return (f"{where} was written by a newer version of Voitex Console (schema version {found}; "
            f"this one knows up to {SCHEMA_VERSION}). Install that version again, or move the "
            "store away to start a new history.")


def sqlite_statements(script: str) -> Iterator[str]:
    """The statements of a script, one by one: executescript() would commit
    the surrounding transaction."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


# -- PostgreSQL ---------------------------------------------------------------------

def postgres_version(conn: psycopg.Connection[tuple[Any, ...]]) -> int:
    """The schema version of the database `conn` is on (0: never migrated)."""
    row = conn.execute("SELECT to_regclass('voitex_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT max(version) FROM voitex_schema").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def migrate_postgres(conn: psycopg.Connection[tuple[Any, ...]], where: str) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it had.

    `conn` must not be inside a transaction; it is left outside one."""
    version = postgres_version(conn)
    conn.rollback()  # end the read's implicit transaction
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(newer_schema_text(where, version))
    if version == SCHEMA_VERSION:
        return version
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_MIGRATION_LOCK,))
        current = postgres_version(conn)  # another desk may have migrated meanwhile
        if current > SCHEMA_VERSION:
            raise NewerSchemaError(newer_schema_text(where, current))
        conn.execute("CREATE TABLE IF NOT EXISTS voitex_schema (version INTEGER NOT NULL)")
        for step in STEPS[current:]:
            conn.execute(step.postgres.encode())
        conn.execute("DELETE FROM voitex_schema")
        conn.execute("INSERT INTO voitex_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
    return version
