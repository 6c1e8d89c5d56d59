"""Account keys: in the OS keyring when there is one, else in memory only.

Whether the keyring can be used is decided once, at start-up, and told to the
user in plain words. There is deliberately no file fallback: a key is either
in the keyring or forgotten when the console quits.

Every method blocks (a keyring may talk to a daemon over D-Bus or show an
unlock prompt), so the UI calls them from a worker thread.
"""
from __future__ import annotations

import json
import threading

import keyring
import keyring.backend
import keyring.errors

SERVICE = "voitex-console"
# A name no profile can have (profile ids are slugs), used only to see whether
# the keyring answers at all.
_PROBE_USER = "voitex-console probe: no such entry"

# The keyring entry of a profile's proxy credentials: no profile id has a space.
_PROXY_SUFFIX = " proxy"

STATE_KEYRING = "keyring"
STATE_NO_BACKEND = "memory-no-backend"
STATE_FAILED = "memory-failed"

_EXPLANATIONS = {
    STATE_KEYRING: (
        "Account keys are kept in this computer's password keyring, so you only "
        "type them once."
    ),
    STATE_NO_BACKEND: (
        "This computer has no password keyring, so account keys are kept in memory "
        "until you quit. You will be asked for the key again next time."
    ),
    STATE_FAILED: (
        "The password keyring on this computer did not answer (it may be locked), so "
        "account keys are kept in memory until you quit. You will be asked for the key "
        "again next time."
    ),
}


class SecretStoreError(Exception):
    """The keyring failed while in use. The message is plain words and never
    contains the key; `reason` names the keyring's own error class."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class SecretStore:
    def __init__(self, state: str, backend: keyring.backend.KeyringBackend | None = None) -> None:
        if state not in _EXPLANATIONS:
            raise ValueError(f"unknown secret store state {state!r}")
        if state == STATE_KEYRING and backend is None:
            raise ValueError("the keyring state needs a keyring backend")
        self._state = state
        self._backend = backend if state == STATE_KEYRING else None
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def create(cls) -> SecretStore:
        """Look at the keyring once and pick where keys will live."""
        try:
            backend = keyring.get_keyring()
        except Exception:  # noqa: BLE001 - a broken keyring config must not stop start-up
            return cls(STATE_FAILED)
        if _has_no_backend(backend):
            return cls(STATE_NO_BACKEND)
        try:
            backend.get_password(SERVICE, _PROBE_USER)
        except keyring.errors.NoKeyringError:
            return cls(STATE_NO_BACKEND)
        except Exception:  # noqa: BLE001 - third-party backends raise their own errors (D-Bus, locked, ...)
            return cls(STATE_FAILED)
        return cls(STATE_KEYRING, backend)

    @property
    def state(self) -> str:
        return self._state

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self._state]

    def use_memory_for_session(self) -> None:
        """After a keyring failure: keep keys typed from now on in memory."""
        with self._lock:
            self._state = STATE_FAILED
            self._backend = None

    def get_key(self, profile_id: str) -> str | None:
        with self._lock:
            if self._backend is None:
                return self._memory.get(profile_id)
            backend = self._backend
        try:
            return backend.get_password(SERVICE, profile_id)
        except Exception as err:  # noqa: BLE001 - see create()
            raise SecretStoreError(
                "The password keyring did not give out the account key (it may be locked).",
                reason=type(err).__name__,
            ) from None

    def set_key(self, profile_id: str, key: str) -> None:
        if not isinstance(key, str) or not key.strip():
            raise ValueError("The account key is empty.")
        with self._lock:
            if self._backend is None:
                self._memory[profile_id] = key
                return
            backend = self._backend
        try:
            backend.set_password(SERVICE, profile_id, key)
        except Exception as err:  # noqa: BLE001 - see create()
            # from None: a backend's exception could carry its arguments.
            raise SecretStoreError(
                "The password keyring did not accept the account key (it may be locked).",
                reason=type(err).__name__,
            ) from None

    # -- proxy credentials: a user name and a password, kept like the key --------
    def get_proxy_credentials(self, profile_id: str) -> tuple[str, str] | None:
        """The proxy's (user name, password) for this profile, or None."""
        stored = self.get_key(profile_id + _PROXY_SUFFIX)
        if not stored:
            return None
        try:
            value = json.loads(stored)
            user, password = value["user"], value["password"]
        except (ValueError, KeyError, TypeError):
            return None  # not ours, or damaged: as if none were saved
        if not isinstance(user, str) or not isinstance(password, str) or not user:
            return None
        return user, password

    def set_proxy_credentials(self, profile_id: str, user: str, password: str) -> None:
        if not isinstance(user, str) or not user.strip():
            raise ValueError("The proxy user name is empty.")
        self.set_key(profile_id + _PROXY_SUFFIX, json.dumps({"user": user.strip(), "password": password}))

    def delete_proxy_credentials(self, profile_id: str) -> None:
        self._delete(profile_id + _PROXY_SUFFIX)

    def delete_key(self, profile_id: str) -> None:
        """Forget a profile's key (and its proxy credentials). Never stored is not an error."""
        self._delete(profile_id)
        self._delete(profile_id + _PROXY_SUFFIX)

    def _delete(self, profile_id: str) -> None:
        with self._lock:
            self._memory.pop(profile_id, None)
            backend = self._backend
        if backend is None:
            return
        try:
            if backend.get_password(SERVICE, profile_id) is None:
                return
            backend.delete_password(SERVICE, profile_id)
        except Exception as err:  # noqa: BLE001 - see create()
            raise SecretStoreError(
                "The password keyring did not remove the account key (it may be locked).",
                reason=type(err).__name__,
            ) from None


def _has_no_backend(backend: keyring.backend.KeyringBackend) -> bool:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return True
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return True
    try:
        from keyring.backends import null
    except ImportError:
        return False
    # The null keyring is how a user switches keyring off: it silently keeps nothing.
    return isinstance(backend, null.Keyring)
