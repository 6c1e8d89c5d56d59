"""How fast the branch designer follows typing.

    .venv/bin/python bench/branch_preview.py [--edits 300] [--play 50] [--keys 12] [--variables 30]

Builds the real designer (DesignerPanel, shown on the offscreen platform) with a
design of --play play items, --keys keys and --variables variables, then makes
--edits single edits of the kinds a user makes while typing: a character typed
into (or deleted from) a text-to-speech text, "Go to branch", a key's branch
(where a letter brings a finding that the backspaces take away again) and a
variable's value. Each edit goes in as the cell editor hands it over (one
setData per keystroke). For each one it times:

- update: the edit until the preview text (with its colours) and every
  finding (list, cells, labels) are up to date;
- update + paint: the same plus one pass of the event loop, which lays out and
  paints what changed.

It prints the median and the worst of each, in milliseconds, in the indented
and the compact preview, and as a baseline measured in the same run, what the
obvious implementation costs: putting the whole JSON into an identical
highlighted text view with setPlainText. Target: the worst "update + paint"
under 16 ms (one frame at 60 Hz).

Not part of the test suite: performance is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from console.branch.schema import KEYPAD_KEYS, Design, FilePlay, TtsPlay, design_to_json  # noqa: E402
from console.ui.branch.designer import DesignerPanel  # noqa: E402
from console.ui.branch.models import PlayModel  # noqa: E402
from console.ui.branch.preview import JsonPreview  # noqa: E402

TARGET_MS = 16.0


def big_design(play: int, keys: int, variables: int) -> Design:
    items = []
    for n in range(play):
        if n % 2:
            items.append(FilePlay(album=str(10 + n % 7), sort=str(n + 1)))
        else:
            items.append(TtsPlay(f"Item {n + 1}: thank you for calling; your account balance "
                                 f"and the opening hours of the office are read out here."))
    inputs = tuple((KEYPAD_KEYS[n % len(KEYPAD_KEYS)], str(100 + n)) for n in range(keys))
    names = tuple((f"customer_field_{n}", f"value {n}") for n in range(variables))
    return Design(goto="150", play=tuple(items), inputs=inputs, variables=names)


def typed(text: str, i: int, alphabet: str) -> str:
    """The text after the next keystroke: three characters typed, then three
    backspaces, so fields stay the length people type."""
    return text + alphabet[i % len(alphabet)] if i % 6 < 3 else text[:-1]


def edits(panel: DesignerPanel, count: int):
    """Callables that each make one keystroke's edit, cycling over the kinds."""
    play, keys, variables = panel.play_model, panel.keys_model, panel.variables_model
    middle = (play.rowCount() // 2) & ~1  # a text-to-speech row

    def edit_cell(model, index, i, alphabet):
        model.setData(index, typed(index.data(Qt.ItemDataRole.EditRole), i, alphabet))

    def tts(i):
        edit_cell(play, play.index(middle, PlayModel.TEXT), i, "abcdefghij")

    def goto(i):
        panel.goto_edit.setText(typed(panel.goto_edit.text(), i, "0123456789"))

    def key_branch(i):
        # "x" makes the branch number wrong: a finding appears, and goes with the backspaces.
        edit_cell(keys, keys.index(keys.rowCount() - 1, 1), i, "x12")

    def variable(i):
        edit_cell(variables, variables.index(variables.rowCount() // 2, 1), i, "xyz")

    kinds = [tts, goto, key_branch, variable]
    for i in range(count):
        kind, n = kinds[i % len(kinds)], i // len(kinds)
        yield (lambda k=kind, n=n: k(n))


def measure(panel: DesignerPanel, count: int) -> tuple[list[float], list[float]]:
    update, painted = [], []
    for edit in edits(panel, count):
        start = time.perf_counter()
        edit()
        middle = time.perf_counter()
        QCoreApplication.processEvents()
        end = time.perf_counter()
        update.append((middle - start) * 1000)
        painted.append((end - start) * 1000)
    return update, painted


def baseline(design: Design, count: int, compact: bool) -> list[float]:
    view = JsonPreview("baseline")
    view.resize(500, 700)
    view.show()
    texts = [design_to_json(design, compact=compact)]
    texts.append(texts[0].replace("Item 25:", "Item 25:x"))
    times = []
    for i in range(count):
        start = time.perf_counter()
        view.setPlainText(texts[i % 2])
        QCoreApplication.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    view.close()
    return times


def line(name: str, values: list[float]) -> str:
    p99 = statistics.quantiles(values, n=100)[98]
    return (f"  {name:<32} median {statistics.median(values):6.2f} ms   "
            f"99th percentile {p99:6.2f} ms   worst {max(values):6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--play", type=int, default=50)
    parser.add_argument("--keys", type=int, default=12)
    parser.add_argument("--variables", type=int, default=30)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    design = big_design(args.play, args.keys, args.variables)
    panel = DesignerPanel(confirm=lambda box: True)
    panel.resize(1200, 800)
    panel.show()
    panel.set_design(design)
    app.processEvents()
    print(f"Design: {args.play} play items, {args.keys} keys, {args.variables} variables; "
          f"{len(design_to_json(design))} characters of indented JSON; {args.edits} edits each.")

    worst_painted = 0.0
    for compact in (False, True):
        panel.compact_check.setChecked(compact)
        panel.set_design(design)
        app.processEvents()
        gc.collect()
        update, painted = measure(panel, args.edits)
        base = baseline(design, args.edits, compact)
        form = "compact" if compact else "indented"
        print(f"\n{form.capitalize()} preview:")
        print(line("update (preview + findings)", update))
        print(line("update + paint", painted))
        print(line("baseline: setPlainText + paint", base))
        print(f"  worst update + paint is {max(painted) / max(base):.2f}x the baseline's worst; "
              f"median {statistics.median(painted) / statistics.median(base):.2f}x")
        worst_painted = max(worst_painted, max(painted))
    verdict = "met" if worst_painted < TARGET_MS else "MISSED"
    print(f"\nTarget: worst update + paint under {TARGET_MS:g} ms: {verdict} "
          f"(worst {worst_painted:.2f} ms).")
    panel.close()
    return 0 if worst_painted < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
