"""The console's tabs: what each is built from, on its first visit (app.py's wiring).

`AppTabs(console).specs()` gives the window one `TabSpec` per tab; each tab's
module is imported only when the tab is built. The Library's "Use in a call" and
"Use in a branch design" go to the Calls and Branch tabs through here.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from console.ui.main_window import TAB_ORDER, MainWindow
from console.ui.tab_interface import TabSpec, as_tab

if TYPE_CHECKING:
    from console.app import ConsoleApp
    from console.store.catalogue import CatalogueEntry


class TabsOnDemand(Mapping[str, QWidget]):
    """`console.tabs["sms"]`: the tab, built on the spot if it was not yet."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._window.specs:
            raise KeyError(key)
        return self._window.tab(key)

    def __iter__(self) -> Iterator[str]:
        return iter(TAB_ORDER)

    def __len__(self) -> int:
        return len(TAB_ORDER)


class AppTabs:
    """Builds each tab from the running console's parts."""

    def __init__(self, console: ConsoleApp) -> None:
        self._console = console

    def specs(self) -> dict[str, TabSpec]:
        return {
            "recordings": TabSpec(build=self.build_recordings),
            "tts": TabSpec(build=self.build_tts, keeps_draft=True),
            "sms": TabSpec(build=self.build_sms, keeps_draft=True),
            "calls": TabSpec(build=self.build_calls, keeps_draft=True),
            "broadcast": TabSpec(build=self.build_broadcast, keeps_draft=True),
            "branch": TabSpec(build=self.build_branch, keeps_draft=True),
            "history": TabSpec(build=self.build_history),
            "library": TabSpec(build=self.build_library),
        }

    def build_recordings(self) -> QWidget:
        from console.ui.recordings_tab import RecordingsTab

        c = self._console
        return RecordingsTab(queue=c.upload_queue,
                             default_album=lambda: c.session.profile.default_album,
                             messages=c.messages, confirm_start=c.confirm_live_upload,
                             library=c.library)

    def build_tts(self) -> QWidget:
        from console.ui.tts_tab import TtsTab

        c = self._console
        return TtsTab(session=c.session, sender=c.sender, messages=c.messages, library=c.library)

    def build_sms(self) -> QWidget:
        from console.ui.sms_tab import SmsTab

        c = self._console
        return SmsTab(session=c.session, sender=c.sender, messages=c.messages,
                      broadcasts=c.broadcasts)

    def build_calls(self) -> QWidget:
        from console.ui.calls_tab import CallsTab

        c = self._console
        return CallsTab(session=c.session, sender=c.sender, messages=c.messages,
                        library=c.library, broadcasts=c.broadcasts)

    def build_broadcast(self) -> QWidget:
        from console.ui.broadcast_tab import BroadcastTab

        c = self._console
        return BroadcastTab(session=c.session, sender=c.sender, store=c.broadcasts,
                            runner=c.broadcast_runner, messages=c.messages,
                            library=c.library, history=c.history)

    def build_branch(self) -> QWidget:
        from console.api.branch_endpoint import post_branch_request
        from console.ui.branch_tab import BranchTab

        c = self._console
        tab = BranchTab(post_request=post_branch_request, messages=c.messages,
                        library=c.library,
                        settings_path=c.paths.config_dir / "branch-tester.json")
        tab.designer.document_name_changed.connect(c.window.set_document_name)
        return tab

    def build_history(self) -> QWidget:
        from console.ui.history_tab import HistoryTab

        c = self._console
        return HistoryTab(journal=c.history, profiles_provider=c.session.all_profiles,
                          resend=c.resend, messages=c.messages)

    def build_library(self) -> QWidget:
        from console.ui.library_tab import LibraryTab

        c = self._console
        return LibraryTab(library=c.library, session=c.session, messages=c.messages,
                          use_in_call=self.use_in_call, use_in_design=self.use_in_design,
                          sandbox_listing=self.sandbox_listing)

    def use_in_call(self, entry: CatalogueEntry) -> None:
        """The Library's "Use in a call": Calls, with that recording chosen."""
        from console.ui.calls_tab import CallsTab

        window = self._console.window
        as_tab("calls", window.tab("calls"), CallsTab).use_recording(entry)
        window.show_tab("calls")

    def use_in_design(self, entry: CatalogueEntry) -> None:
        """The Library's "Use in a branch design": a play item in the designer."""
        from console.ui.branch_tab import BranchTab

        window = self._console.window
        as_tab("branch", window.tab("branch"), BranchTab).add_library_recording(entry)
        window.show_tab("branch")

    async def sandbox_listing(self) -> list[dict[str, Any]]:
        """What the embedded sandbox's library holds (the Sandbox profile's key)."""
        server = await self._console.sandbox.wait_running()
        return await asyncio.to_thread(server.library)
