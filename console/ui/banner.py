"""The strip at the top that says which account the window talks to."""
from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from console.store.profiles import Profile
from console.ui.palette import banner_colours


def banner_style(kind: str, palette: QPalette) -> str:
    """The banner's colours for "sandbox" or "live", in the palette's variant."""
    background, text, border = banner_colours(palette)[kind]
    bold = " font-weight:bold;" if kind == "live" else ""
    return f"background:{background}; color:{text}; border-bottom:1px solid {border};{bold}"


class ProfileBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileBanner")
        self.setWordWrap(True)
        self.setAccessibleName("Active account")
        self.is_live = False

    def show_profile(self, profile: Profile, *, has_key: bool = True) -> None:
        self.is_live = not profile.is_sandbox
        if profile.is_sandbox:
            text = ("Sandbox: practice mode. Nothing you send here reaches a customer; "
                    "the built-in sandbox keeps what it receives.")
            style = banner_style("sandbox", self.palette())
        else:
            text = (f"LIVE ACCOUNT '{profile.name}': messages and calls reach real customers.")
            if not has_key:
                text += (" There is no account key on this computer yet: add it in "
                         "Profile ▸ Manage profiles.")
            style = banner_style("live", self.palette())
        self.setText(text)
        self.setStyleSheet(f"QLabel#profileBanner {{ {style} padding:6px 10px; }}")
