"""The shared file-dialog pair, question box and layout helpers (ui/dialogs.py,
ui/widgets.py) that the designer, composer, tester, project editor and dialogs use."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QWidget

from console.ui.dialogs import ask_open_file, ask_save_file
from console.ui.layout import column, push_button, row
from console.ui.widgets import question_box


def test_a_save_dialog_adds_the_suffix_only_when_the_name_lacks_it(qtbot, monkeypatch, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    answers = [str(tmp_path / "walks"), str(tmp_path / "Walks.PY"), ""]
    started = []

    def fake(_parent, _title, start, _filters):
        started.append(start)
        return answers.pop(0), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    ask = {"folder": str(tmp_path), "suggested": "t.py", "filters": "Python files (*.py)",
           "suffix": ".py"}
    assert ask_save_file(parent, "Export", **ask) == tmp_path / "walks.py"
    assert ask_save_file(parent, "Export", **ask) == tmp_path / "Walks.PY"
    assert ask_save_file(parent, "Export", **ask) is None  # Cancel
    assert started == [str(tmp_path / "t.py")] * 3


def test_an_open_dialog_starts_in_the_folder_and_cancel_is_none(qtbot, monkeypatch, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    answers = [(str(tmp_path / "a.json"), ""), ("", "")]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda _p, _t, folder, _f: (answers.pop(0)
                                                                 if folder == str(tmp_path)
                                                                 else ("wrong", ""))))
    assert ask_open_file(parent, "Open", folder=str(tmp_path), filters="*") == Path(tmp_path / "a.json")
    assert ask_open_file(parent, "Open", folder=str(tmp_path), filters="*") is None


def test_a_question_goes_ahead_only_on_its_named_button_and_defaults_to_cancel(qtbot):
    box = question_box(None, title="Remove?", text="Remove the rule?", informative="Its replies go.",
                       accept="&Remove")
    qtbot.addWidget(box)
    accept = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole]
    assert [b.accessibleName() for b in accept] == ["Remove"]
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.accessibleName() == "Remove?" and box.informativeText() == "Its replies go."


def test_rows_and_columns_keep_order_stretch_and_margins(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    first, second = QLabel("a"), push_button("B", "Button B", "Does B")
    inner = row(first, 1, (second, 2))
    outer = column(inner, parent=host, margins=0)
    assert host.layout() is outer and outer.contentsMargins().left() == 0
    assert [inner.itemAt(i).widget() for i in (0, 2)] == [first, second]
    assert inner.itemAt(1).spacerItem() is not None and inner.stretch(1) == 1
    assert inner.stretch(2) == 2
    assert isinstance(second, QPushButton) and second.accessibleName() == "Button B"
    assert second.toolTip() == "Does B"
