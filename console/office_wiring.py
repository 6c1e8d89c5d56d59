"""The running console's side of the office database (app.py's wiring, kept apart).

`open_office(paths, secrets)` gives an `OfficeLink` when this desk is set to use
the office database (File ▸ Office database…, or ``VOITEX_CONSOLE_DATABASE``),
else None (the desk keeps its own SQLite file). Opening never waits for the
network: the engine connects in the background and reads the password from the
keyring on its own thread.

The link tells the user, in the status bar, when the database goes away and
when it is back (a send in between is refused before anything leaves: its
pending entry cannot be written, and what the user typed stays in the form).
Once the database answers it turns this desk's entries left pending by an
earlier run into "unknown" (start-up could not, if the database was away),
and after each return it calls `on_back` (the Library catches up on History,
the History tab refreshes).

It also brings what other desks do (`OfficeNews`, console/store/pg/live.py)
to this window, within about a second: `journal_changed` (another desk's
send or upload), `catalogue_changed`, `broadcasts_changed` (their lists, runs
and rows, read into the `BroadcastCache` the window uses) and the office's
profiles (merged into this desk's profiles file, console/store/office_profiles.py).
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from console.domain.wording import plural
from console.store.journal import JournalError
from console.store.office import OfficeSettingsError, load
from console.store.paths import AppPaths

if TYPE_CHECKING:
    from console.store.office_profiles import ProfileSync
    from console.store.pg.broadcast_cache import BroadcastCache
    from console.store.pg.stores import OfficeStores

log = logging.getLogger(__name__)

PENDING_WRITES = "office-pending-writes.jsonl"


class OfficeNewsSignals(QObject):
    """The office's news, on the window's thread (emitted from the news thread: queued)."""

    journal_changed = Signal()
    catalogue_changed = Signal()
    broadcasts_changed = Signal(str, int)  # "lists", "runs" or "rows"; the run's id (-1: none)
    profiles_pulled = Signal(object)  # list[OfficeProfile]


class OfficeLink(QObject):
    reachability_changed = Signal(bool)

    def __init__(self, stores: OfficeStores, *, messages: Any, parent: QObject | None = None) -> None:
        from console.store.pg.broadcast_cache import BroadcastCache

        super().__init__(parent)
        self.stores = stores
        self.settings = stores.settings
        self.messages = messages
        self.on_back: Callable[[], None] = lambda: None
        self._recovered = False
        self._recovering: asyncio.Task[None] | None = None
        self._loop = asyncio.get_event_loop()
        self.news = OfficeNewsSignals(self)
        self.broadcasts: BroadcastCache = BroadcastCache(
            stores.broadcasts, pending_path=stores.folder / PENDING_WRITES,
            on_changed=lambda what, run_id: self.news.broadcasts_changed.emit(
                what, -1 if run_id is None else run_id),
            on_refused=self._refused)
        self._profile_sync: ProfileSync | None = None
        self._session: Any = None
        self._profiles_pulled_once = False
        # The window's thread never waits for the database: a store call that would is logged.
        stores.engine.forbid_waits_on(threading.main_thread())
        self.reachability_changed.connect(self._on_reachability_changed)
        self.news.profiles_pulled.connect(self._on_profiles_pulled)
        stores.engine.add_listener(self._from_engine)
        stores.news.subscribe(self._on_news)
        if stores.engine.known and not stores.engine.reachable:
            self._from_engine(False)  # the first answer came before we listened

    def _refused(self, why: str) -> None:
        self._loop.call_soon_threadsafe(self.messages.error, why)

    def _from_engine(self, up: bool) -> None:
        # An engine thread: over to the window's.
        self._loop.call_soon_threadsafe(self.reachability_changed.emit, up)

    def _on_reachability_changed(self, up: bool) -> None:
        where = self.settings.where
        if not up:
            self.messages.error(
                f"The office database {where} cannot be reached. Nothing is sent until it is "
                "back; what you typed stays in the form. The console keeps trying to reconnect.")
            return
        self.messages.info(f"The office database {where} is back; sending works again.")
        self.start()
        self.on_back()

    def start(self) -> None:
        """After the first paint, and on each return: what start-up could not do yet."""
        self.stores.news.start()
        if self._recovered or (self._recovering is not None and not self._recovering.done()):
            return
        self._recovering = asyncio.ensure_future(self._recover())

    async def _recover(self) -> None:
        try:
            recovered = await asyncio.to_thread(self.stores.journal.mark_crashed_pending_unknown)
        except JournalError as err:
            log.info("leftover pending entries not checked yet: %s", err)
            return  # tried again when the database is back
        self._recovered = True
        if recovered:
            self.messages.warning(
                f"{plural(recovered, 'request was', 'requests were')} still running when this "
                "desk last closed; the outcome is unknown. Check History before sending again.")

    # -- what other desks do -----------------------------------------------------------
    def _on_news(self, changed: frozenset[str]) -> None:
        """On the news thread: read what changed here, then tell the window."""
        from console.store.broadcasts import BroadcastStoreError
        from console.store.pg.profiles import OfficeProfilesError

        try:
            self.broadcasts.refresh(changed)
        except BroadcastStoreError as err:
            log.debug("office broadcasts not read again: %s", err)
        if "entries" in changed:
            self.news.journal_changed.emit()
        if "catalogue_entries" in changed:
            self.news.catalogue_changed.emit()
        if self._profile_sync is not None and ("office_profiles" in changed
                                               or not self._profiles_pulled_once):
            try:
                pulled = self.stores.profiles.pull()
            except OfficeProfilesError as err:
                log.debug("office profiles not read: %s", err)
            else:
                self._profiles_pulled_once = True
                self.news.profiles_pulled.emit(pulled)

    def wire(self, *, journal_changed: Callable[[], None], catalogue_changed: Callable[[], None],
             profiles: Any, session: Any) -> None:
        """What the console does with the news: History and the Library read again, the
        profiles follow the office's."""
        self.news.journal_changed.connect(journal_changed)
        self.news.catalogue_changed.connect(catalogue_changed)
        self.share_profiles(profiles, session)

    async def recover_broadcasts(self) -> list[Any] | None:
        """Rows whose sender stopped answering become "unknown"; then the runs left to resume
        (None when the database is away: said when it is back, by the Broadcast tab)."""
        from console.store.broadcasts import BroadcastStoreError

        try:
            await asyncio.to_thread(self.stores.broadcasts.recover)
            found: list[Any] = await asyncio.to_thread(self.stores.broadcasts.resumable_runs)
        except BroadcastStoreError as err:
            log.info("office broadcasts not looked at yet: %s", err)
            return None
        return found

    def share_profiles(self, profiles: Any, session: Any) -> None:
        """Keep this desk's profiles file and the office's profiles the same."""
        from console.store.office_profiles import ProfileSync

        self._profile_sync = ProfileSync(profiles)
        self._session = session
        profiles.on_saved = self._on_profiles_saved

    def _on_profiles_pulled(self, pulled: list[Any]) -> None:
        sync = self._profile_sync
        if sync is None:
            return
        changed, push = sync.apply(pulled)
        self._push_profiles(push)
        if changed and self._session is not None:
            self._session.reload_profile()

    def _on_profiles_saved(self, saved: list[Any]) -> None:
        sync = self._profile_sync
        push = sync.local_saved(saved) if sync is not None else None
        if push is not None:
            self._push_profiles(push)

    def _push_profiles(self, push: tuple[list[dict[str, Any]], list[str]]) -> None:
        documents, deleted = push
        if not documents and not deleted:
            return
        from console.store.pg.profiles import OfficeProfilesError

        def work() -> None:
            try:
                self.stores.profiles.push(documents, deleted)
            except OfficeProfilesError as err:
                log.info("office profiles not saved yet: %s", err)
                self._profiles_pulled_once = False  # tried again at the next news

        threading.Thread(target=work, name="voitex-office-profiles", daemon=True).start()

    async def aclose(self) -> None:
        if self._recovering is not None:
            await asyncio.gather(self._recovering, return_exceptions=True)
        await asyncio.to_thread(self.broadcasts.close)
        await asyncio.to_thread(self.stores.close)


def open_office(paths: AppPaths, secrets: Any, *, messages: Any,
                parent: QObject | None = None) -> OfficeLink | None:
    """The office database's stores, or None for a desk on its own file.

    Settings that cannot be used (a wrong ``VOITEX_CONSOLE_DATABASE``) stop
    start-up with the reason (JournalError): falling back to the desk's own file
    would split the office's History without anyone noticing."""
    try:
        settings = load(paths.config_dir)
    except OfficeSettingsError as err:
        raise JournalError(f"The office database cannot be used: {err}") from err
    if settings is None:
        return None
    # psycopg only where an office database is used: a desk on its own file
    # (and the self-check) never loads it.
    from console.store.pg.stores import OfficeStores

    stores = OfficeStores.open(settings, password=lambda: secrets.get_key(settings.keyring_name),
                               data_dir=paths.data_dir, preload_uploads=True)
    return OfficeLink(stores, messages=messages, parent=parent)
