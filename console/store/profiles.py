"""Account profiles kept as JSON (`ProfileStore`); a profile itself is
profile_values.py, its JSON encoding profile_json.py (both importable from here).

The account key is not part of a profile: it lives in the keyring (see
secrets.py). The file is rewritten atomically so a crash mid-write leaves the
previous version, and a file that cannot be read is set aside rather than
overwritten, so the user's profiles can still be recovered by hand.
"""
from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from console.domain.wording import plural
from console.store.files import atomic_write
from console.store.notices import DamagedFile, Notices, set_aside
from console.store.profile_json import (
    _is_sandbox_item,
    _sandbox_first,
    _shown_name,
    profile_from_json,
    profile_to_json,
)
from console.store.profile_values import (
    FILE_VERSION,
    NAME_MAX_CHARS,
    PROXY_ADDRESS,
    PROXY_MODES,
    PROXY_NONE,
    PROXY_SYSTEM,
    SANDBOX_ID,
    OwnNumber,
    Profile,
    ProfileError,
    base_url_problem,
    new_profile_id,
    proxy_address_problem,
    sandbox_profile,
)
from console.store.salvage import read_json_file

if TYPE_CHECKING:
    from console.store.secrets import SecretStore

# The names the broadcast runner (console/jobs/broadcast_cli_run.py) imports from here.
_profile_from_json, _profile_to_json = profile_from_json, profile_to_json

__all__ = ["FILE_VERSION", "NAME_MAX_CHARS", "PROXY_ADDRESS", "PROXY_MODES", "PROXY_NONE",
           "PROXY_SYSTEM", "SANDBOX_ID", "OwnNumber", "Profile", "ProfileError", "ProfileStore",
           "base_url_problem", "new_profile_id", "proxy_address_problem", "sandbox_profile",
           "_profile_from_json", "_profile_to_json"]


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
                profile = profile_from_json(item)
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
            "profiles": [profile_to_json(p) for p in profiles],
        }
        with atomic_write(self.path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
