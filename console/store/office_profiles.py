"""Every desk of an office sees the same account profiles (their non-secret part).

The desk keeps working from its own profiles.json (`ProfileStore`); this keeps
that file and the office's profiles (console/store/pg/profiles.py) the same:

- **The office's version wins.** A profile the office has replaces the desk's
  one of the same id; one the office deleted is deleted here; one the office
  has and this desk not yet is added. So History, the Library and broadcasts,
  which are keyed by profile id, line up at every desk.
- **What only this desk has goes to the office**: the first desk to connect
  brings its profiles, a profile made while the database was away follows
  when it is back.
- **A change saved here goes to the office** (`local_saved`), a deletion as a
  tombstone.

The built-in Sandbox profile is never shared. Keys, proxy passwords and the
database's password stay in each desk's keyring: a profile that came from
another desk needs its key entered once at this desk.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from console.store.profile_json import profile_from_json, profile_to_json
from console.store.profiles import SANDBOX_ID, Profile, ProfileError, ProfileStore

if TYPE_CHECKING:
    from console.store.pg.profiles import OfficeProfile

log = logging.getLogger(__name__)

__all__ = ["ProfileSync", "merge"]

Push = tuple[list[dict[str, Any]], list[str]]


def merge(local: Sequence[Profile], office: Sequence[OfficeProfile]) -> tuple[list[Profile], Push]:
    """(the desk's profiles after the merge, (documents to push, ids to mark deleted))."""
    alive: dict[str, Profile] = {}
    gone = {o.id for o in office if o.deleted}
    for item in office:
        if item.deleted or item.id == SANDBOX_ID:
            continue
        try:
            alive[item.id] = profile_from_json(item.document)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.info("office profile %r is not readable here; left out", item.id)
    merged: list[Profile] = []
    push: list[dict[str, Any]] = []
    for profile in local:
        if profile.is_sandbox:
            merged.append(profile)
        elif profile.id in alive:
            merged.append(alive.pop(profile.id))
        elif profile.id not in gone:
            merged.append(profile)
            push.append(profile_to_json(profile))
    taken = {p.name.strip().casefold() for p in merged}
    for profile in sorted(alive.values(), key=lambda p: p.name.casefold()):
        if profile.name.strip().casefold() in taken:
            log.info("office profile %r has the name of one of this desk's; left out", profile.id)
            continue
        merged.append(profile)
    return merged, (push, [])


class ProfileSync:
    """Used on the thread that owns the `ProfileStore` (the window's): `apply` what `pull`
    read elsewhere; what to push is returned, for a worker thread."""

    def __init__(self, profiles: ProfileStore) -> None:
        self.profiles = profiles
        self._office_ids: set[str] = set()
        self._applying = False

    def apply(self, office: Sequence[OfficeProfile]) -> tuple[bool, Push]:
        """Bring the desk's file in line with the office's profiles; (changed, what to push)."""
        local = self.profiles.profiles()
        merged, push = merge(local, office)
        self._office_ids = {o.id for o in office if not o.deleted} | {d["id"] for d in push[0]}
        if _documents(merged) == _documents(local):
            return False, push
        self._applying = True
        try:
            self.profiles.save(merged)
        except ProfileError as err:
            log.info("the office's profiles could not be taken over: %s", err)
            return False, push
        finally:
            self._applying = False
        return True, push

    def local_saved(self, saved: Sequence[Profile]) -> Push | None:
        """A save made at this desk: what the office should learn (None: it came from the office)."""
        if self._applying:
            return None
        documents = [profile_to_json(p) for p in saved if not p.is_sandbox]
        ids = {d["id"] for d in documents}
        deleted = sorted(self._office_ids - ids)
        self._office_ids = ids
        return documents, deleted


def _documents(profiles: Sequence[Profile]) -> list[dict[str, Any]]:
    return [profile_to_json(p) for p in profiles]
