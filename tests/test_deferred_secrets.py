"""The deferred secret store has each of SecretStore's public methods, by name
and signature (app.py passes it where a SecretStore is asked for), and makes
the real store only when first used."""
from __future__ import annotations

import inspect

from console.deferred_secrets import DeferredSecretStore
from console.store.secrets import SecretStore

NOT_FORWARDED = {"create"}  # the class method that makes a store: DeferredSecretStore.get() calls it


def public_names(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


def test_every_public_method_of_the_store_is_forwarded_with_its_signature():
    missing = public_names(SecretStore) - NOT_FORWARDED - public_names(DeferredSecretStore)
    assert missing == set()
    for name in public_names(SecretStore) - NOT_FORWARDED:
        real, deferred = vars(SecretStore)[name], vars(DeferredSecretStore)[name]
        if isinstance(real, property):
            assert isinstance(deferred, property), name
        else:
            assert inspect.signature(deferred) == inspect.signature(real), name


def test_the_store_is_created_on_first_use_only():
    secrets = DeferredSecretStore()
    assert not secrets.created
    secrets.set_key("live-1", "k-123")  # the in-memory keyring of tests/conftest.py
    assert secrets.created
    assert secrets.get_key("live-1") == "k-123"
    assert secrets.get() is secrets.get()
