from PySide6.QtCore import QModelIndex, Qt

import pytest

from console.branch.findings import Finding
from console.branch.schema import FilePlay, TtsPlay
from console.ui.branch.models import FINDINGS_ROLE, Column, PlayModel, RowsModel


def pairs(rows=()):
    model = RowsModel([Column("key", "Key"), Column("branch", "Go to branch")])
    model.set_rows(rows)
    return model


def test_models_pass_the_model_tester(qtmodeltester):
    model = pairs([("1", "100"), ("2", "200")])
    qtmodeltester.check(model, force_py=True)
    play = PlayModel()
    play.set_items([FilePlay("1", "2"), TtsPlay("hello")])
    qtmodeltester.check(play, force_py=True)


@pytest.mark.parametrize("source, destination, order", [
    (0, 2, ["b", "c", "a", "d"]),
    (3, 0, ["d", "a", "b", "c"]),
    (1, 2, ["a", "c", "b", "d"]),
    (2, 1, ["a", "c", "b", "d"]),
])
def test_move_row(source, destination, order):
    model = pairs([(x, "") for x in "abcd"])
    assert model.move_row(source, destination)
    assert [row[0] for row in model.rows()] == order


@pytest.mark.parametrize("source, destination", [(0, 0), (-1, 1), (0, 4)])
def test_impossible_moves_change_nothing(source, destination):
    model = pairs([(x, "") for x in "abcd"])
    assert not model.move_row(source, destination)
    assert [row[0] for row in model.rows()] == list("abcd")


@pytest.mark.parametrize("dragged, drop_row, order", [
    ([1], 4, ["a", "c", "d", "b"]),
    ([2], 0, ["c", "a", "b", "d"]),
    ([0, 1], 4, ["c", "d", "a", "b"]),
    ([1, 2], 0, ["b", "c", "a", "d"]),
    ([1], 1, ["a", "b", "c", "d"]),
    ([1], 2, ["a", "b", "c", "d"]),
])
def test_dropping_rows_moves_them_before_the_drop_row(dragged, drop_row, order):
    model = pairs([(x, "") for x in "abcd"])
    mime = model.mimeData([model.index(r, c) for r in dragged for c in range(2)])
    # False tells the view not to delete the dragged rows: the model moved them.
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, drop_row, 0, QModelIndex()) is False
    assert [row[0] for row in model.rows()] == order


def test_dropping_onto_a_row_puts_the_rows_before_it():
    model = pairs([(x, "") for x in "abcd"])
    mime = model.mimeData([model.index(3, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index(1, 0))
    assert [row[0] for row in model.rows()] == ["a", "d", "b", "c"]


def test_findings_decorate_their_cells_only():
    model = pairs([("1", "x"), ("1", "2")])
    problem = Finding(("inputs", 1, "key"), "error", "inputs.duplicate_key", "Key 1 is used twice.")
    whole_row = Finding(("inputs", 0), "warning", "import.x", "Row note.")
    elsewhere = Finding(("variables", 0, "name"), "error", "x", "Not mine.")
    changes = []
    model.dataChanged.connect(lambda *args: changes.append(args))
    model.set_findings([problem, whole_row, elsewhere], "inputs")
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == "Key 1 is used twice."
    assert model.data(model.index(1, 0), FINDINGS_ROLE) == [problem]
    assert model.data(model.index(1, 1), FINDINGS_ROLE) == []
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "Row note."
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) is not None
    assert changes
    changes.clear()
    model.set_findings([problem, whole_row], "inputs")  # the same: no repaint
    assert changes == []


def test_play_cells_that_do_not_apply_are_read_only_and_marked():
    model = PlayModel()
    model.set_items([TtsPlay("hi")])
    album = model.index(0, PlayModel.ALBUM)
    assert not model.flags(album) & Qt.ItemFlag.ItemIsEditable
    assert model.data(album) == "\u2014"
    assert model.setData(album, "5") is False
    assert model.setData(model.index(0, PlayModel.KIND), "video") is False
    assert model.setData(model.index(0, PlayModel.KIND), "file") is True
    assert model.flags(album) & Qt.ItemFlag.ItemIsEditable
    assert model.data(model.index(0, PlayModel.KIND)) == "Library file"


def test_edited_is_emitted_once_per_change():
    model = pairs()
    seen = []
    model.edited.connect(lambda: seen.append(1))
    model.insert_row(0, ["1", ""])
    model.setData(model.index(0, 1), "5")
    model.setData(model.index(0, 1), "5")  # unchanged
    model.remove_row(0)
    assert len(seen) == 3
