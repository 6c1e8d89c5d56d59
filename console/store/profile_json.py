"""A profile as the profiles file (and the office database) keeps it: JSON objects,
read leniently (a damaged entry is said, not guessed at) with the sandbox first."""
from __future__ import annotations

from typing import Any

from console.store.profile_values import (
    PROXY_SYSTEM,
    SANDBOX_ID,
    OwnNumber,
    Profile,
    sandbox_profile,
)


def profile_to_json(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "name": profile.name,
        # The sandbox address changes at every start and is never saved.
        "base_url": "" if profile.is_sandbox else profile.base_url,
        "numbers": [{"number": n.number, "label": n.label} for n in profile.numbers],
        "default_album": profile.default_album,
        "is_sandbox": profile.is_sandbox,
        "proxy": {"mode": profile.proxy_mode, "address": profile.proxy_address},
    }


def _is_sandbox_item(item: object) -> bool:
    return isinstance(item, dict) and item.get("id") == SANDBOX_ID


def _shown_name(item: object) -> str:
    if isinstance(item, dict):
        for key in ("name", "id"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return "(a profile without a name)"


def _sandbox_first(profiles: list[Profile]) -> list[Profile]:
    sandbox = next((p for p in profiles if p.id == SANDBOX_ID), None)
    others = [p for p in profiles if p.id != SANDBOX_ID]
    if sandbox is None or sandbox.validate():
        sandbox = sandbox_profile()
    return [sandbox, *others]


def profile_from_json(item: object) -> Profile:
    if not isinstance(item, dict):
        raise ValueError("a profile is not an object")
    strings = {key: item[key] for key in ("id", "name", "base_url")}
    if not all(isinstance(value, str) for value in strings.values()) or not strings["id"]:
        raise ValueError("a profile's id, name or base_url is not text")
    numbers = []
    for number in item.get("numbers", []):
        if not isinstance(number, dict) or not isinstance(number.get("number"), str):
            raise ValueError("a phone number entry is damaged")
        label = number.get("label", "")
        numbers.append(OwnNumber(number["number"], label if isinstance(label, str) else ""))
    album = item.get("default_album", 1)
    if isinstance(album, bool) or not isinstance(album, int):
        raise ValueError("a default album is not a number")
    is_sandbox = strings["id"] == SANDBOX_ID
    proxy = item.get("proxy", {})  # files written before proxies had none: system settings
    if not isinstance(proxy, dict):
        raise ValueError("a proxy setting is damaged")
    mode, address = proxy.get("mode", PROXY_SYSTEM), proxy.get("address", "")
    if not isinstance(mode, str) or not isinstance(address, str):
        raise ValueError("a proxy setting is not text")
    return Profile(
        proxy_mode=PROXY_SYSTEM if is_sandbox else mode,
        proxy_address="" if is_sandbox else address,
        id=strings["id"],
        name=strings["name"],
        base_url="" if is_sandbox else strings["base_url"],
        numbers=numbers,
        default_album=album,
        is_sandbox=is_sandbox,
    )
