import keyring
import keyring.backend
import pytest

from console.store.secrets import SERVICE, SecretStore, SecretStoreError

KEY = "live-key-5f1e2d3c4b5a"


def test_working_keyring_stores_keys_there(memory_keyring):
    store = SecretStore.create()
    assert store.state == "keyring"
    assert "keyring" in store.explanation
    store.set_key("office", KEY)
    assert memory_keyring.passwords == {(SERVICE, "office"): KEY}
    assert store.get_key("office") == KEY
    assert store.get_key("other") is None


def test_working_keyring_delete_and_missing_entry_is_fine(memory_keyring):
    store = SecretStore.create()
    store.set_key("office", KEY)
    store.delete_key("office")
    assert memory_keyring.passwords == {}
    store.delete_key("office")
    store.delete_key("never-stored")
    assert store.get_key("office") is None


def test_no_backend_keeps_keys_in_memory_and_says_so(no_keyring):
    store = SecretStore.create()
    assert store.state == "memory-no-backend"
    assert "no password keyring" in store.explanation
    assert "asked for the key again" in store.explanation
    store.set_key("office", KEY)
    assert store.get_key("office") == KEY
    store.delete_key("office")
    assert store.get_key("office") is None
    # A fresh store (the next start) does not know the key.
    store.set_key("office", KEY)
    assert SecretStore.create().get_key("office") is None


def test_chainer_without_backends_counts_as_no_backend(monkeypatch):
    from keyring.backends import chainer

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    previous = keyring.get_keyring()
    keyring.set_keyring(chainer.ChainerBackend())
    try:
        assert SecretStore.create().state == "memory-no-backend"
    finally:
        keyring.set_keyring(previous)


def test_failing_keyring_at_start_up_falls_back_to_memory(failing_keyring):
    store = SecretStore.create()
    assert store.state == "memory-failed"
    assert "did not answer" in store.explanation
    store.set_key("office", KEY)
    assert store.get_key("office") == KEY


class LocksLater(keyring.backend.KeyringBackend):
    """Answers the start-up probe, then fails: the keyring got locked later."""

    priority = -1

    def __init__(self):
        super().__init__()
        self.locked = False
        self.passwords = {}

    def _check(self):
        if self.locked:
            from keyring.errors import KeyringLocked

            raise KeyringLocked(f"locked while handling {KEY}")

    def get_password(self, service, username):
        self._check()
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self._check()
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self._check()
        del self.passwords[(service, username)]


@pytest.fixture
def locks_later():
    backend = LocksLater()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_failure_at_use_time_raises_plain_error_then_memory_on_request(locks_later):
    store = SecretStore.create()
    assert store.state == "keyring"
    locks_later.locked = True
    for action in (lambda: store.set_key("office", KEY), lambda: store.get_key("office"),
                   lambda: store.delete_key("office")):
        with pytest.raises(SecretStoreError) as caught:
            action()
        assert KEY not in str(caught.value)
        assert caught.value.__cause__ is None
        assert caught.value.reason == "KeyringLocked"
    store.use_memory_for_session()
    assert store.state == "memory-failed"
    store.set_key("office", KEY)
    assert store.get_key("office") == KEY
    assert locks_later.passwords == {}


def test_empty_key_is_refused(memory_keyring):
    store = SecretStore.create()
    with pytest.raises(ValueError):
        store.set_key("office", "  ")
    assert memory_keyring.passwords == {}


def test_memory_fallback_writes_nothing_to_disk(no_keyring, app_home):
    store = SecretStore.create()
    store.set_key("office", KEY)
    for path in app_home.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()


def test_proxy_credentials_live_in_the_keyring_beside_the_key(memory_keyring):
    store = SecretStore.create()
    store.set_key("office", KEY)
    store.set_proxy_credentials("office", " desk7 ", "pw:with spaces")
    assert store.get_proxy_credentials("office") == ("desk7", "pw:with spaces")
    assert set(memory_keyring.passwords) == {(SERVICE, "office"), (SERVICE, "office proxy")}
    store.delete_key("office")  # deleting a profile's key takes its proxy credentials too
    assert memory_keyring.passwords == {}
    assert store.get_proxy_credentials("office") is None


def test_proxy_credentials_without_a_keyring_stay_in_memory(no_keyring):
    store = SecretStore.create()
    store.set_proxy_credentials("office", "desk7", "pw")
    assert store.get_proxy_credentials("office") == ("desk7", "pw")
    store.delete_proxy_credentials("office")
    assert store.get_proxy_credentials("office") is None
