"""The upload queue: numbering, duplicates, persistence, and uploads to the sandbox."""
from __future__ import annotations

import json
import sqlite3

import pytest

from console.domain.validation import FieldError
from console.jobs import uploads as uq
from tests.helpers import make_mp3, make_wav
from tests.jobs.queue_helpers import make_prompts, sha256


def wait_read(qtbot, queue, count=None):
    """Wait until every added file has been read (and `count` rows exist)."""
    qtbot.waitUntil(lambda: not queue.inspecting and (count is None or len(queue) == count),
                    timeout=10_000)


def by_name(queue):
    return {item.name: item for item in queue.items()}


# --- adding and numbering ----------------------------------------------------------


def test_drop_order_numbering_skips_rejected_files(qtbot, queues, tmp_path):
    queue = queues()
    folder = tmp_path / "prompts"
    make_wav(folder / "b.wav")
    (folder / "c.wav").write_text("not audio")
    make_mp3(folder / "d.mp3")
    make_wav(folder / "a.wav", tone_hz=330)
    queue.set_numbering(uq.NUMBER_BY_ORDER, next_sort=10)
    queue.add_paths([folder / "b.wav", folder / "c.wav", folder / "d.mp3", folder / "a.wav"], album=7)
    wait_read(qtbot, queue, 4)
    assert [(i.name, i.status, i.album, i.sort) for i in queue.items()] == [
        ("b.wav", uq.QUEUED, 7, 10),
        ("c.wav", uq.REJECTED, 7, None),
        ("d.mp3", uq.QUEUED, 7, 11),
        ("a.wav", uq.QUEUED, 7, 12),
    ]
    assert queue.next_sort == 13
    assert "text file" in by_name(queue)["c.wav"].reason
    assert [i.display_name for i in queue.items()] == ["b", "c", "d", "a"]


def test_folders_are_expanded_in_natural_order_and_clutter_is_reported(qtbot, queues, tmp_path):
    queue = queues()
    messages = []
    queue.message.connect(lambda level, text: messages.append(text))
    folder = tmp_path / "drop"
    make_wav(folder / "10 Closed.wav")
    make_wav(folder / "2 Hours.wav", tone_hz=300)
    make_wav(folder / "sub" / "1 Deep.wav", tone_hz=350)
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "Thumbs.db").write_bytes(b"\x00\x01")
    queue.add_paths([folder], album=1)
    wait_read(qtbot, queue, 3)
    assert [i.name for i in queue.items()] == ["2 Hours.wav", "10 Closed.wav", "1 Deep.wav"]
    assert [i.sort for i in queue.items()] == [1, 2, 3]
    assert any("Left out 2 hidden or system files" in m for m in messages)


def test_leading_number_numbering_and_missing_numbers_block_the_upload(qtbot, queues, tmp_path):
    queue = queues()
    queue.set_numbering(uq.NUMBER_BY_NAME)
    make_wav(tmp_path / "05 Welcome.wav")
    make_wav(tmp_path / "12 Hours.wav", tone_hz=300)
    make_wav(tmp_path / "Goodbye.wav", tone_hz=350)
    queue.add_paths([tmp_path / "05 Welcome.wav", tmp_path / "12 Hours.wav",
                     tmp_path / "Goodbye.wav"], album=2)
    wait_read(qtbot, queue, 3)
    items = by_name(queue)
    assert (items["05 Welcome.wav"].sort, items["12 Hours.wav"].sort) == (5, 12)
    assert items["Goodbye.wav"].sort is None
    assert "Needs a sort number" in items["Goodbye.wav"].problem
    assert queue.blocking_problems() == [items["Goodbye.wav"]]
    assert not queue.can_start()
    assert queue.start() is False
    assert not queue.running

    queue.set_sort(items["Goodbye.wav"].id, "99")
    assert items["Goodbye.wav"].problem is None
    assert queue.can_start()


def test_duplicate_pairs_are_flagged_until_resolved(qtbot, queues, tmp_path):
    queue = queues()
    warnings = []
    queue.message.connect(lambda level, text: warnings.append((level, text)))
    queue.set_numbering(uq.NUMBER_BY_NAME)
    make_wav(tmp_path / "a" / "05 Welcome.wav")
    make_wav(tmp_path / "b" / "05 Welcome again.wav", tone_hz=300)
    make_wav(tmp_path / "b" / "06 Other.wav", tone_hz=350)
    queue.add_paths([tmp_path / "a", tmp_path / "b"], album=1)
    wait_read(qtbot, queue, 3)
    first, second, other = queue.items()
    assert "Album 1 / sort 5 is also used by “05 Welcome again.wav”" in first.problem
    assert "is also used by “05 Welcome.wav”" in second.problem
    assert other.problem is None
    assert queue.start() is False
    assert warnings[-1][0] == "warning" and "2 rows need attention" in warnings[-1][1]

    # A different album resolves it as well as a different sort number does.
    queue.set_album(second.id, 4)
    assert first.problem is None and second.problem is None
    queue.set_album(second.id, 1)
    assert first.problem and second.problem
    queue.set_sort(second.id, 7)
    assert not queue.blocking_problems()


def test_edits_are_validated_and_locked_once_uploaded(qtbot, queues, tmp_path):
    queue = queues()
    make_wav(tmp_path / "a.wav")
    queue.add_paths([tmp_path / "a.wav"], album=1)
    wait_read(qtbot, queue, 1)
    item = queue.items()[0]
    with pytest.raises(FieldError, match="Sort number"):
        queue.set_sort(item.id, "five")
    with pytest.raises(FieldError, match="Album"):
        queue.set_album(item.id, 0)
    queue.set_display_name(item.id, "  Main menu  ")
    assert item.display_name == "Main menu"
    item.status = uq.DONE  # as after an upload
    with pytest.raises(ValueError, match="can no longer be changed"):
        queue.set_sort(item.id, 3)


def test_renumber_applies_album_and_order_to_rows_not_uploaded(qtbot, queues, tmp_path):
    queue = queues()
    make_prompts(tmp_path / "p", 3)
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 3)
    queue.set_numbering(uq.NUMBER_BY_ORDER, next_sort=20)
    assert queue.renumber(album=9) == 3
    assert [(i.album, i.sort) for i in queue.items()] == [(9, 20), (9, 21), (9, 22)]
    queue.set_numbering(uq.NUMBER_BY_NAME)
    first = queue.items()[0]
    assert queue.renumber([first.id]) == 1
    assert first.sort == 1 and queue.items()[1].sort == 21


def test_remove_and_clear_finished(qtbot, queues, tmp_path):
    queue = queues()
    make_prompts(tmp_path / "p", 4)
    (tmp_path / "p" / "zz.wav").write_bytes(b"")
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 5)
    rows = queue.items()
    assert queue.remove([rows[1].id, rows[2].id]) == 2
    assert [i.name for i in queue.items()] == [rows[0].name, rows[3].name, "zz.wav"]
    assert [queue.row_of(i.id) for i in queue.items()] == [0, 1, 2]
    assert queue.clear_finished() == 1  # the rejected empty file
    assert len(queue) == 2


# --- persistence -------------------------------------------------------------------


def test_queue_survives_a_restart_with_its_settings(qtbot, queues, tmp_path):
    queue = queues()
    make_prompts(tmp_path / "p", 3)
    (tmp_path / "p" / "empty.wav").write_bytes(b"")
    queue.set_concurrency(2)
    queue.add_paths([tmp_path / "p"], album=5)
    wait_read(qtbot, queue, 4)
    queue.set_display_name(queue.items()[0].id, "Welcome")
    queue.flush()
    # The rows live in the History database, in tables of their own.
    with sqlite3.connect(queues.database) as db:
        assert db.execute("SELECT COUNT(*) FROM upload_rows").fetchone()[0] == 4
    assert not queues.state_path.exists()

    again = queues()
    assert [(i.id, i.name, i.status, i.album, i.sort, i.display_name) for i in again.items()] == [
        (i.id, i.name, i.status, i.album, i.sort, i.display_name) for i in queue.items()]
    assert again.items()[3].status == uq.REJECTED and again.items()[3].reason == "The file is empty."
    assert (again.concurrency, again.next_sort) == (2, 4)
    assert again.load_notice == "From last time: 3 files are waiting for Upload."


@pytest.mark.expect_log("WARNING", r"left out row 3 of", logger="console.store.upload_store")
def test_an_old_json_queue_is_migrated_once(qtbot, queues, tmp_path):
    path = make_wav(tmp_path / "a.wav")
    other = make_wav(tmp_path / "b.wav", tone_hz=300)
    queues.state_path.parent.mkdir(parents=True)
    queues.state_path.write_text(json.dumps({"version": 1, "settings": {"concurrency": 3}, "items": [
        {"path": str(path), "status": "inspecting", "album": 1, "sort": None,
         "display_name": "a", "info": None, "awaiting_number": True},
        {"path": str(other), "status": "uploading", "album": 1, "sort": 7,
         "display_name": "b", "info": None},
        {"path": 12, "status": "queued"},  # a wrongly typed row is left out, not fatal
    ]}))
    queue = queues()
    assert queue.items()[0].status == uq.INSPECTING
    wait_read(qtbot, queue)
    assert (queue.items()[0].status, queue.items()[0].sort) == (uq.QUEUED, 1)
    # The old file lagged reality: a row it had as uploading may be in the library.
    assert queue.items()[1].status == uq.UNSURE
    assert queue.concurrency == 3
    assert "Left out 1 row of the saved upload queue" in queue.load_warning
    assert not queues.state_path.exists()
    assert list(queues.state_path.parent.glob("upload-queue.json.broken-*"))
    queue.flush()
    assert len(queues()) == 2  # and not migrated a second time


@pytest.mark.expect_log("WARNING", r"the saved upload queue .* is damaged", logger="console.store.upload_store")
def test_a_damaged_json_queue_is_set_aside(qtbot, queues):
    queues.state_path.parent.mkdir(parents=True)
    queues.state_path.write_text("{not json")
    queue = queues()
    assert len(queue) == 0
    assert "damaged" in queue.load_warning
    kept = list(queues.state_path.parent.glob("upload-queue.json.broken-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"


@pytest.mark.expect_log("WARNING", r"The upload queue could not be opened", logger="console.store.upload_store")
def test_a_locked_database_still_starts_with_the_queue_in_memory(qtbot, tmp_path, journal):
    from console.jobs.uploads import UploadQueue

    folder = tmp_path / "not-a-folder"
    folder.write_text("a file where the data folder should be")
    queue = UploadQueue(client_factory=lambda: None, journal=journal,
                        database=folder / "history.sqlite3", profile=lambda: ("s", "S"))
    try:
        assert "could not be opened" in queue.load_warning
        assert len(queue) == 0
    finally:
        queue.shutdown()


# --- uploading to the sandbox ----------------------------------------------------------


def test_uploads_land_in_the_library_and_in_history(qtbot, queues, sandbox, journal, tmp_path):
    queue = queues(concurrency=2)
    files = make_prompts(tmp_path / "p", 5)
    finished = []
    queue.upload_finished.connect(lambda item_id, rec: finished.append(rec))
    queue.add_paths([tmp_path / "p"], album=3)
    wait_read(qtbot, queue, 5)
    assert queue.start()
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
    assert [i.status for i in queue.items()] == [uq.DONE] * 5
    assert sorted(finished) == sorted(i.recording_id for i in queue.items())
    library = {(e["album"], e["sort"]): e for e in sandbox.library()}
    for n, path in enumerate(files, start=1):
        entry = library[(3, n)]
        assert entry["sha256"] == sha256(path)
        assert entry["display_name"] == path.stem.split(" ", 1)[1]  # "01 Prompt 1" -> "Prompt 1"
        assert entry["recording_id"] == queue.items()[n - 1].recording_id
    progress = queue.progress()
    assert (progress.files_done, progress.files_total, progress.bytes_done) == (5, 5, progress.bytes_total)

    queue.flush()
    entries = journal.query(kind="upload")
    assert len(entries) == 5
    assert {e.outcome for e in entries} == {"done"}
    assert {e.recipient for e in entries} == {f"album 3 / sort {n}" for n in range(1, 6)}
    assert {e.content for e in entries} == {p.name for p in files}
    assert {e.result_id for e in entries} == set(finished)


def test_fifty_files_through_faults_arrive_exactly_once(qtbot, queues, sandbox, journal, tmp_path):
    from console.sandbox import FaultRule

    queues.client_options["max_attempts"] = 3
    queue = queues(concurrency=4)
    files = make_prompts(tmp_path / "batch", 50)
    # Consumed in arrival order: the first files meet a fault on every automatic
    # attempt and fail; the later ones get through on a retry or first time.
    sandbox.add_fault(FaultRule(endpoint="upload", kind="http500", count=10))
    sandbox.add_fault(FaultRule(endpoint="upload", kind="http429", count=8, retry_after=0.05))
    sandbox.add_fault(FaultRule(endpoint="upload", kind="drop", count=8))
    queue.add_paths([tmp_path / "batch"], album=12)
    wait_read(qtbot, queue, 50)
    assert queue.start()
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=60_000)
    failed = [i for i in queue.items() if i.status == uq.FAILED]
    assert failed, "the faults should outlast some files' automatic retries"
    assert all(i.reason for i in failed)
    # A dropped reply after the whole file left may have been acted on: the user decides.
    unsure = [i for i in queue.items() if i.status == uq.UNSURE]
    assert len(failed) + len(unsure) + sum(i.status == uq.DONE for i in queue.items()) == 50
    assert queue.retry_failed() == len(failed)
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=60_000)
    assert queue.retry([i.id for i in unsure]) == len(unsure)
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=60_000)
    assert [i.status for i in queue.items()] == [uq.DONE] * 50

    library = sandbox.library()
    assert len(library) == 50
    by_pair = {(e["album"], e["sort"]): e for e in library}
    for n, path in enumerate(files, start=1):
        entry = by_pair[(12, n)]
        assert entry["sha256"] == sha256(path), path.name
        assert entry["upload_count"] == 1, path.name
    queue.flush()
    outcomes = [e.outcome for e in journal.query(kind="upload", limit=500)]
    assert outcomes.count("done") == 50
    assert outcomes.count("failed") + outcomes.count("unknown") == len(failed) + len(unsure)


def test_a_file_that_disappears_before_upload_fails_with_its_reason(qtbot, queues, sandbox, tmp_path):
    queue = queues()
    files = make_prompts(tmp_path / "p", 3)
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 3)
    files[1].unlink()
    assert queue.start()
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
    statuses = [i.status for i in queue.items()]
    assert statuses == [uq.DONE, uq.FAILED, uq.DONE]
    assert "no longer there" in queue.items()[1].reason
    assert sorted(e["sort"] for e in sandbox.library()) == [1, 3]


def test_a_file_changed_into_junk_after_it_was_added_is_not_sent(qtbot, queues, sandbox, tmp_path):
    queue = queues()
    path = make_wav(tmp_path / "a.wav")
    queue.add_paths([path], album=1)
    wait_read(qtbot, queue, 1)
    path.write_text("overwritten by a text editor, and longer than before")
    assert queue.start()
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
    item = queue.items()[0]
    assert item.status == uq.FAILED and "changed after it was added" in item.reason
    assert sandbox.library() == []


def test_pause_resume_and_cancel(qtbot, queues, sandbox, tmp_path):
    from console.sandbox import FaultRule

    queue = queues(concurrency=1)
    make_prompts(tmp_path / "p", 4)
    sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=0.3, count=1))
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 4)
    first, _second, third, _fourth = queue.items()
    assert queue.start()
    qtbot.waitUntil(lambda: first.status == uq.UPLOADING)
    queue.pause()
    assert queue.paused and not queue.running and queue.has_active_uploads()
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=10_000)
    assert [i.status for i in queue.items()] == [uq.DONE, uq.QUEUED, uq.QUEUED, uq.QUEUED]
    assert queue.paused

    queue.cancel([third.id])
    assert third.status == uq.CANCELLED
    assert queue.start() and not queue.paused
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=10_000)
    assert [i.status for i in queue.items()] == [uq.DONE, uq.DONE, uq.CANCELLED, uq.DONE]
    assert queue.retry([third.id]) == 1
    assert queue.running and third.status == uq.UPLOADING
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=10_000)
    assert third.status == uq.DONE and len(sandbox.library()) == 4


def test_cancel_after_every_byte_left_tells_the_truth(qtbot, queues, sandbox, journal, tmp_path):
    """Voitex answers slowly: the rows at "all sent" cannot be cancelled, and end uploaded."""
    from console.sandbox import FaultRule

    queue = queues(concurrency=2)
    messages = []
    queue.message.connect(lambda level, text: messages.append(text))
    make_prompts(tmp_path / "p", 3)
    sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=1.5, count=2))
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 3)
    first, second, third = queue.items()
    assert queue.start()
    qtbot.waitUntil(lambda: first.status == uq.SENT and second.status == uq.SENT, timeout=10_000)
    assert not first.status.can_cancel
    assert queue.cancel([first.id]) == 0
    assert first.status == uq.SENT
    assert "already sent, so Cancel cannot undo it" in messages[-1]
    assert queue.cancel_all() == 1  # only the third, still waiting
    assert third.status == uq.CANCELLED
    assert "2 files were already sent" in messages[-1]
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=10_000)
    assert [i.status for i in queue.items()] == [uq.DONE, uq.DONE, uq.CANCELLED]
    assert sorted(e["sort"] for e in sandbox.library()) == [1, 2]
    queue.flush()
    assert sorted(e.outcome for e in journal.query(kind="upload")) == ["done", "done"]


def test_restart_after_a_crash_never_resends_by_itself(qtbot, queues, sandbox, journal, tmp_path):
    """Rows on the wire at a crash come back as "may already be in the library";
    History decides where it knows; only the user's choice sends them again."""
    from console.sandbox import FaultRule

    queue = queues(concurrency=3)
    make_prompts(tmp_path / "p", 6)
    sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=3.0, count=3))
    queue.add_paths([tmp_path / "p"], album=4)
    wait_read(qtbot, queue, 6)
    assert queue.start()
    qtbot.waitUntil(lambda: sum(i.status == uq.SENT for i in queue.items()) == 3, timeout=10_000)
    queue.flush()
    # A crash: nothing of the queue runs after this point (no shutdown()).
    queue.persistence.stop()  # nothing more is written
    queue.runner.abandon()  # the uploads under way die with nothing settled
    on_wire = [i for i in queue.items() if i.status == uq.SENT]
    # History learnt the first one's recording id before the crash.
    journal.finish(on_wire[0].entry_id, outcome="done", result_id="REC-FROM-HISTORY")

    again = queues(concurrency=3)
    statuses = [i.status for i in again.items()]
    assert statuses[:3] == [uq.DONE, uq.UNSURE, uq.UNSURE]
    assert again.items()[0].recording_id == "REC-FROM-HISTORY"
    assert statuses[3:] == [uq.QUEUED] * 3
    assert again.load_notice == (
        "From last time: 3 files are waiting for Upload, 2 files were being uploaded when the "
        "console stopped and may already be in the library (select them: Upload again or Mark "
        "as done) and 1 upload that History confirms was marked as done.")

    sandbox.clear_faults()
    before = {(e["album"], e["sort"]): e["upload_count"] for e in sandbox.library()}
    assert again.start()
    qtbot.waitUntil(lambda: not again.has_active_uploads(), timeout=20_000)
    assert [i.status for i in again.items()] == [uq.DONE, uq.UNSURE, uq.UNSURE] + [uq.DONE] * 3
    after = {(e["album"], e["sort"]): e["upload_count"] for e in sandbox.library()}
    assert {pair: after[pair] for pair in before} == before  # nothing re-sent by itself

    second, third = again.items()[1:3]
    assert again.mark_done([second.id]) == 1 and second.status == uq.DONE
    assert again.retry([third.id]) == 1
    qtbot.waitUntil(lambda: not again.has_active_uploads(), timeout=20_000)
    assert third.status == uq.DONE
    assert after.get((4, 3), 0) + 1 == {(e["album"], e["sort"]): e["upload_count"]
                                        for e in sandbox.library()}[(4, 3)]


def test_no_client_does_not_start_and_says_why(qtbot, queues, tmp_path):
    def no_key():
        raise RuntimeError("There is no account key for 'Main office' yet")

    queue = queues(client_factory=no_key)
    messages = []
    queue.message.connect(lambda level, text: messages.append((level, text)))
    make_prompts(tmp_path / "p", 2)
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 2)
    assert not queue.start()
    assert not queue.running
    assert [i.status for i in queue.items()] == [uq.QUEUED, uq.QUEUED]
    assert [m for m in messages if m[0] == "error"] == [
        ("error", "Upload not started: There is no account key for 'Main office' yet")]


def test_a_run_stays_on_the_account_it_started_on(qtbot, queues, sandbox, tmp_path):
    """Switching profile mid-batch must not send the rest to the other account."""
    from console.api import VoitexClient
    from console.sandbox import FaultRule, SandboxServer
    from tests.helpers import SANDBOX_KEY

    other = SandboxServer(data_dir=tmp_path / "other", auth_key=SANDBOX_KEY)
    other.start()
    other_client = VoitexClient(base_url=other.url, auth_key=SANDBOX_KEY)
    try:
        first_client = VoitexClient(base_url=sandbox.url, auth_key=SANDBOX_KEY)
        queues.clients.extend([first_client, other_client])  # closed by the factory
        current = {"client": first_client}
        queue = queues(client_factory=lambda: current["client"], concurrency=1)
        messages = []
        queue.message.connect(lambda level, text: messages.append((level, text)))
        sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=0.3))
        make_prompts(tmp_path / "p", 4)
        queue.add_paths([tmp_path / "p"], album=1)
        wait_read(qtbot, queue, 4)
        assert queue.start()
        qtbot.waitUntil(lambda: queue.progress().files_done >= 1, timeout=20_000)
        current["client"] = other_client
        queue.account_changed()
        assert not queue.running
        assert any("profile changed" in text for _, text in messages)
        qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
        assert other.library() == []
        done_first = len(sandbox.library())
        assert 1 <= done_first < 4
        assert queue.start()  # continues on the new account
        qtbot.waitUntil(lambda: not queue.has_active_uploads() and not queue.running,
                        timeout=20_000)
        assert len(other.library()) == 4 - done_first
    finally:
        other.stop()


def test_closing_mid_upload_keeps_the_unfinished_rest(qtbot, queues, sandbox, journal, tmp_path):
    from console.sandbox import FaultRule

    queue = queues(concurrency=2)
    make_prompts(tmp_path / "p", 20)
    queue.add_paths([tmp_path / "p"], album=8)
    wait_read(qtbot, queue, 20)
    assert queue.start()
    qtbot.waitUntil(lambda: queue.progress().files_done >= 5, timeout=20_000)
    # Hold the next uploads on the server so the close finds some under way.
    sandbox.add_fault(FaultRule(endpoint="upload", kind="slow", delay=5.0))
    qtbot.waitUntil(lambda: any(i.status == uq.SENT for i in queue.items()))
    done_before = {i.name: i.recording_id for i in queue.items() if i.status == uq.DONE}
    sent = {i.name for i in queue.items() if i.status == uq.SENT}
    queue.shutdown()  # what closing the application does

    again = queues(concurrency=2)
    assert len(again) == 20
    done_after = {i.name: i.recording_id for i in again.items() if i.status == uq.DONE}
    assert done_after == done_before
    assert {i.name for i in again.items() if i.status == uq.UNSURE} == sent
    rest = [i for i in again.items() if i.status not in (uq.DONE, uq.UNSURE)]
    assert {i.status for i in rest} == {uq.QUEUED}
    assert [i.sort for i in again.items()] == list(range(1, 21))

    sandbox.clear_faults()
    assert again.start()
    qtbot.waitUntil(lambda: not again.has_active_uploads(), timeout=30_000)
    assert [i.status for i in again.items()].count(uq.DONE) == 20 - len(sent)
    again.flush()
    entries = journal.query(kind="upload", limit=500)
    interrupted = [e for e in entries if e.outcome == "unknown"]
    assert len(interrupted) == len(sent)
    assert all("may already have the file" in e.messages[0] for e in interrupted)


@pytest.mark.expect_log("ERROR", r"writing the upload's history entry failed", logger="console.jobs.uploads.attempt")
def test_a_locked_history_sends_nothing_and_says_why(qtbot, queues, sandbox, journal, tmp_path):
    """Another program holds History locked: the pending entry cannot be written,
    so nothing is sent, and the row says why (the window never waits on the lock)."""
    queue = queues(concurrency=1)
    make_prompts(tmp_path / "p", 1)
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 1)
    locker = sqlite3.connect(journal.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert queue.start()
        assert queue.items()[0].status == uq.UPLOADING  # start() returned at once
        qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    item = queue.items()[0]
    assert item.status == uq.FAILED
    assert item.reason.startswith("The file was not sent: The history file")
    assert "locked by another program" in item.reason and "Close" in item.reason
    assert sandbox.library() == []


def test_history_through_a_journal_writer_shaped_object(qtbot, tmp_path, sandbox, journal, queues):
    """The integrator's JournalWriter: begin(**kw) -> Future[int], finish(...) -> Future[None]."""
    from concurrent.futures import ThreadPoolExecutor

    from console.jobs.uploads import UploadQueue

    class Writer:  # the shape the queue codes against, over the real journal
        def __init__(self):
            self.pool = ThreadPoolExecutor(max_workers=1)
            self.calls = []

        def begin(self, **kwargs):
            self.calls.append("begin")
            return self.pool.submit(journal.begin, **kwargs)

        def finish(self, entry_id, *, outcome, result_id=None, messages=()):
            self.calls.append(outcome)
            return self.pool.submit(journal.finish, entry_id, outcome=outcome,
                                    result_id=result_id, messages=messages)

    writer = Writer()
    queue = UploadQueue(client_factory=queues.client, journal=journal, journal_writer=writer,
                        database=tmp_path / "data" / "history.sqlite3",
                        profile=lambda: ("sandbox", "Sandbox"))
    queues.queues.append(queue)
    changed = []
    queue.journal_changed.connect(lambda: changed.append(1))
    make_prompts(tmp_path / "p", 2)
    queue.add_paths([tmp_path / "p"], album=2)
    wait_read(qtbot, queue, 2)
    assert queue.start()
    qtbot.waitUntil(lambda: not queue.has_active_uploads(), timeout=20_000)
    writer.pool.shutdown(wait=True)
    assert sorted(writer.calls) == ["begin", "begin", "done", "done"]
    assert [e.outcome for e in journal.query(kind="upload")] == ["done", "done"]
    qtbot.waitUntil(lambda: len(changed) == 4)


def test_a_damaged_row_in_the_database_is_left_out_and_named(qtbot, queues, tmp_path):
    queue = queues()
    make_prompts(tmp_path / "p", 2)
    queue.add_paths([tmp_path / "p"], album=1)
    wait_read(qtbot, queue, 2)
    queue.flush()
    with sqlite3.connect(queues.database) as db:
        db.execute("UPDATE upload_rows SET status = 'exploded' WHERE id = 1")
        db.execute("UPDATE upload_rows SET info = '{\"advice\": 5}' WHERE id = 2")
    again = queues()
    assert len(again) == 0
    assert again.load_warning == ("Left out 2 saved upload rows that could not be read "
                                  "(untouched in the History database).")
    make_prompts(tmp_path / "q", 1, start=7)
    again.add_paths([tmp_path / "q"], album=1)
    wait_read(qtbot, again, 1)
    assert again.items()[0].id == 3  # the damaged rows' ids are not reused
    again.flush()
    with sqlite3.connect(queues.database) as db:
        assert db.execute("SELECT COUNT(*) FROM upload_rows").fetchone()[0] == 3


@pytest.mark.parametrize("mode", [uq.NUMBER_BY_ORDER, uq.NUMBER_BY_NAME])
def test_a_file_added_again_is_flagged_in_every_numbering_mode(qtbot, queues, tmp_path, mode):
    queue = queues()
    queue.set_numbering(mode)
    files = make_prompts(tmp_path / "p", 2)
    queue.add_paths(files, album=1)
    wait_read(qtbot, queue, 2)
    queue.add_paths([files[0]], album=1)
    wait_read(qtbot, queue, 3)
    repeat = queue.items()[2]
    assert repeat.problem.startswith("Repeat: the same file is already in the queue as "
                                     "“01 Prompt 1.wav” (row 1).")
    assert queue.items()[0].problem is None  # the original is not blamed
    assert repeat.sort == (1 if mode == uq.NUMBER_BY_NAME else None)
    assert queue.next_sort == 3 or mode == uq.NUMBER_BY_NAME
    assert queue.blocking_problems() == [repeat] and not queue.can_start()
    queue.remove([repeat.id])
    assert queue.can_start()
