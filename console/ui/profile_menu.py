"""The Profile menu: every profile, the active one checked (Ctrl+1…9), then
"Add live account…" and "Manage profiles…". Filled again each time it opens."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from console.jobs.session import AccountSession

SHORTCUT_PROFILES = 9  # Ctrl+1…9


def profile_label(name: str, is_sandbox: bool) -> str:
    return name + ("  (practice)" if is_sandbox else "  (live)")


class ProfileMenu:
    def __init__(self, menu: QMenu, session: AccountSession, *,
                 switch: Callable[[str], object], add_account: Callable[[], None],
                 manage: Callable[[], None]) -> None:
        self.menu = menu
        self._session = session
        self._switch = switch
        self._add_account = add_account
        self._manage = manage
        self.group = QActionGroup(menu)
        self.group.setExclusive(True)
        menu.aboutToShow.connect(self.fill)
        self.fill()

    def fill(self) -> None:
        self.menu.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
            action.deleteLater()
        active = self._session.profile.id
        for index, profile in enumerate(self._session.all_profiles()):
            action = QAction(profile_label(profile.name, profile.is_sandbox), self.group)
            action.setCheckable(True)
            action.setChecked(profile.id == active)
            action.setData(profile.id)
            if index < SHORTCUT_PROFILES:
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(
                lambda _checked=False, pid=profile.id: self._switch(pid))
            self.menu.addAction(action)
        self.menu.addSeparator()
        add = self.menu.addAction("&Add live account…")
        add.triggered.connect(self._add_account)
        manage = self.menu.addAction("&Manage profiles…")
        manage.triggered.connect(self._manage)
