"""The active account: its profile, its key and its one long-lived client."""
from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from console.logging_setup import register_secret
from console.store.profiles import Profile, ProfileStore

if TYPE_CHECKING:
    from console.api import VoitexClient
    from console.api.probe import Step
    from console.api.proxy import ProxyChoice
    from console.store.secrets import SecretStore  # keyring: imported once the window is up

log = logging.getLogger(__name__)


class NoKeyError(Exception):
    """The active profile has no key yet; the message says where to add one."""


class AccountSession(QObject):
    """Owns one VoitexClient per profile, created inside the running loop.

    The sandbox profile's key is the embedded server's key, kept in memory
    only. Live profiles' keys come from the secret store, read off the UI
    thread because keyring calls block (a locked keyring may show a prompt).
    """

    profile_changed = Signal(object)  # Profile
    in_flight_changed = Signal(int)
    # The start-up check of a live profile found a step that fails: a sentence for the user.
    connection_problem = Signal(str)

    def __init__(self, *, profiles: ProfileStore, secrets: SecretStore,
                 sandbox_url: str, sandbox_key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profiles = profiles
        self.secrets = secrets
        self.sandbox_url = sandbox_url
        self._sandbox_key = sandbox_key
        self._keys: dict[str, str] = {}
        # Each live profile's proxy user name and password, read with its key.
        self._proxy_credentials: dict[str, tuple[str, str]] = {}
        self._clients: dict[str, VoitexClient] = {}
        # What each client was built from: another base URL or proxy, another client.
        self._built_from: dict[str, tuple[str, ...]] = {}
        self._closing: set[asyncio.Future[None]] = set()
        self._check: asyncio.Future[None] | None = None
        self._in_flight = 0
        all_profiles = self.profiles.load()
        wanted = self.profiles.active_id
        self._profile = next((p for p in all_profiles if p.id == wanted), None) or next(
            p for p in all_profiles if p.is_sandbox)

    # -- profile -----------------------------------------------------------
    @property
    def profile(self) -> Profile:
        return self._resolved(self._profile)

    def _resolved(self, profile: Profile) -> Profile:
        if profile.is_sandbox:
            profile.base_url = self.sandbox_url
        return profile

    def all_profiles(self) -> list[Profile]:
        return [self._resolved(p) for p in self.profiles.load()]

    def reload_profile(self) -> None:
        """Pick up edits made to the active profile (and drop stale clients)."""
        fresh = {p.id: p for p in self.profiles.load()}
        if self._profile.id not in fresh:
            self._profile = fresh["sandbox"]
        else:
            self._profile = fresh[self._profile.id]
        self.profile_changed.emit(self.profile)

    async def activate(self, profile_id: str) -> None:
        profiles = {p.id: p for p in self.profiles.load()}
        if profile_id not in profiles:
            raise KeyError(profile_id)
        target = profiles[profile_id]
        # The key first: if the keyring fails, the console stays on the
        # profile the banner shows, instead of sending to the new one unseen.
        if not target.is_sandbox:
            await self.load_key(profile_id)
        self._profile = target
        self.profiles.active_id = profile_id
        self.profile_changed.emit(self.profile)

    async def load_active_key(self) -> None:
        """At start-up: the key of the profile the console opened on."""
        if not self._profile.is_sandbox:
            await self.load_key(self._profile.id)
            self.profile_changed.emit(self.profile)

    def check_soon(self) -> None:
        """At start-up, on a live profile with a key: try the way to Voitex in the
        background, so that a proxy that refuses or a certificate not trusted is
        told now, not at the first send (``connection_problem``)."""
        if not self._profile.is_sandbox and self._profile.id in self._keys:
            self._check = asyncio.ensure_future(self._check_at_start())

    async def _check_at_start(self) -> None:
        profile = self.profile
        try:
            steps = await self.check_active_profile()
        except Exception:  # a check that breaks must not break start-up
            log.exception("the start-up connection check failed")
            return
        failed = next((step for step in steps or [] if step.state == "failed"), None)
        if failed is not None:
            log.info("start-up connection check: %s failed", failed.name)
            self.connection_problem.emit(
                f"Connection test for ‘{profile.name}’: {failed.title} failed. {failed.detail} "
                "(Profile ▸ Manage profiles ▸ Test connection tries again.)")

    # -- keys ----------------------------------------------------------------
    async def load_key(self, profile_id: str) -> str | None:
        key = await asyncio.to_thread(self.secrets.get_key, profile_id)
        if key:
            register_secret(key)  # the log filter and crash reports redact it from now on
            self._keys[profile_id] = key
        await self.load_proxy_credentials(profile_id)
        return key

    async def load_proxy_credentials(self, profile_id: str) -> None:
        """The profile's proxy user name and password from the keyring (none is normal)."""
        getter = getattr(self.secrets, "get_proxy_credentials", None)
        found = await asyncio.to_thread(getter, profile_id) if getter is not None else None
        if found:
            if found[1]:
                register_secret(found[1])
            self._proxy_credentials[profile_id] = found
        else:
            self._proxy_credentials.pop(profile_id, None)

    def proxy_choice(self, profile: Profile | None = None) -> ProxyChoice:
        """The proxy setting the profile's client uses, with its credentials."""
        from console.api.proxy import ProxyChoice

        profile = profile or self.profile
        user, password = self._proxy_credentials.get(profile.id, ("", ""))
        return ProxyChoice(mode=profile.proxy_mode, address=profile.proxy_address, username=user,
                           password=password)

    def key_for(self, profile: Profile) -> str | None:
        """The key a request of ``profile`` would carry, if there is one yet."""
        return self._sandbox_key if profile.is_sandbox else self._keys.get(profile.id)

    def proxy_credentials(self, profile_id: str) -> tuple[str, str]:
        """The saved proxy (user name, password), or ("", "")."""
        return self._proxy_credentials.get(profile_id, ("", ""))

    def has_key(self, profile: Profile | None = None) -> bool:
        profile = profile or self._profile
        return profile.is_sandbox or profile.id in self._keys

    async def forget_profile(self, profile_id: str) -> None:
        self._keys.pop(profile_id, None)
        self._proxy_credentials.pop(profile_id, None)
        self._built_from.pop(profile_id, None)
        client = self._clients.pop(profile_id, None)
        if client is not None:
            await client.aclose()

    async def forget_client(self, profile_id: str) -> None:
        """Close the profile's client: the next request builds one with its current settings."""
        self._built_from.pop(profile_id, None)
        client = self._clients.pop(profile_id, None)
        if client is not None:
            await client.aclose()

    async def key_changed(self, profile_id: str) -> None:
        await self.forget_profile(profile_id)
        await self.load_key(profile_id)

    # -- clients -------------------------------------------------------------
    def warm_up(self) -> threading.Thread:
        """Import the HTTP client (httpx and its helpers) on a background thread.

        The first client() would otherwise import it on the event loop's
        thread: 70-110 ms with the window frozen, just as a broadcast or an
        upload starts. Called once the window is painted; importing twice is
        harmless (Python's import lock makes the loop's import wait for this
        one instead of repeating it).
        """
        thread = threading.Thread(target=import_client_modules, name="voitex-warm-up", daemon=True)
        thread.start()
        return thread

    def client(self) -> VoitexClient:
        """The active profile's client. Raises NoKeyError with advice."""
        profile = self.profile
        if profile.is_sandbox:
            key = self._sandbox_key
        else:
            stored = self._keys.get(profile.id)
            if not stored:
                raise NoKeyError(
                    f"There is no account key for '{profile.name}' yet: "
                    "add it in Profile ▸ Manage profiles.")
            key = stored
        client = self._clients.get(profile.id)
        choice = self.proxy_choice(profile)
        wanted = (profile.base_url.rstrip("/"), choice.mode, choice.address, choice.username, choice.password)
        if client is None or self._built_from.get(profile.id) != wanted:
            if client is not None:
                # The base URL or the proxy changed: close the old connections in the background.
                self._closing.add(asyncio.ensure_future(client.aclose()))
                self._closing = {t for t in self._closing if not t.done()}
            from console.api.client import VoitexClient  # httpx: loaded on first request

            # A proxy setting that cannot be used raises InvalidArgumentError
            # (field "proxy"), which every send flow shows as a field error.
            client = VoitexClient(base_url=profile.base_url, auth_key=key, proxy=choice)
            self._clients[profile.id] = client
            self._built_from[profile.id] = wanted
        return client

    # -- the connection test -------------------------------------------------
    async def test_connection(self, *, base_url: str, key: str, proxy: ProxyChoice,
                              on_step: Callable[[Step], object]) -> list[Step]:
        """Try the way to Voitex step by step (console/api/probe.py); sends nothing."""
        from console.api.probe import run_connection_test

        return await run_connection_test(base_url=base_url, auth_key=key, proxy=proxy, on_step=on_step)

    async def check_active_profile(self, on_step: Callable[[Step], object] = lambda step: None) -> list[Step] | None:
        """The start-up check of a live profile with a key: None for the Sandbox or without a key."""
        profile = self.profile
        key = self._keys.get(profile.id)
        if profile.is_sandbox or not key:
            return None
        return await self.test_connection(base_url=profile.base_url, key=key, proxy=self.proxy_choice(profile),
                                          on_step=on_step)

    # -- requests in flight --------------------------------------------------
    def request_started(self) -> None:
        self._in_flight += 1
        self.in_flight_changed.emit(self._in_flight)

    def request_finished(self) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self.in_flight_changed.emit(self._in_flight)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def aclose(self) -> None:
        if self._check is not None and not self._check.done():
            self._check.cancel()
            await asyncio.gather(self._check, return_exceptions=True)
        clients, self._clients = list(self._clients.values()), {}
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        for client in clients:
            try:
                await client.aclose()
            except Exception:  # closing must not stop the others from closing
                log.exception("closing a client failed")


# What the first request imports besides the client module: httpcore's pool
# creates its locks and events through anyio, which loads its asyncio backend
# on first use (about 50-100 ms). Internals of third-party packages, so each
# is optional: a name that moved is simply imported on first use, as before.
_FIRST_USE_MODULES = ("anyio._core._synchronization", "anyio._core._sockets",
                      "anyio._backends._asyncio", "truststore", "h11")


def import_client_modules() -> None:
    """What AccountSession.warm_up runs on its thread (any thread may call it)."""
    try:
        import console.api.client  # noqa: F401  (httpx, httpcore, h11)
    except Exception:  # the first request imports it again and reports the problem there
        log.exception("warming up the HTTP client failed")
        return
    for name in _FIRST_USE_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            log.debug("warm-up: %s not importable", name)
