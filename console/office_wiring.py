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
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from console.domain.wording import plural
from console.store.journal import JournalError
from console.store.office import OfficeSettingsError, load
from console.store.paths import AppPaths

if TYPE_CHECKING:
    from console.store.pg.stores import OfficeStores

log = logging.getLogger(__name__)


class OfficeLink(QObject):
    reachability_changed = Signal(bool)

    def __init__(self, stores: OfficeStores, *, messages: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stores = stores
        self.settings = stores.settings
        self.messages = messages
        self.on_back: Callable[[], None] = lambda: None
        self._recovered = False
        self._recovering: asyncio.Task[None] | None = None
        self._loop = asyncio.get_event_loop()
        self.reachability_changed.connect(self._on_reachability_changed)
        stores.engine.add_listener(self._from_engine)
        if stores.engine.known and not stores.engine.reachable:
            self._from_engine(False)  # the first answer came before we listened

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

    async def aclose(self) -> None:
        if self._recovering is not None:
            await asyncio.gather(self._recovering, return_exceptions=True)
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
                               data_dir=paths.data_dir)
    return OfficeLink(stores, messages=messages, parent=parent)
