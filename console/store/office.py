"""Where this desk's office database is, and what the desk is called.

Set in File ▸ Office database… (kept in ``office-database.json`` in the config
folder, never with the password) or by IT with the environment variable
``VOITEX_CONSOLE_DATABASE``, a libpq URL without the password
(``postgresql://voitex@db.office.lan:5432/voitex``), which wins over the file.
The password lives in the keyring (`SecretStore`, under `keyring_name`), or in
libpq's own ``~/.pgpass`` / ``PGPASSWORD`` if IT prefers those.

TLS to the database is verified (``sslmode=verify-full``: the server's
certificate must be signed by a trusted authority and name the host) unless the
host is this computer (loopback, or a unix socket folder). A URL may ask for
another ``sslmode`` or name its own ``sslrootcert``; the dialog never weakens it.
"""
from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from console.store.files import atomic_write
from console.store.identity import clean_desk_name, machine_name

ENV = "VOITEX_CONSOLE_DATABASE"
FILE_NAME = "office-database.json"
DEFAULT_PORT = 5432
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


class OfficeSettingsError(ValueError):
    """The settings cannot be used; the message names the field and what to do."""


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if not host or host.startswith("/"):  # a unix socket's folder
        return True
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class OfficeSettings:
    host: str
    dbname: str
    user: str
    port: int = DEFAULT_PORT
    desk: str = ""  # "" means the machine's name
    # Further libpq parameters from IT's URL (sslmode, sslrootcert, ...).
    extra: Mapping[str, str] = field(default_factory=dict)
    from_environment: bool = False

    @property
    def desk_name(self) -> str:
        return clean_desk_name(self.desk) or machine_name()

    @property
    def sslmode(self) -> str:
        chosen = self.extra.get("sslmode")
        if chosen:
            return chosen
        return "prefer" if is_loopback(self.host) else "verify-full"

    @property
    def where(self) -> str:
        """ "voitex on db.office.lan:5432", for messages."""
        return f"{self.dbname} on {self.host}:{self.port}"

    @property
    def keyring_name(self) -> str:
        """The keyring entry of the password. Not a profile id: those are slugs."""
        return f"office-database:{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def folder_name(self) -> str:
        """This desk's own folder for this database (outcomes waiting to be written)."""
        text = f"{self.host}-{self.port}-{self.dbname}".lower()
        return "office-" + "".join(c if c.isalnum() or c in "-." else "_" for c in text)[:80]

    def problems(self) -> list[str]:
        found = []
        if not self.host.strip():
            found.append("Host: this field is empty. Type the database server's name or address.")
        if not 1 <= self.port <= 65535:
            found.append("Port: use a number from 1 to 65535 (PostgreSQL's usual port is 5432).")
        if not self.dbname.strip():
            found.append("Database: this field is empty. Type the database's name (IT knows it).")
        if not self.user.strip():
            found.append("User: this field is empty. Type the database user IT created for the desks.")
        return found

    def conninfo(self, password: str | None = None) -> str:
        """The libpq connection string (with the password, when given: never log it)."""
        import psycopg

        params: dict[str, Any] = dict(self.extra)
        params.update(host=self.host, port=self.port, dbname=self.dbname, user=self.user,
                      sslmode=self.sslmode)
        if (params["sslmode"] in ("verify-full", "verify-ca") and "sslrootcert" not in params
                and psycopg.pq.version() >= 160000):
            # The operating system's trusted authorities (libpq 16 and later),
            # rather than ~/.postgresql/root.crt, which desks do not have.
            params["sslrootcert"] = "system"
        if password:
            params["password"] = password
        return psycopg.conninfo.make_conninfo(**params)


def from_url(url: str, *, desk: str = "") -> OfficeSettings:
    """Settings from a libpq URL or key=value string; one with a password is refused."""
    import psycopg

    try:
        params = psycopg.conninfo.conninfo_to_dict(url.strip())
    except psycopg.ProgrammingError as err:
        raise OfficeSettingsError(
            f"{ENV} is not a PostgreSQL address ({err}). Use the form "
            "postgresql://USER@HOST:5432/DATABASE.") from None
    if params.get("password"):
        raise OfficeSettingsError(
            f"{ENV} holds a password. Remove it from the address: the console keeps the "
            "password in this computer's keyring (File ▸ Office database…).")
    extra = {str(k): str(v) for k, v in params.items()
             if k not in ("host", "port", "dbname", "user") and v is not None}
    try:
        port = int(str(params.get("port") or DEFAULT_PORT))
    except ValueError:
        raise OfficeSettingsError(f"{ENV}: the port is not a number.") from None
    settings = OfficeSettings(host=str(params.get("host") or ""), port=port,
                              dbname=str(params.get("dbname") or ""),
                              user=str(params.get("user") or ""), desk=desk, extra=extra,
                              from_environment=True)
    problems = settings.problems()
    if problems:
        raise OfficeSettingsError(f"{ENV}: " + " ".join(problems))
    return settings


def settings_file(config_dir: Path) -> Path:
    return config_dir / FILE_NAME


def load(config_dir: Path, environ: Mapping[str, str] | None = None) -> OfficeSettings | None:
    """The office database of this desk, or None (the desk keeps its own SQLite file).

    The environment variable wins over the file; the desk's name comes from the
    file either way. Raises `OfficeSettingsError` for settings that cannot be used."""
    environ = os.environ if environ is None else environ
    saved = _read(settings_file(config_dir))
    desk = str(saved.get("desk") or "")
    url = environ.get(ENV, "").strip()
    if url:
        return from_url(url, desk=desk)
    if not saved.get("host"):
        return None
    try:
        port = int(saved.get("port") or DEFAULT_PORT)
    except (TypeError, ValueError):
        port = DEFAULT_PORT
    extra = saved.get("extra")
    return OfficeSettings(host=str(saved["host"]), port=port, dbname=str(saved.get("dbname") or ""),
                          user=str(saved.get("user") or ""), desk=desk,
                          extra={str(k): str(v) for k, v in extra.items()}
                          if isinstance(extra, dict) else {})


def load_desk(config_dir: Path) -> str:
    """The desk's name as saved ("" when none: the machine's name then)."""
    return clean_desk_name(str(_read(settings_file(config_dir)).get("desk") or ""))


def save(config_dir: Path, settings: OfficeSettings | None, *, desk: str = "") -> None:
    """Keep the settings (no password); None keeps only the desk's name (the desk then uses
    its own file). Settings from the environment are not written: only the desk's name."""
    data: dict[str, Any] = {"desk": clean_desk_name(settings.desk if settings else desk)}
    if settings is not None and not settings.from_environment:
        data.update(host=settings.host, port=settings.port, dbname=settings.dbname,
                    user=settings.user)
        if settings.extra:
            data["extra"] = dict(settings.extra)
    with atomic_write(settings_file(config_dir), "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)


def with_desk(settings: OfficeSettings, desk: str) -> OfficeSettings:
    return replace(settings, desk=clean_desk_name(desk))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
