"""What a user does and reads on the Broadcast tab, for the tests."""
from __future__ import annotations

from console.domain.broadcast.preflight import GOES, KIND_WORDS


def load_file(qtbot, tab, path):
    """Open `path` as the user would (the file is read off the UI thread) and wait for it."""
    with qtbot.waitSignal(tab.list_picker.loading_finished, timeout=20000) as loaded:
        tab.load_csv_file(path)
    wait_checked(qtbot, tab)
    return loaded.args[0]


def wait_checked(qtbot, tab):
    """Until the check of every row is up to date (long lists are checked off the UI thread)."""
    tab.recompute()
    qtbot.waitUntil(lambda: not tab.check_busy, timeout=20000)


def check_rows(tab):
    """(row, name, number, state, their time, decision, message, texts, special) as shown."""
    model = tab.check_panel.model
    return [tuple(model.index(r, c).data() for c in range(model.columnCount()))
            for r in range(model.rowCount())]


def going(tab):
    """(row, number, message, texts, special) of the rows that send or wait."""
    return [(str(d.row), d.shown_number, d.text, str(d.segments), d.special)
            for d in tab.checker_result.rows if d.kind in GOES]


def left_out(tab):
    """(row, what) of the rows not sent."""
    return [(str(d.row), KIND_WORDS[d.kind]) for d in tab.checker_result.rows if d.kind not in GOES]


def reason_of(tab, row):
    return next(d.reason for d in tab.checker_result.rows if d.row == row)
