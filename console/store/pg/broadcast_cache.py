"""The office's broadcasts as the window sees them: answered from memory, written behind.

The Broadcast tab, the SMS and Calls tabs and the desk's runner ask the
broadcast store small questions on the window's thread (the do-not-contact
entry of one number, the runs of a profile, the rows of the run on screen).
On an office database each would be a round trip that may stall; so the
window gets this `BroadcastCache` instead of the store itself:

- **On the window's thread** it answers from copies (the do-not-contact list,
  the office's rules, the templates, the runs of the profiles asked about, the
  rows of the runs being watched), and a change is applied to the copy at once
  and queued (`WriteQueue`: written in order, tried again while the database
  is away; the lists' changes kept in a file until written).
- **On any other thread** (a worker, the runner's `asyncio.to_thread`) it is
  the store itself: those callers may wait, and get the database's answer.

`refresh(changed)` reads again what the office's news says changed (it runs
on the news thread, console/store/pg/live.py; the rows of watched runs on
every tick), then tells `on_changed` ("lists", "runs", or "rows" with the
run's id) so the window can redraw. What the user queued and the database
has not taken yet stays applied over what is read back.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain.vocabulary import RowState, RunState
from console.store.broadcast_dnc import DncRecord
from console.store.broadcast_types import (
    BroadcastStoreError,
    LeftOutRow,
    NewRow,
    Participant,
    RowInfo,
    RunInfo,
    RunSpec,
)
from console.store.pg.broadcast_copies import BroadcastCopies
from console.store.pg.broadcasts import PgBroadcastStore
from console.store.write_queue import Change, WriteQueue

log = logging.getLogger(__name__)

__all__ = ["BroadcastCache"]

_WATCHED = 4  # runs whose rows are kept up to date at once
_LISTS = frozenset({"broadcast_dnc", "broadcast_meta", "broadcast_templates"})
_RUNS = frozenset({"broadcast_runs"})
Changed = Callable[[str, int | None], None]


class BroadcastCache:
    shared = True

    def __init__(self, store: PgBroadcastStore, *, pending_path: Path | None = None,
                 ui_thread: threading.Thread | None = None,
                 on_changed: Changed = lambda what, run_id: None,
                 on_refused: Callable[[str], None] = lambda why: None) -> None:
        self.store = store
        self.desk = store.desk
        self.on_changed = on_changed
        self._ui = ui_thread or threading.main_thread()
        self._lock = threading.RLock()
        self._c = BroadcastCopies()  # under self._lock
        # The runner's calls, always off the window's thread, go to the store itself.
        self.recover, self.mark_sending, self.join = store.recover, store.mark_sending, store.join
        self.claim, self.heartbeat, self.release = store.claim, store.heartbeat, store.release
        self.mark_sending_claimed, self.finish_claimed = (store.mark_sending_claimed,
                                                          store.finish_claimed)
        self.leave, self.reap, self.reap_all = store.leave, store.reap, store.reap_all
        self.participants, self.rows_changed_since = store.participants, store.rows_changed_since
        self._loading: set[str] = set()
        self.writes = WriteQueue(store, path=pending_path, on_written=self._written,
                                 on_refused=lambda change, why: on_refused(
                                     f"A change was not saved in the office database: {why}"))

    # -- plumbing --------------------------------------------------------------------
    def _on_ui(self) -> bool:
        return threading.current_thread() is self._ui

    def _later(self, key: str, load: Callable[[], None]) -> None:
        """Read `key` on a thread of its own (once at a time)."""
        with self._lock:
            if key in self._loading:
                return
            self._loading.add(key)

        def work() -> None:
            try:
                load()
            except BroadcastStoreError as err:
                log.info("office broadcasts: %s not read yet: %s", key, err)
            finally:
                with self._lock:
                    self._loading.discard(key)

        threading.Thread(target=work, name="voitex-office-read", daemon=True).start()

    def _queue(self, method: str, *args: Any, keep: bool = False, **kwargs: Any) -> None:
        self.writes.put(Change(method, args, kwargs, keep=keep))

    def _written(self, change: Change) -> None:
        if change.method in ("set_run_state", "cancel_run", "set_rows_state", "finish_row"):
            run_id = int(change.args[0])
            self._load_run(run_id)

    def close(self) -> None:
        self.writes.close()

    def drain(self, timeout: float | None = 10.0) -> bool:
        return self.writes.drain(timeout)

    def lists_version(self) -> int:
        return self._c.version + self.store.lists_version()

    def note_remote_change(self) -> None:
        self.store.note_remote_change()


    # -- reading again (off the window's thread) ------------------------------------------
    def load_all(self) -> None:
        self._load_lists()
        for profile_id in list(self._c.runs):
            self._load_runs(profile_id)

    def refresh(self, changed: frozenset[str]) -> None:
        """Read again what `changed` names; the watched runs' rows every time."""
        if changed & _LISTS or self._c.dnc is None:
            self._load_lists()
            self.store.note_remote_change()
        if changed & _RUNS:
            for profile_id in list(self._c.runs):
                self._load_runs(profile_id)
        for run_id in list(self._c.rows):
            self._load_rows(run_id)

    def _load_lists(self) -> None:
        dnc = {r.number: r for r in self.store.do_not_contact()}
        rules, templates = self.store.office_rules(), self.store.templates()
        with self._lock:
            self._c.dnc, self._c.rules, self._c.templates = dnc, rules, templates
            for change in self.writes.pending():
                self._c.apply(change)
            self._c.version += 1
        self.on_changed("lists", None)

    def _load_runs(self, profile_id: str | None) -> None:
        runs = self.store.runs(profile_id=profile_id)
        resumable = self.store.resumable_runs()
        with self._lock:
            self._c.runs[profile_id] = runs
            self._c.resumable = resumable
            for change in self.writes.pending():
                self._c.apply(change)
        self.on_changed("runs", None)

    def _load_run(self, run_id: int) -> None:
        run = self.store.run(run_id)
        with self._lock:
            for key, runs in self._c.runs.items():
                if key in (None, run.profile_id):
                    others = [r for r in runs if r.id != run_id]
                    self._c.runs[key] = sorted([*others, run], key=lambda r: -r.id)
            self._c.resumable = self.store.resumable_runs()
        if run_id in self._c.rows:
            self._load_rows(run_id)
        self.on_changed("runs", None)

    def _load_rows(self, run_id: int) -> None:
        mark = self._c.marks.get(run_id, 0)
        new_mark, rows = self.store.rows_changed_since(run_id, mark)
        people = self.store.participants(run_id)
        with self._lock:
            known = self._c.rows.setdefault(run_id, {})
            changed = [r for r in rows if known.get(r.position) != r]
            for row in changed:
                known[row.position] = row
            self._c.marks[run_id] = new_mark
            moved = people != self._c.people.get(run_id)
            self._c.people[run_id] = people
        if changed or moved or not mark:
            self.on_changed("rows", run_id)

    # -- what the window asks ---------------------------------------------------------
    def runs(self, *, profile_id: str | None = None, limit: int = 50) -> list[RunInfo]:
        if not self._on_ui():
            return self.store.runs(profile_id=profile_id, limit=limit)
        with self._lock:
            found = self._c.runs.get(profile_id)
        if found is None:
            with self._lock:
                self._c.runs.setdefault(profile_id, [])
            self._later(f"runs {profile_id}", lambda: self._load_runs(profile_id))
            return []
        return [self._c.counted(r) for r in found[:limit]]

    def run(self, run_id: int) -> RunInfo:
        if not self._on_ui():
            return self.store.run(run_id)
        with self._lock:
            for runs in self._c.runs.values():
                for run in runs:
                    if run.id == run_id:
                        return self._c.counted(run)
        self._later(f"run {run_id}", lambda: self._load_run(run_id))
        raise BroadcastStoreError(f"Broadcast {run_id} is still being read from the office "
                                  "database; try again in a moment.")

    def rows(self, run_id: int) -> list[RowInfo]:
        if not self._on_ui():
            return self.store.rows(run_id)
        with self._lock:
            known = self._c.rows.get(run_id)
            if known is None:
                self._c.rows[run_id] = {}
                for stale in list(self._c.rows)[:-_WATCHED]:
                    self._c.rows.pop(stale, None)
                    self._c.marks.pop(stale, None)
            else:
                return [known[p] for p in sorted(known)]
        self._later(f"rows {run_id}", lambda: self._load_rows(run_id))
        return []

    def watched_participants(self, run_id: int) -> list[Participant]:
        with self._lock:
            return list(self._c.people.get(run_id, []))

    def absorb(self, row: RowInfo) -> None:
        """A row this desk's runner just changed (its news comes back on the next read)."""
        with self._lock:
            known = self._c.rows.get(row.run_id)
            if known is not None:
                known[row.position] = row

    def resumable_runs(self) -> list[RunInfo]:
        if not self._on_ui():
            return self.store.resumable_runs()
        with self._lock:
            return list(self._c.resumable)

    def left_out(self, run_id: int) -> list[LeftOutRow]:
        return self.store.left_out(run_id)

    def numbers_in_open_runs(self, profile_id: str) -> dict[str, int]:
        return self.store.numbers_in_open_runs(profile_id)

    def create_run(self, spec: RunSpec, rows: Sequence[NewRow],
                   left_out: Sequence[LeftOutRow] = ()) -> int:
        run_id = self.store.create_run(spec, rows, left_out)
        if not self._on_ui():
            self._load_run(run_id)
        return run_id

    def do_not_contact(self) -> list[DncRecord]:
        if not self._on_ui():
            return self.store.do_not_contact()
        return sorted(self._listed().values(), key=lambda r: r.number)

    def do_not_contact_map(self) -> dict[str, DncRecord]:
        if not self._on_ui():
            return self.store.do_not_contact_map()
        return dict(self._listed())

    def do_not_contact_entry(self, number: str) -> DncRecord | None:
        if not self._on_ui():
            return self.store.do_not_contact_entry(number)
        return self._listed().get(number)

    def _listed(self) -> dict[str, DncRecord]:
        with self._lock:
            if self._c.dnc is not None:
                return self._c.dnc
        self._later("lists", self._load_lists)
        raise BroadcastStoreError("The office's do-not-contact list is still being read from "
                                  "the office database; try again in a moment.")

    def office_rules(self) -> dict[str, Any]:
        if not self._on_ui():
            return self.store.office_rules()
        with self._lock:
            return dict(self._c.rules)

    def templates(self) -> dict[str, str]:
        if not self._on_ui():
            return self.store.templates()
        with self._lock:
            return dict(self._c.templates)

    # -- what the window changes ------------------------------------------------------------
    def _change(self, method: str, *args: Any, keep: bool = False, **kwargs: Any) -> Any:
        """On the window's thread: applied to the copy and queued; elsewhere: written now."""
        change = Change(method, args, kwargs, keep=keep)
        if not self._on_ui():
            result = getattr(self.store, method)(*args, **kwargs)
            with self._lock:
                self._c.apply(change)
            if method in ("set_run_state", "cancel_run", "set_rows_state", "finish_row"):
                self._load_run(int(args[0]))
            return result
        with self._lock:
            result = self._c.apply(change)
        self.writes.put(change)
        return result

    def add_do_not_contact(self, records: Iterable[DncRecord]) -> int:
        given = list(records)
        if self._on_ui():
            self._listed()  # not read yet: refused, so the count is right
        added: int = self._change("add_do_not_contact", given, keep=True)
        return added

    def remove_do_not_contact(self, numbers: Iterable[str]) -> None:
        self._change("remove_do_not_contact", list(numbers), keep=True)

    def save_office_rules(self, rules: dict[str, Any]) -> None:
        self._change("save_office_rules", dict(rules), keep=True)

    def save_template(self, name: str, body: str) -> None:
        if not name.strip():
            raise ValueError("Template name: this field is empty. Give the template a name.")
        self._change("save_template", name.strip(), body, keep=True)

    def delete_template(self, name: str) -> None:
        self._change("delete_template", name, keep=True)

    def set_run_state(self, run_id: int, state: RunState) -> None:
        self._change("set_run_state", run_id, str(state))

    def cancel_run(self, run_id: int) -> int:
        cancelled: int | None = self._change("cancel_run", run_id)
        return cancelled or 0

    def set_rows_state(self, run_id: int, positions: Iterable[int], *, state: RowState,
                       message: str = "", not_before: datetime | None = None) -> None:
        self._change("set_rows_state", run_id, [int(p) for p in positions], state=str(state),
                     message=message, not_before=not_before)

    def finish_row(self, run_id: int, position: int, *, state: RowState,
                   result_id: str | None = None, message: str = "") -> None:
        self._change("finish_row", run_id, position, state=str(state), result_id=result_id,
                     message=message)
