"""The account keys' store, created off the UI thread once the window is up.

keyring's import and its look at the backends cost about 90 ms and 17 MiB, and
a locked keyring may block: too much to pay before the first paint. So the
console holds a `DeferredSecretStore`: whatever uses it first creates the real
`SecretStore` (console/store/secrets.py), a worker thread right after the first
paint (see console/startup_work.py).

Each of the SecretStore's public methods is here by name, with its types: the
blocking ones (keyring calls, run with `asyncio.to_thread(secrets.get_key, ...)`)
create the store on the thread that calls them. tests/test_deferred_secrets.py
checks that no public method of SecretStore is missing here.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from console.store.secrets import SecretStore


class DeferredSecretStore:
    """The SecretStore's methods; the store itself is created on first use."""

    def __init__(self) -> None:
        self._store: SecretStore | None = None
        self._lock = threading.Lock()

    @property
    def created(self) -> bool:
        return self._store is not None

    def get(self) -> SecretStore:
        """The real store, created now if it was not yet (blocks: keyring)."""
        with self._lock:
            if self._store is None:
                from console.store.secrets import SecretStore

                self._store = SecretStore.create()
            return self._store

    def as_secret_store(self) -> SecretStore:
        """This object where a SecretStore is asked for: it has every public method of
        one (tests/test_deferred_secrets.py), so the receivers may stay typed as they are."""
        return cast("SecretStore", self)

    @property
    def state(self) -> str:
        return self.get().state

    @property
    def explanation(self) -> str:
        return self.get().explanation

    def use_memory_for_session(self) -> None:
        self.get().use_memory_for_session()

    def get_key(self, profile_id: str) -> str | None:
        return self.get().get_key(profile_id)

    def set_key(self, profile_id: str, key: str) -> None:
        self.get().set_key(profile_id, key)

    def delete_key(self, profile_id: str) -> None:
        self.get().delete_key(profile_id)

    def get_proxy_credentials(self, profile_id: str) -> tuple[str, str] | None:
        return self.get().get_proxy_credentials(profile_id)

    def set_proxy_credentials(self, profile_id: str, user: str, password: str) -> None:
        self.get().set_proxy_credentials(profile_id, user, password)

    def delete_proxy_credentials(self, profile_id: str) -> None:
        self.get().delete_proxy_credentials(profile_id)
