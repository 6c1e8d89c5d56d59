"""Everything a desk keeps in the office database, on one engine (one pool, one state).

`OfficeStores.open(settings, password=..., data_dir=...)` gives the journal, the
Library catalogue, this desk's upload queue store, the office's broadcasts
(with the do-not-contact list, its rules and templates), the profiles' shared
part and the office's news (what other desks change), all sharing one
`PgEngine`; `close()` closes them and then the engine. Opening never touches
the network: the engine connects in the background, and reading the password
(`password`, a function: the keyring may block) happens on the engine's thread.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.store.identity import operator_name
from console.store.office import OfficeSettings
from console.store.pg.broadcasts import PgBroadcastStore
from console.store.pg.catalogue import PgCatalogue
from console.store.pg.engine import RECONNECT_DELAYS_S, PgEngine
from console.store.pg.journal import PgJournal
from console.store.pg.live import POLL_S, OfficeNews
from console.store.pg.profiles import PgProfiles
from console.store.pg.uploads import PgUploadStore


@dataclass
class OfficeStores:
    settings: OfficeSettings
    engine: PgEngine
    journal: PgJournal
    catalogue: PgCatalogue
    uploads: PgUploadStore
    broadcasts: PgBroadcastStore
    profiles: PgProfiles
    news: OfficeNews
    folder: Path

    @classmethod
    def open(cls, settings: OfficeSettings, *, password: Callable[[], str | None],
             data_dir: Path, timeout_s: float = 10.0,
             reconnect_delays: Sequence[float] = RECONNECT_DELAYS_S,
             poll_s: float = POLL_S, application: str = "voitex-console",
             preload_uploads: bool = False) -> OfficeStores:
        desk = settings.desk_name
        engine = PgEngine(lambda: settings.conninfo(password()), where=settings.where,
                          application_name=f"{application} {desk}", timeout_s=timeout_s,
                          reconnect_delays=reconnect_delays)
        folder = data_dir / settings.folder_name
        operator = operator_name()
        # replay=False: the journal writer replays the kept outcomes on its own
        # thread; here it would wait for the network on the caller's.
        journal = PgJournal(engine, folder=folder, desk=desk, operator=operator,
                            owns_engine=False, replay=False)
        news = OfficeNews(engine, lambda: settings.conninfo(password()), poll_s=poll_s,
                          application_name=f"{application} {desk} news")
        return cls(settings, engine, journal, PgCatalogue(engine, owns_engine=False),
                   PgUploadStore(engine, desk=desk, owns_engine=False, preload=preload_uploads),
                   PgBroadcastStore(engine, desk=desk, operator=operator, owns_engine=False),
                   PgProfiles(engine, desk=desk), news, folder)

    def close(self) -> None:
        self.news.close()
        self.catalogue.close()
        self.uploads.close()
        self.broadcasts.close()
        self.journal.close()
        self.engine.close()
