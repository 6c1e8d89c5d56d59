"""The queue's row list alone: no Qt, no run, no store (console/jobs/uploads/rows.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from console.domain.audio import inspect_audio
from console.jobs.uploads.items import QueueItem
from console.jobs.uploads.rows import NUMBER_BY_NAME, QueueRows
from console.jobs.uploads.status import Status
from tests.helpers import make_wav
from tests.jobs.queue_helpers import make_prompts, sha256
from tests.jobs.queue_parts import Told, Writes


@pytest.fixture
def parts():
    told, writes = Told(), Writes()
    return told, writes, QueueRows(events=told.events(), writes=writes)


def read(paths: list[Path], file_ids: list[int]):
    return [(file_id, inspect_audio(path), sha256(path)) for file_id, path in zip(file_ids, paths, strict=True)]


def test_rows_are_numbered_in_drop_order_whatever_order_reading_ends(parts, tmp_path):
    told, writes, rows = parts
    paths = make_prompts(tmp_path, 3)
    rows.expect(7, album=5)
    rows.on_files_found(7, [(11, paths[0]), (12, paths[1]), (13, paths[2])])
    assert told.log[:2] == [("rows_about_to_be_inserted", 0, 2), ("rows_inserted",)]
    assert [(i.status, i.album, i.sort) for i in rows] == [(Status.INSPECTING, 5, None)] * 3
    assert writes.dirty == {1, 2, 3}

    # The last file is read first: it waits for the two before it.
    assert rows.on_files_inspected(read(paths[2:], [13])) is True
    assert [i.status for i in rows] == [Status.INSPECTING, Status.INSPECTING, Status.QUEUED]
    assert [i.sort for i in rows] == [None, None, None]
    told.log.clear()
    rows.on_files_inspected(read(paths[:2], [11, 12]))
    assert [i.sort for i in rows] == [1, 2, 3] and rows.next_sort == 4
    assert ("settings_changed",) in told.log and ("items_changed", 0, 2) in told.log
    assert rows.blocking_problems() == []


def test_a_repeat_blocks_the_start_until_one_of_the_two_rows_goes(parts, tmp_path):
    told, writes, rows = parts
    path = make_wav(tmp_path / "01 Hello.wav")
    rows.expect(1, album=2)
    rows.on_files_found(1, [(1, path), (2, path)])
    rows.on_files_inspected(read([path, path], [1, 2]))
    first, second = rows.items()
    assert (first.sort, second.sort) == (1, None)  # a repeat gets no number of its own
    assert second.problem is not None
    assert second.problem.startswith("Repeat: the same file is already in the queue as “01 Hello.wav”")
    assert rows.blocking_problems() == [second]

    told.log.clear()
    assert rows.remove([second.id]) == 1
    assert told.log[:2] == [("rows_about_to_be_removed", 1, 1), ("rows_removed",)]
    assert writes.deleted == {second.id} and second.id not in writes.dirty
    assert rows.blocking_problems() == [] and len(rows) == 1


def test_numbering_by_name_takes_the_number_a_name_starts_with(parts, tmp_path):
    told, _writes, rows = parts
    rows.set_numbering(NUMBER_BY_NAME)
    assert told.log == [("settings_changed",)]
    paths = [make_wav(tmp_path / "05 Welcome.wav"), make_wav(tmp_path / "Closed.wav", tone_hz=300)]
    rows.expect(3, album=1)
    rows.on_files_found(3, [(1, paths[0]), (2, paths[1])])
    assert [i.sort for i in rows] == [5, None]
    rows.on_files_inspected(read(paths, [1, 2]))
    assert rows.item_at(1).problem == ("Needs a sort number: its name does not start with one. "
                                       "Type one in the Sort column.")
    rows.set_sort(rows.item_at(1).id, "6")
    assert rows.blocking_problems() == []
    with pytest.raises(ValueError, match="not a number"):
        rows.set_sort(rows.item_at(1).id, "six")


def test_rows_read_back_unread_are_handed_to_a_reader_and_numbered_once_read(parts, tmp_path):
    _told, _writes, rows = parts
    path = make_wav(tmp_path / "a.wav")
    waiting = QueueItem(id=40, path=path, status=Status.INSPECTING, album=1, sort=None,
                        display_name="a", awaiting_number=True)
    done = QueueItem(id=41, path=tmp_path / "b.wav", status=Status.DONE, album=1, sort=1,
                     display_name="b", recording_id="REC-1")
    rows.restore_settings("order", 2)
    rows.adopt([done, waiting], max_id=45)
    assert rows.unread() == [waiting]
    rows.reading(waiting, 900)
    assert rows.unread() == []
    rows.on_files_inspected(read([path], [900]))
    assert (waiting.status, waiting.sort) == (Status.QUEUED, 2)
    # New rows never reuse a stored id.
    rows.expect(1, album=1)
    rows.on_files_found(1, [(901, make_wav(tmp_path / "c.wav", tone_hz=250))])
    assert rows.item_at(2).id == 46


def test_requeue_and_mark_done_apply_only_where_the_status_allows(parts, tmp_path):
    _told, writes, rows = parts
    path = make_wav(tmp_path / "a.wav")
    unsure = QueueItem(id=1, path=path, status=Status.UNSURE, album=1, sort=1, display_name="a",
                       info=inspect_audio(path), entry_id=9, reason="may be there")
    unread = QueueItem(id=2, path=tmp_path / "b.wav", status=Status.CANCELLED, album=1, sort=2,
                       display_name="b")
    queued = QueueItem(id=3, path=tmp_path / "c.wav", status=Status.QUEUED, album=1, sort=3,
                       display_name="c", info=inspect_audio(path))
    rows.adopt([unsure, unread, queued])
    assert rows.requeue([1, 2, 3]) == [unsure, unread]
    assert (unsure.status, unsure.entry_id, unsure.reason) == (Status.QUEUED, None, None)
    assert unread.status == Status.INSPECTING and rows.unread() == [unread]
    assert writes.dirty == {1, 2}
    assert rows.mark_done([1, 3]) == 0  # neither "may already be in the library" any more
