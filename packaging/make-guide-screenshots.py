"""Take the user guide's screenshots from the real console, offscreen.

    .venv/bin/python packaging/make-guide-screenshots.py            # resources/guide/images/
    .venv/bin/python packaging/make-guide-screenshots.py --review /tmp/shots

The first form rewrites the small PNGs the guide shows. `--review` instead
saves full-size screenshots of the tabs and dialogs at 1024x700 and 1366x768,
in the light and a dark palette, for a person to look at before a release.
Everything runs on a throw-away home folder with the built-in Sandbox: nothing
is sent anywhere and the user's own profiles are never read.
"""
from __future__ import annotations

import argparse
import asyncio
import math
import os
import struct
import sys
import tempfile
import wave
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["VOITEX_CONSOLE_HOME"] = tempfile.mkdtemp(prefix="voitex-guide-shots-")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget  # noqa: E402

import keyring  # noqa: E402
import qasync  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

GUIDE_WIDTH = 760  # the guide's images are scaled down to this width, to stay small


class _MemoryKeyring(KeyringBackend):
    priority = -1  # never chosen by itself: installed below for this run only

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self.passwords.pop((service, username), None)


async def settle(ms: int = 300) -> None:
    # Wait on the event loop (not processEvents): the console's own tasks, such
    # as what it starts after the first paint, must run as they do for a user.
    await asyncio.sleep(ms / 1000)


def tone(path: Path, seconds: float = 0.4, pitch: float = 8.0) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = b"".join(struct.pack("<h", int(8000 * math.sin(i / pitch)))
                          for i in range(int(8000 * seconds)))
        out.writeframes(frames)
    return path


async def save(widget: QWidget, path: Path, *, width: int | None = None) -> None:
    await settle()
    pixmap = widget.grab()
    if width and pixmap.width() > width:
        pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
    path.parent.mkdir(parents=True, exist_ok=True)
    pixmap.save(str(path), "PNG", 9 if width else -1)
    print(f"saved {path} ({path.stat().st_size // 1024} KiB)")


def fill_examples(console, folder: Path) -> None:
    from console.branch.request import BranchRequest, Step

    sounds = folder / "sounds"
    sounds.mkdir(exist_ok=True)
    # Different sounds: the queue flags the same recording dropped twice.
    files = [tone(sounds / name, seconds=seconds, pitch=pitch)
             for name, seconds, pitch in (("05 Main menu.wav", 0.4, 8.0),
                                          ("06 Opening hours.wav", 0.6, 6.0),
                                          ("07 Holiday greeting.wav", 0.5, 10.0))]
    console.tabs["recordings"].add_paths(files)
    sms = console.tabs["sms"]
    sms.to_edit.setText("(845) 951-1000")
    sms.body_edit.setPlainText("Your order is ready for pick-up at the front desk. "
                               "Reply STOP to opt out.")
    branch = console.tabs["branch"]
    branch.designer.load_sample("main-menu.json", "Main menu")
    branch.composer.set_request(BranchRequest(
        call_id="AST10-1689867312.264", cid="8459511000", cnam="VOITEX",
        date_time="2023-07-20 11:35:35", did="8459511110", branch_data=(Step("0"),)))


def profiles_dialog(console):
    from console.ui.profiles_dialog import ProfilesDialog

    dialog = ProfilesDialog(session=console.session, secrets=console.secrets,
                            messages=console.messages, parent=console.window)
    dialog.start_new_profile()
    dialog.name_edit.setText("Main office")
    dialog._add_number_row("(845) 951-1000", "Main line")
    dialog.key_edit.setText("example-key")
    return dialog


async def guide_shots(console, out: Path) -> None:
    window = console.window
    window.resize(1024, 700)
    window.show()
    await settle(2000)  # the Sandbox starts after the first paint
    window.statusBar().clearMessage()
    await save(window.banner, out / "sandbox-banner.png", width=GUIDE_WIDTH)
    for key, name in (("recordings", "recordings"), ("sms", "sms")):
        window.show_tab(key)
        await save(window, out / f"{name}.png", width=GUIDE_WIDTH)
    window.show_tab("branch")
    await save(window, out / "branch-designer.png", width=GUIDE_WIDTH)
    dialog = profiles_dialog(console)
    dialog.show()
    await save(dialog, out / "add-live-account.png", width=GUIDE_WIDTH)
    dialog.close()


async def review_shots(console, out: Path, suffix: str) -> None:
    from console.ui.help_window import REFERENCE_KEY, show_help

    window = console.window
    for width, height in ((1024, 700), (1366, 768)):
        window.resize(width, height)
        window.show()
        for key in ("recordings", "tts", "sms", "calls", "broadcast", "branch", "history",
                    "library"):
            window.show_tab(key)
            await save(window, out / f"{key}-{width}x{height}{suffix}.png")
        window.show_tab("branch")
        branch = console.tabs["branch"]
        branch.pages.setCurrentIndex(1)
        await save(window, out / f"branch-tester-{width}x{height}{suffix}.png")
        branch.pages.setCurrentIndex(0)
        dialog = profiles_dialog(console)
        dialog.show()
        await save(dialog, out / f"profiles-{width}x{height}{suffix}.png")
        dialog.name_edit.setText("sandbox")
        dialog.url_edit.setText("https://api.voitex.com/v1")
        dialog.save_button.click()
        await save(dialog, out / f"profiles-refused-{width}x{height}{suffix}.png")
        dialog.close()
        guide = show_help(window)
        guide.resize(min(width, 960), min(height, 680))
        await save(guide, out / f"help-{width}x{height}{suffix}.png")
        guide.show_page(REFERENCE_KEY)
        await save(guide, out / f"help-reference-{width}x{height}{suffix}.png")
        guide.search_edit.setText("unknown")
        await save(guide, out / f"help-search-{width}x{height}{suffix}.png")
        guide.search_edit.clear()
        guide.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review", type=Path, help="save full-size review screenshots here")
    parser.add_argument("--dark", action="store_true", help="use a dark palette (with --review)")
    args = parser.parse_args()

    keyring.set_keyring(_MemoryKeyring())
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    if args.dark:
        from console.ui.palette import dark_fusion_palette

        qapp.setPalette(dark_fusion_palette())
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    from console.app import ConsoleApp
    from console.store.paths import app_paths

    async def run() -> None:
        console = ConsoleApp(qapp, paths=app_paths(), show_dialogs=False)
        try:
            fill_examples(console, Path(os.environ["VOITEX_CONSOLE_HOME"]))
            if args.review:
                await review_shots(console, args.review, "-dark" if args.dark else "")
            else:
                await guide_shots(console, ROOT / "resources" / "guide" / "images")
        finally:
            console.window.hide()
            await console.shutdown()

    with loop:
        loop.run_until_complete(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
