"""The Office database dialog's Test: which step works, and which one fails, in plain words.

Four steps, in order; the first that fails ends the test:

1. **Reachable**: a TCP connection to host and port (a firewall, a wrong name).
2. **TLS**: the server's certificate is trusted and names the host
   (``verify-full``; skipped on loopback).
3. **Password**: the server lets this user in to this database (the password,
   pg_hba.conf, the database's and the user's names).
4. **Schema version**: what the database holds fits this console (empty or older:
   it is prepared at first use; newer: refused).

Blocking (network, up to CONNECT_TIMEOUT_S per step): call it off the UI thread.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass

from console.store.migrations import SCHEMA_VERSION, postgres_version
from console.store.office import OfficeSettings, is_loopback

CONNECT_TIMEOUT_S = 5
STEPS = ("reachable", "tls", "password", "schema")
STEP_LABELS = {"reachable": "Reachable", "tls": "TLS", "password": "Password",
               "schema": "Schema version"}


@dataclass(frozen=True)
class StepResult:
    step: str
    ok: bool
    text: str


@dataclass(frozen=True)
class ProbeResult:
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(STEPS) and all(s.ok for s in self.steps)

    @property
    def failed(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)

    def text(self) -> str:
        return "\n".join(f"{'✓' if s.ok else '✗'} {STEP_LABELS[s.step]}: {s.text}" for s in self.steps)


def _classify(message: str) -> str:
    """Which step a libpq connection error belongs to."""
    text = message.lower()
    if any(sign in text for sign in ("ssl", "certificate", "tls", "root.crt", "sslrootcert")):
        return "tls"
    if any(sign in text for sign in ("connection refused", "could not translate host name",
                                     "timeout expired", "no route to host", "network is unreachable",
                                     "could not connect")):
        return "reachable"
    return "password"


def _login_text(message: str, settings: OfficeSettings) -> str:
    text = message.lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return (f"the server refused the password for user '{settings.user}'. Check the "
                "Password field (or ask IT for the desk password), then Test again.")
    if "no pg_hba.conf entry" in text:
        return ("the server does not let this computer in (no pg_hba.conf entry for it). Ask IT "
                "to allow this desk's address, then Test again.")
    if "does not exist" in text and "database" in text:
        return (f"the server has no database '{settings.dbname}'. Check the Database field "
                "(IT knows the name), then Test again.")
    if "does not exist" in text and "role" in text:
        return (f"the server has no user '{settings.user}'. Check the User field, then "
                "Test again.")
    return f"the server did not let this desk in ({_first_line(message)}). Ask IT, then Test again."


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return (lines[-1] if lines else message)[:200]


def probe(settings: OfficeSettings, password: str | None) -> ProbeResult:
    """Try each step against the real server; never raises for what the server says."""
    import psycopg

    steps: list[StepResult] = []
    unix_socket = settings.host.startswith("/")
    if unix_socket:
        steps.append(StepResult("reachable", True, f"the socket folder {settings.host}."))
    else:
        try:
            with socket.create_connection((settings.host, settings.port), timeout=CONNECT_TIMEOUT_S):
                pass
        except OSError as err:
            reason = err.strerror or str(err) or type(err).__name__
            steps.append(StepResult("reachable", False, (
                f"{settings.host}:{settings.port} cannot be reached ({reason}). Check the Host and "
                "Port fields and that this computer may reach the server (a firewall), then Test "
                "again.")))
            return ProbeResult(tuple(steps))
        steps.append(StepResult("reachable", True, f"{settings.host} answers on port {settings.port}."))

    try:
        conn = psycopg.connect(settings.conninfo(password), connect_timeout=CONNECT_TIMEOUT_S,
                               autocommit=True, application_name="voitex-console test")
    except psycopg.Error as err:
        message = str(err)
        step = _classify(message)
        if step == "tls":
            steps.append(StepResult("tls", False, (
                f"the connection is not safe to use ({_first_line(message)}). The server must "
                f"offer TLS with a certificate from a trusted authority that names "
                f"'{settings.host}'; ask IT (see the README, \"For an office\").")))
        elif step == "reachable":
            steps[-1] = StepResult("reachable", False, (
                f"{settings.where} did not answer as a database ({_first_line(message)}). Check "
                "the Host and Port fields, then Test again."))
        else:
            steps.append(_tls_step(settings))
            steps.append(StepResult("password", False, _login_text(message, settings)))
        return ProbeResult(tuple(steps))
    try:
        steps.append(_tls_step(settings, conn))
        steps.append(StepResult("password", True, f"user '{settings.user}' is let in."))
        try:
            version = postgres_version(conn)
        except psycopg.Error as err:
            steps.append(StepResult("schema", False, (
                f"the database could not be read ({_first_line(str(err))}). Ask IT to give user "
                f"'{settings.user}' the database (OWNER), then Test again.")))
            return ProbeResult(tuple(steps))
        steps.append(_schema_step(version))
    finally:
        conn.close()
    return ProbeResult(tuple(steps))


def _tls_step(settings: OfficeSettings, conn: object | None = None) -> StepResult:
    if is_loopback(settings.host):
        return StepResult("tls", True, "not needed: the server is on this computer.")
    mode = settings.sslmode
    if mode not in ("verify-full", "verify-ca"):
        return StepResult("tls", True, f"not verified (the address asks for sslmode={mode}).")
    return StepResult("tls", True, "the server's certificate is trusted and names the host.")


def _schema_step(version: int) -> StepResult:
    if version > SCHEMA_VERSION:
        return StepResult("schema", False, (
            f"the database was prepared by a newer Voitex Console (version {version}; this one "
            f"knows up to {SCHEMA_VERSION}). Install the newer console on this desk first."))
    if version == 0:
        return StepResult("schema", True, "the database is empty: it is prepared at first use.")
    if version < SCHEMA_VERSION:
        return StepResult("schema", True, (
            f"version {version}: it is brought to version {SCHEMA_VERSION} at first use."))
    return StepResult("schema", True, f"version {version}, as this console expects.")
