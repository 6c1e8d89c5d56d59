"""`voitex-console` with no sub-command: the window, on a qasync loop.

`run()` makes the QApplication, hands the files to a console already running
(one console per home folder), builds the `ConsoleApp` (app.py), shows the
window, reads the active profile's key, and waits until the window closes (or
runs the self-check, self_check.py). With VOITEX_CONSOLE_STARTUP_PROBE=1 it
prints the start-up probe's lines (console/startup_probe.py) and quits once
the first tab is ready: what bench/startup.py measures.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import os
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

from console.ui import pyside_import_scan  # noqa: E402  (imports PySide6 first)

pyside_import_scan.make_cheap()  # before the imports below: each is looked at by PySide6

import qasync  # noqa: E402

from console import __version__  # noqa: E402
from console.app import ConsoleApp  # noqa: E402
from console.logging_setup import configure_logging  # noqa: E402
from console.startup_probe import STARTUP_PROBE_ENV, startup_probe_line  # noqa: E402
from console.store.journal import JournalError  # noqa: E402
from console.store.paths import app_paths  # noqa: E402
from console.ui.application import make_qapp, show_startup_problem  # noqa: E402
from console.ui.single_instance import forward_to_running_instance, instance_name  # noqa: E402

__all__ = ["run", "startup_probe_line"]

log = logging.getLogger(__name__)


async def open_active_key(console: ConsoleApp) -> None:
    """The active profile's key, then the way to a live account tried in the background."""
    try:
        await console.session.load_active_key()
        console.session.check_soon()
    except Exception as err:
        from console.store.secrets import SecretStoreError

        if not isinstance(err, SecretStoreError):
            raise
        console.messages.warning(
            f"The key for '{console.session.profile.name}' could not be read: {err}")


def start_uploading(console: ConsoleApp) -> None:
    """`--upload`, unattended: only where nothing reaches a customer (no live question to skip)."""
    if console.session.profile.is_sandbox:
        console.upload_queue.start_when_read()
    else:
        console.messages.warning("--upload works only with the Sandbox profile; "
                                 "press Upload to send to a live account.")


def watch_start_up(console: ConsoleApp, *, probe: bool) -> None:
    """gc.freeze() once what lives as long as the window is built; the probe's lines."""
    window = console.window

    def on_first_painted() -> None:
        if probe:
            print(startup_probe_line("first-paint"), flush=True)

    def on_current_tab_ready(_key: str) -> None:
        # What lives as long as the window is built by now: keep it out of
        # the garbage collector's scans, which otherwise stall the UI.
        gc.freeze()
        if probe:
            print(startup_probe_line("tab-ready"), flush=True)
            console.request_close()

    def on_tab_built(_key: str) -> None:
        # A tab built on a later visit lives as long as the window too: out of
        # the collector's scans with it (a full collection over a built
        # History or Recordings tab stalled scrolling for 15-20 ms).
        if window.painted:
            gc.freeze()

    window.first_painted.connect(on_first_painted)
    window.current_tab_ready.connect(on_current_tab_ready)
    window.tab_built.connect(on_tab_built)


def run(*, files: list[Path], self_check: bool = False, start_upload: bool = False) -> int:
    if self_check and not os.environ.get("VOITEX_CONSOLE_HOME"):
        # The self-check must not leave entries in the user's own history.
        import tempfile

        os.environ["VOITEX_CONSOLE_HOME"] = tempfile.mkdtemp(prefix="voitex-self-check-")
    paths = app_paths()
    log_file = configure_logging(paths.log_dir)
    qapp = make_qapp()
    if not self_check and forward_to_running_instance(instance_name(paths), files):
        print("Voitex Console is already running; the files were added to its upload queue.")
        return 0

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    probe = os.environ.get(STARTUP_PROBE_ENV) == "1"

    async def main() -> int:
        try:
            console = ConsoleApp(qapp, paths=paths, show_dialogs=not self_check)
        except JournalError as err:
            show_startup_problem(str(err), interactive=not self_check)
            return 1
        console.crash.install(loop)
        log.info("Voitex Console %s started; log file %s", __version__, log_file)
        watch_start_up(console, probe=probe)
        console.window.show()
        await open_active_key(console)
        if files:
            console.queue_files(files)
        if start_upload:
            start_uploading(console)
        try:
            if self_check:
                from console.self_check import run_self_check

                return await run_self_check(console)
            await console.closed
            return 0
        finally:
            console.window.hide()
            await console.shutdown()

    with loop:
        return loop.run_until_complete(main())
