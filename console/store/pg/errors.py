"""What the office database's failures are, as `StoreError`s whose text says what
happened and what to do: unreachable (the network, the server, the password),
busy (another desk holds the rows), refused (no room, no permission...)."""
from __future__ import annotations

import psycopg
import psycopg_pool

from console.store.database import StoreError


class DatabaseUnreachable(StoreError):
    """The office database cannot be reached now; the engine keeps trying."""


class SchemaRefused(StoreError):
    """The office database was written by a newer console (see NewerSchemaError)."""


class DatabaseBusy(StoreError):
    """A row or table was held by another desk longer than LOCK_TIMEOUT_MS (worth a retry)."""

    busy = True


class DatabaseFailed(StoreError):
    """The database refused a statement (no room, no permission, ...); the text says which."""


def translate(err: psycopg.Error | psycopg_pool.PoolTimeout, where: str) -> BaseException:
    """The StoreError that stands for `err`; an IntegrityError (the caller's mistake) stays itself."""
    if isinstance(err, psycopg.IntegrityError):
        return err
    if is_connection_error(err):
        return DatabaseUnreachable(unreachable_text(where, short(err)))
    if isinstance(err, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled
                  | psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected):
        return DatabaseBusy(f"The office database {where} is busy (another desk is writing the "
                            "same rows). Try again in a moment.")
    return DatabaseFailed(f"The office database {where} refused the change ({short(err)}). "
                          "Ask whoever looks after the database, then try again.")


def unreachable_text(where: str, detail: str = "") -> str:
    why = f" ({detail})" if detail else ""
    return (f"The office database {where} cannot be reached{why}, so nothing can be recorded "
            "or sent now. What you typed is kept; the console keeps trying to reconnect and "
            "says so when the database is back.")


def is_connection_error(err: BaseException) -> bool:
    """True for a failure of the connection itself (network, server gone, login), not of a statement."""
    if isinstance(err, psycopg_pool.PoolTimeout | psycopg.InterfaceError):
        return True
    if isinstance(err, psycopg.OperationalError):
        # lock_timeout and statement_timeout are OperationalErrors too, on a live connection.
        return not isinstance(err, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled)
    return False


def short(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
