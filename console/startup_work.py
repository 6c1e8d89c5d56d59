"""What start-up says and does around the first paint (app.py calls these).

Before the window shows: what the last run left (requests whose outcome is
unknown, a History file SQLite could not read all of, broadcasts to resume).
Once the window is on screen (`FirstPaintWork.run`): the keyring is opened on a
worker thread, the office database starts, the Sandbox starts if it is the
active profile, uploads left from last time are reported, the start-up notices
are shown, and the HTTP client is warmed up for the first send.
"""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.domain.wording import plural

if TYPE_CHECKING:
    from console.deferred_secrets import DeferredSecretStore
    from console.embedded_sandbox import EmbeddedSandbox
    from console.jobs.session import AccountSession
    from console.jobs.upload_queue import UploadQueue
    from console.office_wiring import OfficeLink
    from console.store.broadcast_types import RunInfo
    from console.store.journal import Journal
    from console.ui.main_window import MainWindow
    from console.ui.messages import MessageBridge


def report_recovered(messages: MessageBridge, recovered: int) -> None:
    """Requests still running when the console last closed: their outcome is unknown."""
    if recovered:
        messages.warning(
            f"{plural(recovered, 'request was', 'requests were')} still running when the "
            "console last closed; the outcome is unknown. Check History before sending again.")


def report_damaged_history(messages: MessageBridge, journal: object) -> None:
    """A History file SQLite could not read all of: saved what it could, kept the copy."""
    database = getattr(journal, "database", None)  # the SQLite file's, if that is in use
    if database is not None and database.damaged_copy is not None:
        messages.notices.damaged_file(
            path=database.path, what="History", problem="SQLite could not read all of it",
            saved=f"{plural(database.rows_saved, 'readable row')}, in a new history file",
            kept_as=database.damaged_copy)


def report_resumable(messages: MessageBridge, resumable: Sequence[RunInfo]) -> None:
    if resumable:
        rows = sum(run.to_send for run in resumable)
        messages.warning(
            f"{plural(len(resumable), 'broadcast')} did not finish, with "
            f"{plural(rows, 'row')} still to send: open the Broadcast tab to resume.")


def queue_has_rows(office: OfficeLink | None, journal: Journal | None) -> bool:
    """Whether the upload queue has rows left from last time (read without building it)."""
    if office is not None:
        return office.stores.uploads.has_rows()
    if journal is None:
        return True
    try:
        with journal.database.lock:
            found = journal.database.connection.execute(
                "SELECT EXISTS (SELECT 1 FROM upload_rows)").fetchone()
    except sqlite3.Error:
        return True  # let the queue itself open and say what is wrong
    return bool(found and found[0])


@dataclass
class FirstPaintWork:
    """What start-up does once the window is on screen, in this order."""

    secrets: DeferredSecretStore
    messages: MessageBridge
    office: OfficeLink | None
    session: AccountSession
    sandbox: EmbeddedSandbox
    window: MainWindow
    journal: Journal | None  # the desk's own file; None on the office database
    upload_queue: Callable[[], UploadQueue]  # builds it if need be
    upload_queue_built: Callable[[], bool]

    async def run(self) -> None:
        secrets = await asyncio.to_thread(self.secrets.get)
        if secrets.state != "keyring":
            self.messages.warning(secrets.explanation)
        if self.office is not None:
            self.office.start()
            # The office's rows whose sender stopped answering become "unknown" (never
            # another desk's live ones), then what is left to resume is said once.
            resumable = await self.office.recover_broadcasts()
            if resumable is not None:
                report_resumable(self.messages, resumable)
        if self.session.profile.is_sandbox:  # its state file is read as it starts
            await asyncio.shield(self.sandbox.start_soon())
        await self.report_upload_queue()
        self.window.show_startup_notices()
        # The HTTP client's imports, off the loop's thread, before the first send needs them.
        self.session.warm_up()

    async def report_upload_queue(self) -> None:
        """Uploads left from last time join the start-up notice, whichever tab
        opens first: an upload that may already be in the library must not wait
        for a visit to Recordings to be mentioned."""
        if not self.upload_queue_built() and not await asyncio.to_thread(
                queue_has_rows, self.office, self.journal):
            return
        from console.jobs.uploads.status import Status
        from console.ui.messages import Level

        queue = self.upload_queue()
        if queue.load_warning:
            self.messages.warning(f"Upload queue: {queue.load_warning}")
        if queue.load_notice:
            self.messages.post(Level.WARNING if queue.counts().get(Status.UNSURE) else Level.INFO,
                               f"Upload queue: {queue.load_notice}")
