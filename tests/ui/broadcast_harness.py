"""The Broadcast tab on its own, wired to the sandbox through the test console's sender."""
from __future__ import annotations

from console.jobs.broadcast_runner import BroadcastRunner, send_broadcast_row
from console.store.broadcasts import SqliteBroadcastStore
from console.ui.broadcast_guard import LEAVE_OUT
from console.ui.broadcast_tab import BroadcastTab


class ChooseRecorder:
    """Answers the tab's multiple-choice questions by button name, and keeps their words."""

    def __init__(self, answer: str = LEAVE_OUT) -> None:
        self.answer = answer
        self.boxes: list[str] = []
        self.defaults: list[str] = []

    def __call__(self, box) -> str:
        self.boxes.append(f"{box.text()}\n{box.informativeText()}")
        self.defaults.append(box.defaultButton().objectName())
        return self.answer


class Harness:
    def __init__(self, qtbot, env, clock, confirm, tmp_path):
        self.env = env
        self.clock = clock
        self.store = SqliteBroadcastStore(env.journal.path)
        self.saved_to = tmp_path / "out.csv"
        self.open_path = None
        self.names: list[str] = []

        async def send_row(run, row):
            return await send_broadcast_row(env.sender, run, row)

        self.runner = BroadcastRunner(store=self.store, send_row=send_row, clock=clock)
        self.choose = ChooseRecorder()
        self.tab = BroadcastTab(session=env.session, sender=env.sender, store=self.store,
                                runner=self.runner, messages=env.messages, confirm=confirm,
                                choose=self.choose, history=env.journal,
                                clock=clock, choose_open_path=lambda: self.open_path,
                                choose_save_path=lambda: self.saved_to,
                                ask_text=lambda title, label: self.names.pop(0))
        qtbot.addWidget(self.tab)
        self.tab.show()

    def close(self, qtbot=None):
        """Stop what a test left under way (a scheduled run, say), then close the store."""
        if qtbot is not None:
            import asyncio

            stopping = asyncio.ensure_future(self.runner.shutdown(grace=0))
            qtbot.waitUntil(stopping.done, timeout=5000)
        self.store.close()
