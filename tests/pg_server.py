"""A real PostgreSQL server for the tests, started with initdb and pg_ctl in a temporary folder.

Never a system service: the server belongs to the test session, listens on a
unix socket in its own folder and on a free loopback port, and is stopped and
deleted at the end. initdb refuses to run as root, so as root the server runs
as an unprivileged user (``VOITEX_UNPRIVILEGED_USER``, default ``voitex-ci``,
the user .ci/unprivileged-tests.sh also uses), created here if missing, through
``runuser -u USER --``.

The server programs are found through ``VOITEX_TEST_PG_BIN`` (a folder), then
``initdb`` on PATH, then the newest ``/usr/lib/postgresql/*/bin``. Without them
the PostgreSQL tests are skipped, unless ``VOITEX_TEST_POSTGRES=required`` (set
by .ci/run), when they fail.
"""
from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_ENV = "VOITEX_TEST_POSTGRES"
BIN_ENV = "VOITEX_TEST_PG_BIN"
USER_ENV = "VOITEX_UNPRIVILEGED_USER"
DEFAULT_USER = "voitex-ci"
SUPERUSER = "voitex_admin"
# A login with a password, for the tests that connect over TCP as a desk does.
DESK_ROLE, DESK_PASSWORD = "voitex_desk", "desk-password-5d1c"


class ServerUnavailable(Exception):
    """No PostgreSQL server programs on this machine (the message says what was looked for)."""


def postgres_required() -> bool:
    return os.environ.get(REQUIRED_ENV, "").strip().lower() in ("required", "1", "yes")


def find_bin_dir() -> Path:
    candidates: list[Path] = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)

    def version(folder: str) -> tuple[int, ...]:
        name = Path(folder).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit()) or (0,)

    candidates.extend(Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version,
                                              reverse=True))
    for folder in candidates:
        if all((folder / program).exists() for program in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise ServerUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl, postgres) were found on PATH, in "
        f"${BIN_ENV} or under /usr/lib/postgresql/*/bin: install Debian's `postgresql` package "
        "to run the PostgreSQL tests")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_user(name: str) -> None:
    """The unprivileged user, created once (idempotent: an existing user is kept)."""
    with contextlib.suppress(KeyError):
        import pwd

        pwd.getpwnam(name)
        return
    result = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                             "/usr/sbin/nologin", name], capture_output=True, text=True, check=False)
    # 9: another process created it meanwhile.
    if result.returncode not in (0, 9):
        raise RuntimeError(f"useradd {name} failed: {result.stderr.strip()}")


@dataclass
class PgServer:
    bin_dir: Path
    folder: Path
    port: int
    user: str | None  # the OS user the server runs as (None: this process's own)
    log: Path = field(init=False)
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.log = self.folder / "server.log"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def _as_user(self, *argv: str) -> list[str]:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def _run(self, *argv: str) -> None:
        result = subprocess.run(self._as_user(*argv), capture_output=True, text=True,
                                cwd=self.folder, check=False, timeout=120)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()}\n{log}")

    def start(self) -> None:
        self.socket_dir.mkdir()
        if self.user:
            shutil.chown(self.folder, self.user)
            shutil.chown(self.socket_dir, self.user)
        password_file = self.folder / "pwfile"
        password_file.write_text("unused-superuser-password\n")
        if self.user:
            shutil.chown(password_file, self.user)
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth-local=trust",
                  "--auth-host=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        settings = {
            "listen_addresses": "'127.0.0.1'", "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            # A throwaway server: speed over durability (the code under test asks
            # for durable commits; the disk's flush is not what is tested).
            "fsync": "off", "full_page_writes": "off", "synchronous_commit": "on",
            "max_connections": "100", "shared_buffers": "32MB", "log_min_messages": "warning",
        }
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log), "-w", "-t", "60", "start")
        with self.admin() as conn:
            conn.execute(f"CREATE ROLE {DESK_ROLE} LOGIN PASSWORD '{DESK_PASSWORD}'")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def conninfo(self, dbname: str = "postgres", *, tcp: bool = False, user: str = SUPERUSER,
                 password: str | None = None) -> str:
        import psycopg.conninfo

        params: dict[str, str | int] = {"dbname": dbname, "user": user, "port": self.port,
                                        "host": "127.0.0.1" if tcp else str(self.socket_dir)}
        if password is not None:
            params["password"] = password
        return psycopg.conninfo.make_conninfo(**params)  # type: ignore[arg-type]

    def admin(self, dbname: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=True)

    def new_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" OWNER {DESK_ROLE} TEMPLATE template0')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PgServer:
    bin_dir = find_bin_dir()
    user: str | None = None
    if os.geteuid() == 0:
        user = os.environ.get(USER_ENV) or DEFAULT_USER
        ensure_user(user)
    folder = Path(tempfile.mkdtemp(prefix="voitex-pg-"))
    folder.chmod(0o755)
    server = PgServer(bin_dir=bin_dir, folder=folder, port=free_port(), user=user)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
