"""The inspector: folders listed and files read off the UI thread, delivered in batches."""
from __future__ import annotations

import threading

import pytest

from console.jobs.inspector import Inspector, list_files, natural_key
from tests.helpers import make_wav


def test_natural_order():
    names = ["10 Closed.wav", "2 Hours.wav", "1 Welcome.wav", "b.wav", "A.wav"]
    assert sorted(names, key=natural_key) == ["1 Welcome.wav", "2 Hours.wav", "10 Closed.wav",
                                              "A.wav", "b.wav"]


def test_list_files_keeps_drop_order_and_skips_clutter(tmp_path):
    make_wav(tmp_path / "z" / "2.wav")
    make_wav(tmp_path / "z" / "10.wav")
    make_wav(tmp_path / "z" / ".hidden" / "x.wav")
    (tmp_path / "z" / "desktop.ini").write_text("[.ShellClassInfo]")
    first = make_wav(tmp_path / "first.wav")
    missing = tmp_path / "missing.wav"
    files, skipped = list_files([first, tmp_path / "z", missing])
    assert files == [first, tmp_path / "z" / "2.wav", tmp_path / "z" / "10.wav", missing]
    assert skipped == 1  # desktop.ini; hidden folders are not entered


@pytest.fixture
def inspector(qapp):
    inspector = Inspector(workers=2)
    yield inspector
    inspector.shutdown()


def test_results_come_in_bounded_batches_found_before_inspected(qtbot, inspector, tmp_path):
    count = Inspector.BATCH_LIMIT + 150
    for n in range(count):
        make_wav(tmp_path / "many" / f"{n:04d}.wav", seconds=0.01)
    found: dict[int, object] = {}
    order_violations = []
    batches = []
    threads = set()

    def on_found(token, chunk):
        threads.add(threading.get_ident())
        found.update(chunk)

    def on_inspected(results):
        threads.add(threading.get_ident())
        batches.append(len(results))
        order_violations.extend(fid for fid, _info, _digest in results if fid not in found)

    inspector.files_found.connect(on_found)
    inspector.files_inspected.connect(on_inspected)
    token = inspector.submit([tmp_path / "many"])
    assert token == 1
    qtbot.waitUntil(lambda: sum(batches) == count and not inspector.busy, timeout=20_000)
    assert len(found) == count
    assert order_violations == []
    assert max(batches) <= Inspector.BATCH_LIMIT and len(batches) >= 2
    assert threads == {threading.get_ident()}  # delivered on the UI thread


def test_reinspect_and_busy_signal(qtbot, inspector, tmp_path):
    path = make_wav(tmp_path / "a.wav")
    results = []
    busy = []
    inspector.busy_changed.connect(busy.append)
    inspector.files_inspected.connect(results.extend)
    file_id = inspector.new_file_id()
    inspector.reinspect([(file_id, path)])
    assert inspector.busy
    qtbot.waitUntil(lambda: not inspector.busy)
    assert [(fid, info.ok, len(digest)) for fid, info, digest in results] == [(file_id, True, 64)]
    assert busy == [True, False]


def test_submit_after_shutdown_is_refused(inspector):
    inspector.shutdown()
    with pytest.raises(RuntimeError):
        inspector.submit([])
