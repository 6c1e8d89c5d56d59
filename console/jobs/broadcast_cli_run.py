"""`voitex-console broadcast run ID`: the desk-less runner's account, journal and participant.

See console/jobs/broadcast_cli.py for the command and its exit codes. The
runner is one more participant in the office broadcast (as a desk is), with
its own account session (no window, no Qt widgets): the broadcast's profile as
the office database keeps it, the key from ``VOITEX_AUTH_KEY`` or the keyring.
Every row goes through the journalled Sender, so History (at every desk)
shows what the runner sent, under its desk name.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from console.domain.vocabulary import RunState
from console.jobs.broadcast_cli_codes import (
    EXIT_ACCOUNT,
    EXIT_DATABASE,
    EXIT_DONE,
    EXIT_PROBLEM,
    EXIT_SIGNAL,
    EXIT_STOPPED_AT_DESK,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    KEY_ENV,
    install_stop_handlers,
)
from console.store.broadcast_types import BroadcastStoreError, RunInfo
from console.store.office import OfficeSettings
from console.store.pg.engine import PgEngine
from console.store.profiles import Profile, base_url_problem

if TYPE_CHECKING:
    from console.api.client import VoitexClient
    from console.api.proxy import ProxyChoice

log = logging.getLogger(__name__)

__all__ = ["open_engine", "run_broadcast", "RunnerSession"]


def _secrets() -> Any:
    from console.store.secrets import SecretStore

    return SecretStore.create()


def _keyring(getter: str, name: str) -> Any:
    """A value from this computer's keyring, or None (none there, or no keyring at all)."""
    try:
        return getattr(_secrets(), getter)(name)
    except Exception as err:  # a server without a keyring is normal: the variable then
        log.info("keyring: %s not read (%s)", getter, type(err).__name__)
        return None


def open_engine(settings: OfficeSettings, *, desk: str | None) -> PgEngine:
    name = desk or socket.gethostname()
    return PgEngine(lambda: settings.conninfo(_keyring("get_key", settings.keyring_name)),
                    where=settings.where, application_name=f"voitex-console runner {name}")


class RunnerSession:
    """What the Sender needs of an account session: the profile, its client, nothing else."""

    def __init__(self, profile: Profile, key: str, proxy: ProxyChoice) -> None:
        self.profile = profile
        self._key = key
        self._proxy = proxy
        self._client: VoitexClient | None = None

    def client(self) -> VoitexClient:
        if self._client is None:
            from console.api.client import VoitexClient

            self._client = VoitexClient(base_url=self.profile.base_url, auth_key=self._key,
                                        proxy=self._proxy)
        return self._client

    # A desk's session counts requests for its status bar; the runner shows none.
    def request_started(self) -> None:
        return None

    def request_finished(self) -> None:
        return None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _office_profile(engine: PgEngine, run: RunInfo) -> Profile | None:
    from console.store.pg.profiles import PgProfiles
    from console.store.profiles import _profile_from_json

    for found in PgProfiles(engine, desk="").pull():
        if found.id == run.profile_id and not found.deleted:
            try:
                return _profile_from_json(found.document)
            except (ValueError, TypeError, KeyError):
                return None
    return None


def _summary(run: RunInfo) -> str:
    from console.jobs.broadcast_cli_codes import counts_words

    return f"broadcast {run.id} ({run.name}): {run.state}; {counts_words(run.counts)}"


async def run_broadcast(engine: PgEngine, settings: OfficeSettings, args: argparse.Namespace) -> int:
    from console.api.proxy import ProxyChoice
    from console.jobs.broadcast_office import desk_participant
    from console.jobs.broadcast_participant import LEASE_S, STOPPED, OfficeParticipant, ParticipantEvents
    from console.jobs.broadcast_send import send_broadcast_row
    from console.jobs.row_judge import RowJudge
    from console.jobs.sender import Sender
    from console.logging_setup import register_secret
    from console.store.identity import operator_name
    from console.store.paths import app_paths
    from console.store.pg.broadcasts import PgBroadcastStore
    from console.store.pg.journal import PgJournal

    desk = args.desk or socket.gethostname()
    store = PgBroadcastStore(engine, desk=desk, owns_engine=False)
    try:
        run = await asyncio.to_thread(store.run, args.id)
        profile = await asyncio.to_thread(_office_profile, engine, run)
    except BroadcastStoreError as err:
        print(f"voitex-console broadcast: {err}")
        return EXIT_STOPPED_AT_DESK if "There is no broadcast" in str(err) else EXIT_DATABASE
    if run.state in (RunState.FINISHED, RunState.CANCELLED):
        print(_summary(run))
        return _code(run, run.state, signalled=False, problem=None)
    base_url = (args.base_url or (profile.base_url if profile else "")).strip().rstrip("/")
    if not base_url:
        print(f"voitex-console broadcast: the office database has no profile '{run.profile_name}' "
              "with a base URL: give --base-url.")
        return EXIT_ACCOUNT
    problem = base_url_problem(base_url)
    if problem:
        print(f"voitex-console broadcast: --base-url: {problem}")
        return EXIT_USAGE
    key = os.environ.get(KEY_ENV, "").strip() or await asyncio.to_thread(
        _keyring, "get_key", run.profile_id)
    if not key:
        print(f"voitex-console broadcast: no account key for '{run.profile_name}': set {KEY_ENV}, "
              f"or save the key in this computer's keyring (profile id {run.profile_id}).")
        return EXIT_ACCOUNT
    register_secret(key)
    credentials = await asyncio.to_thread(_keyring, "get_proxy_credentials", run.profile_id) or ("", "")
    register_secret(credentials[1])
    proxy = ProxyChoice(mode=profile.proxy_mode if profile else "system",
                        address=profile.proxy_address if profile else "",
                        username=credentials[0], password=credentials[1])
    session = RunnerSession(Profile(id=run.profile_id, name=run.profile_name, base_url=base_url,
                                    proxy_mode=proxy.mode, proxy_address=proxy.address),
                            key, proxy)
    folder = Path(app_paths().data_dir) / settings.folder_name / "runner"
    journal = PgJournal(engine, folder=folder, desk=desk, operator=operator_name(),
                        owns_engine=False, replay=False)
    sender = Sender(session=cast(Any, session), journal=journal)
    participant = OfficeParticipant(
        store=store, run_id=run.id, who=desk_participant(desk, "runner"),
        send_row=lambda r, row: send_broadcast_row(sender, r, row),
        judge=RowJudge(store=store, history=journal), lease_s=args.lease or LEASE_S,
        give_up_s=args.wait_for_database,
        events=ParticipantEvents(stopped=lambda why: log.warning("this runner stops: %s", why)))
    print(f"broadcast {run.id} ({run.name}): taking part as {desk}", flush=True)
    task = asyncio.ensure_future(participant.run())
    signalled = asyncio.Event()

    def stop() -> None:
        log.info("broadcast %s: asked to stop", run.id)
        signalled.set()
        participant.stop()
        asyncio.get_running_loop().call_later(max(0.0, args.grace), task.cancel)

    install_stop_handlers(asyncio.get_running_loop(), stop)
    final: str = STOPPED
    try:
        final = await task
    except asyncio.CancelledError:
        final = STOPPED
    except BroadcastStoreError as err:
        print(f"voitex-console broadcast: the office database {settings.where} cannot be used: {err}")
        return EXIT_SIGNAL if signalled.is_set() else EXIT_DATABASE
    except Exception:
        log.exception("broadcast %s: the runner stopped on a problem", run.id)
        return EXIT_PROBLEM
    finally:
        sender.close()
        await session.aclose()
        journal.close()
    try:
        run = await asyncio.to_thread(store.run, run.id)
        print(_summary(run), flush=True)
    except BroadcastStoreError as err:
        log.info("the final counts could not be read: %s", err)
    return _code(run, final, signalled=signalled.is_set(), problem=participant.problem)


def _code(run: RunInfo, final: str, *, signalled: bool, problem: str | None) -> int:
    if signalled:
        return EXIT_SIGNAL
    if problem is not None:
        return EXIT_ACCOUNT
    if final == RunState.FINISHED:
        return EXIT_UNKNOWN if run.unknown else EXIT_DONE
    if final in (RunState.PAUSED, RunState.CANCELLED, RunState.INTERRUPTED):
        return EXIT_STOPPED_AT_DESK
    return EXIT_SIGNAL
