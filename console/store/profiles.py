"""Account profiles: which Voitex server, which own numbers, kept as JSON.

The account key is not part of a profile: it lives in the keyring (see
secrets.py). The file is rewritten atomically so a crash mid-write leaves the
previous version, and a file that cannot be read is set aside rather than
overwritten, so the user's profiles can still be recovered by hand.
"""
from __future__ import annotations

import contextlib
import copy
import ipaddress
import json
import re
import secrets as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from console.domain.wording import plural
from console.store.files import atomic_write
from console.store.notices import DamagedFile, Notices, set_aside
from console.store.salvage import read_json_file

if TYPE_CHECKING:
    from console.store.secrets import SecretStore

SANDBOX_ID = "sandbox"
# How a profile's requests leave this computer (console/api/proxy.py reads them).
PROXY_SYSTEM = "system"  # the operating system's proxy settings (HTTPS_PROXY and the like)
PROXY_NONE = "none"
PROXY_ADDRESS = "address"
PROXY_MODES = (PROXY_SYSTEM, PROXY_NONE, PROXY_ADDRESS)
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
FILE_VERSION = 1
NAME_MAX_CHARS = 80


class ProfileError(ValueError):
    """A profile operation was refused; the message is meant for the user."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [message])


@dataclass(frozen=True)
class OwnNumber:
    number: str
    label: str = ""


@dataclass
class Profile:
    id: str
    name: str
    base_url: str
    numbers: list[OwnNumber] = field(default_factory=list)
    default_album: int = 1
    is_sandbox: bool = False
    # The proxy's user name and password, if it needs them, are in the keyring.
    proxy_mode: str = PROXY_SYSTEM
    proxy_address: str = ""

    def validate(self) -> list[str]:
        """Problems with this profile, each naming the field, for the user."""
        problems: list[str] = []
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name:
            problems.append("Name: enter a name for the profile.")
        elif len(name) > NAME_MAX_CHARS:
            problems.append(f"Name: use at most {NAME_MAX_CHARS} characters.")
        if not self.is_sandbox:
            problem = base_url_problem(self.base_url)
            if problem:
                problems.append(f"Base URL: {problem}")
        if not self.numbers:
            problems.append("Numbers: add at least one of the account's own phone numbers.")
        seen: set[str] = set()
        for own in self.numbers:
            number = own.number if isinstance(own.number, str) else ""
            if not (len(number) == 10 and number.isdigit()):
                problems.append(f"Numbers: {number!r} is not a 10-digit phone number.")
            elif number in seen:
                problems.append(f"Numbers: {number} is listed twice.")
            seen.add(number)
        album = self.default_album
        if isinstance(album, bool) or not isinstance(album, int) or album < 1:
            problems.append("Default album: use a whole number of 1 or more.")
        if self.proxy_mode not in PROXY_MODES:
            problems.append("Proxy: choose System settings, No proxy or a proxy address.")
        elif self.proxy_mode == PROXY_ADDRESS:
            problem = proxy_address_problem(self.proxy_address)
            if problem:
                problems.append(f"Proxy address: {problem}")
        return problems


def proxy_address_problem(address: str) -> str | None:
    """Why `address` cannot be a proxy's address, or None when it can.

    A user name or password typed into it would end up in the profiles file:
    they have fields of their own and go to the keyring.
    """
    text = address.strip() if isinstance(address, str) else ""
    if not text:
        return "enter the proxy's address, for example 10.0.0.5:3128."
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{address.strip()!r} is not an address like 10.0.0.5:3128 (the port is 1 to 65535)."
    if parts.scheme.lower() not in _PROXY_SCHEMES:
        return "start it with http://, https://, socks5:// or socks5h://, or leave the scheme out."
    if parts.username or parts.password:
        return "do not put a user name or password into the address; use the fields below it."
    if not parts.hostname:
        return "name the proxy's host, for example 10.0.0.5:3128."
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "give only the host and port, for example 10.0.0.5:3128."
    return None


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be an account's base URL, or None when it can.

    Plain http is only accepted to this computer: the account key travels in a
    header on every request.
    """
    if not isinstance(url, str) or not url.strip():
        return "enter the server address, for example https://api.voitex.com."
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{url!r} is not a valid address."
    if parts.scheme not in ("https", "http") or not host:
        return "use an address starting with https://, for example https://api.voitex.com."
    if parts.username or parts.password:
        # A key typed into the address would end up in the profiles file.
        return "do not put a user name or key into the address; the key has its own field."
    if parts.query or parts.fragment:
        return "remove the part after ? or # from the address."
    if parts.scheme == "http" and not _is_loopback(host):
        return "use https://; plain http:// is only allowed to this computer (127.0.0.1 or localhost)."
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sandbox_profile(base_url: str = "") -> Profile:
    return Profile(
        id=SANDBOX_ID,
        name="Sandbox",
        base_url=base_url,
        numbers=[
            OwnNumber("8459511000", "Sandbox main line"),
            OwnNumber("8459511110", "Sandbox hotline"),
        ],
        default_album=1,
        is_sandbox=True,
    )


def new_profile_id(name: str) -> str:
    """An id for a new profile: readable, and unique even for equal names."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32].strip("-") or "profile"
    return f"{slug}-{_random.token_hex(3)}"


class ProfileStore:
    """The profiles file. Every change is written to disk at once."""

    def __init__(self, path: Path | str, *, sandbox_base_url: str = "",
                 notices: Notices | None = None) -> None:
        self.path = Path(path)
        self.notices = notices
        # Damage found while reading; kept (never cleared by a later load) so
        # the start-up notice can still show it.
        self.damage: list[DamagedFile] = []
        # The sandbox listens on a port chosen at each start, so its address is
        # never saved; the app sets it here once the server is up.
        self.sandbox_base_url = sandbox_base_url
        self.load_warning: str | None = None
        self._profiles: list[Profile] | None = None
        self._active_id = SANDBOX_ID
        # Told after every save (an office database shares the profiles: console/store/office_profiles.py).
        self.on_saved: Callable[[list[Profile]], None] | None = None

    @classmethod
    def default(cls) -> ProfileStore:
        from console.store.paths import app_paths

        return cls(app_paths().profiles_file)

    # Reading

    def load(self) -> list[Profile]:
        """Read the file again. The Sandbox profile is always first."""
        profiles, active_id = self._read()
        self._profiles = profiles
        self._active_id = active_id if any(p.id == active_id for p in profiles) else SANDBOX_ID
        return self._copies()

    def profiles(self) -> list[Profile]:
        """The profiles as last loaded or saved (loads on first use)."""
        return self._copies()

    def get(self, profile_id: str) -> Profile:
        profiles = self._loaded()
        for profile in profiles:
            if profile.id == profile_id:
                return self._copy(profile)
        raise ProfileError(f"There is no profile with id {profile_id!r}.")

    @property
    def active_id(self) -> str:
        self._loaded()
        return self._active_id

    @active_id.setter
    def active_id(self, profile_id: str) -> None:
        profiles = self._loaded()
        if not any(p.id == profile_id for p in profiles):
            raise ProfileError(f"There is no profile with id {profile_id!r}.")
        self._active_id = profile_id
        self._write(profiles, profile_id)

    # Changing

    def save(self, profiles: list[Profile]) -> None:
        """Replace all profiles. Refused as a whole if any is not valid."""
        profiles = [self._copy(p) for p in profiles]
        if not any(p.id == SANDBOX_ID for p in profiles):
            profiles.insert(0, sandbox_profile())
        problems: list[str] = []
        ids: set[str] = set()
        names: set[str] = set()
        for profile in profiles:
            if profile.id == SANDBOX_ID:
                profile.is_sandbox = True
            elif profile.is_sandbox:
                problems.append(f"Profile {profile.name!r}: only the built-in Sandbox can be a sandbox profile.")
            if not isinstance(profile.id, str) or not profile.id.strip():
                problems.append(f"Profile {profile.name!r}: it has no id.")
            elif profile.id in ids:
                problems.append(f"Profile {profile.name!r}: the id {profile.id!r} is used twice.")
            ids.add(profile.id)
            folded = profile.name.strip().casefold() if isinstance(profile.name, str) else ""
            if folded and folded in names:
                problems.append(f"Name: another profile is already called {profile.name.strip()!r}.")
            names.add(folded)
            problems.extend(profile.validate())
        if problems:
            raise ProfileError(" ".join(problems), problems)
        for profile in profiles:
            profile.name = profile.name.strip()
            if not profile.is_sandbox:
                profile.base_url = profile.base_url.strip().rstrip("/")
                profile.proxy_address = profile.proxy_address.strip() if profile.proxy_mode == PROXY_ADDRESS else ""
        profiles.sort(key=lambda p: not p.is_sandbox)
        active_id = self._active_id if any(p.id == self._active_id for p in profiles) else SANDBOX_ID
        self._write(profiles, active_id)
        self._profiles = profiles
        self._active_id = active_id
        if self.on_saved is not None:
            self.on_saved(self._copies())

    def add(self, profile: Profile) -> Profile:
        profiles = self._loaded()
        if any(p.id == profile.id for p in profiles):
            raise ProfileError(f"A profile with id {profile.id!r} already exists.")
        self.save([*profiles, profile])
        return self.get(profile.id)

    def update(self, profile: Profile) -> Profile:
        profiles = self._loaded()
        if not any(p.id == profile.id for p in profiles):
            raise ProfileError(f"There is no profile with id {profile.id!r}.")
        self.save([profile if p.id == profile.id else p for p in profiles])
        return self.get(profile.id)

    def delete(self, profile_id: str, *, secrets: SecretStore | None = None) -> None:
        """Remove a profile and, given the secret store, its account key.

        The key goes first: if the keyring refuses, the profile stays, so the
        user is not left with a key in the keyring that nothing points to.
        """
        profiles = self._loaded()
        if profile_id == SANDBOX_ID:
            raise ProfileError("The Sandbox profile is built in and cannot be deleted.")
        if not any(p.id == profile_id for p in profiles):
            raise ProfileError(f"There is no profile with id {profile_id!r}.")
        if secrets is not None:
            secrets.delete_key(profile_id)
        if self._active_id == profile_id:
            self._active_id = SANDBOX_ID
        self.save([p for p in profiles if p.id != profile_id])

    # Internals

    def _loaded(self) -> list[Profile]:
        """The profiles as last loaded or saved (loads on first use)."""
        if self._profiles is None:
            self.load()
        assert self._profiles is not None  # load() sets them
        return self._profiles

    def _copy(self, profile: Profile) -> Profile:
        clone = copy.deepcopy(profile)
        if clone.is_sandbox:
            clone.base_url = self.sandbox_base_url
        return clone

    def _copies(self) -> list[Profile]:
        return [self._copy(p) for p in self._loaded()]

    def _read(self) -> tuple[list[Profile], str]:
        reading = read_json_file(self.path, open_levels=2)
        if not reading.exists:
            return [sandbox_profile()], SANDBOX_ID
        document = reading.value if isinstance(reading.value, dict) else {}
        items = document.get("profiles")
        problem = reading.problem
        if not isinstance(items, list):
            items = []
            problem = problem or "it holds no list of profiles"
        profiles: list[Profile] = []
        left_out: list[str | None] = []
        for item in items:
            # The built-in Sandbox profile is put back anyway: not worth a mention.
            name = None if _is_sandbox_item(item) else _shown_name(item)
            try:
                profile = _profile_from_json(item)
            except (ValueError, TypeError, KeyError, AttributeError):
                left_out.append(name)
                continue
            if any(p.id == profile.id for p in profiles):
                left_out.append(name)
            elif profile.is_sandbox or not profile.validate():
                profiles.append(profile)
            else:
                left_out.append(name)
        profiles = _sandbox_first(profiles)
        active_id = document.get("active_id", SANDBOX_ID)
        if not isinstance(active_id, str) or not any(p.id == active_id for p in profiles):
            active_id = SANDBOX_ID
        if problem is None and not left_out:
            return profiles, active_id
        live_total = sum(1 for item in items if not _is_sandbox_item(item))
        live_kept = sum(1 for p in profiles if not p.is_sandbox)
        lost = [n for n in left_out if n is not None]
        if problem is None:
            problem = "some profiles in it are not valid"
        if reading.problem is not None and items:
            saved = (f"{plural(live_kept, 'live profile')} "
                     "(the part of the file that could be read)")
        elif live_total:
            saved = f"{live_kept} of {plural(live_total, 'live profile')}"
        else:
            saved = "no profile (the console starts with the built-in Sandbox profile)"
        if lost:
            saved += "; left out: " + ", ".join(repr(n) for n in lost)
        # Copied, then replaced by what was saved: a write that fails leaves the
        # damaged file in place, to be found (and reported) again next time.
        kept_as = set_aside(self.path, keep=True)
        notice = DamagedFile(path=self.path, what="Your profiles", problem=problem,
                             saved=saved, kept_as=kept_as)
        if kept_as is not None:
            with contextlib.suppress(OSError):
                # What is shown is written back, so the file matches the window.
                self._write(profiles, active_id)
        self.load_warning = notice.text()
        self.damage.append(notice)
        if self.notices is not None:
            self.notices.add(notice)
        return profiles, active_id

    def _write(self, profiles: list[Profile], active_id: str) -> None:
        document = {
            "version": FILE_VERSION,
            "active_id": active_id,
            "profiles": [_profile_to_json(p) for p in profiles],
        }
        with atomic_write(self.path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")


def _profile_to_json(profile: Profile) -> dict[str, Any]:
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


def _profile_from_json(item: object) -> Profile:
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
