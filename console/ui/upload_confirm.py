"""The question before files go to a live account: uploading replaces what is at
each album and sort number. On the Sandbox profile nothing is asked."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from console.domain.wording import plural
from console.store.profiles import Profile
from console.ui.widgets import Confirm, default_confirm, live_confirmation

SHOWN_REPLACED = 5  # recordings named in the question; the rest are counted


def replaced_text(replacing: Sequence[str]) -> str:
    """What the Library knows is at the files' album and sort numbers, for the question."""
    informative = "A recording already at the same album and sort number is replaced."
    if replacing:
        shown = "\n".join(f"• {text}" for text in replacing[:SHOWN_REPLACED])
        more = (f"\n…and {len(replacing) - SHOWN_REPLACED} more."
                if len(replacing) > SHOWN_REPLACED else "")
        informative = f"{informative}\n\n{shown}{more}"
    return informative


def confirm_live_upload(parent: QWidget, profile: Profile, count: int,
                        confirm: Confirm = default_confirm, *,
                        replacing: Sequence[str] = ()) -> bool:
    """True to go on: always on the Sandbox, else what the user answered."""
    if profile.is_sandbox:
        return True
    box = live_confirmation(
        parent, title="Upload to the live account?",
        text=f"Upload {plural(count, 'file')} to the live account '{profile.name}'?",
        informative=replaced_text(replacing), action="Upload")
    return confirm(box)
