"""The queue view repaints what changed on screen (it skips only rows out of sight)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QRegion, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication

from console.ui.recordings.model import COL_ALBUM, COL_STATUS, HEADERS
from console.ui.recordings.view import QueueView


class PaintRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.region = QRegion()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.region = self.region.united(event.region())
        return False


def make_view(qtbot) -> tuple[QueueView, QStandardItemModel, PaintRecorder]:
    model = QStandardItemModel(300, len(HEADERS))
    for row in range(300):
        for column in range(len(HEADERS)):
            model.setItem(row, column, QStandardItem(f"{row}/{column}"))
    view = QueueView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    # Whatever showing the view still has to paint is painted now, so that only
    # what the test changes is recorded.
    QApplication.sendPostedEvents()
    view.viewport().repaint()
    QApplication.processEvents()
    recorder = PaintRecorder()
    view.viewport().installEventFilter(recorder)
    return view, model, recorder


def test_a_range_reaching_past_the_screen_repaints_its_visible_cells(qtbot) -> None:
    view, model, recorder = make_view(qtbot)
    last_visible = view.rowAt(view.viewport().height() - 1)
    assert 5 < last_visible < 250
    model.dataChanged.emit(model.index(3, COL_STATUS), model.index(250, COL_STATUS))
    wanted = [view.visualRect(model.index(row, COL_STATUS)) for row in (3, last_visible)]
    qtbot.waitUntil(lambda: all(recorder.region.contains(rect) for rect in wanted))


def test_whole_rows_changing_on_screen_are_repainted(qtbot) -> None:
    view, model, recorder = make_view(qtbot)
    model.dataChanged.emit(model.index(0, 0), model.index(2, len(HEADERS) - 1))
    wanted = [view.visualRect(model.index(row, column))
              for row in range(3) for column in (0, COL_ALBUM, COL_STATUS)]
    qtbot.waitUntil(lambda: all(recorder.region.contains(rect) for rect in wanted))


def test_a_change_below_the_screen_is_shown_once_scrolled_to(qtbot) -> None:
    view, model, recorder = make_view(qtbot)
    model.item(280, COL_STATUS).setText("changed while out of sight")
    view.scrollTo(model.index(280, COL_STATUS))
    rect = view.visualRect(model.index(280, COL_STATUS))
    assert view.viewport().rect().intersects(rect)
    qtbot.waitUntil(lambda: recorder.region.contains(rect))
    assert model.index(280, COL_STATUS).data() == "changed while out of sight"
