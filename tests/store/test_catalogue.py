"""The Library catalogue: filled from History, replaced entries kept, queries, export."""
from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from console.store.catalogue import (
    CURRENT,
    REPLACED,
    Catalogue,
    CatalogueStore,
    NewRecording,
    recording_from_history,
    replace_warning,
    tts_display_name,
)
from console.store.journal import Journal
from tests.helpers import make_wav


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "history.sqlite3"


@pytest.fixture
def journal(backend):
    """History on each engine (tests/store/backends.py); the catalogue sits beside it."""
    return backend.journal(clock=Clock())


@pytest.fixture
def catalogue(backend, journal):
    return backend.catalogue()


def upload_done(journal, path, *, album=1, sort=5, name="Welcome", rid="918357",
                profile="sandbox", outcome="done"):
    entry = journal.begin(kind="upload", profile_id=profile, profile_name="Sandbox",
                          recipient=f"album {album} / sort {sort}", content=path.name,
                          request={"album_number": album, "sort_number": sort,
                                   "display_name": name, "upload_file": str(path),
                                   "size": path.stat().st_size})
    journal.finish(entry, outcome=outcome, result_id=rid if outcome == "done" else None)
    return entry


def tts_done(journal, text, *, album=2, sort=None, rid="915863", profile="sandbox"):
    request = {"album_number": album, "text": text}
    if sort is not None:
        request["sort_number"] = sort
    entry = journal.begin(kind="tts", profile_id=profile, profile_name="Sandbox",
                          recipient=f"album {album}", content=text, request=request)
    journal.finish(entry, outcome="done", result_id=rid)
    return entry


def test_the_catalogue_keeps_the_protocol(catalogue):
    assert isinstance(catalogue, CatalogueStore)


def test_done_uploads_and_tts_from_history_are_recorded_once_with_file_facts(
        tmp_path, journal, catalogue):
    wav = make_wav(tmp_path / "welcome.wav", seconds=0.5)
    first = upload_done(journal, wav)
    upload_done(journal, wav, sort=6, rid="1", outcome="failed")
    tts_done(journal, "Thank you for calling the office of Doctor Smith, we open at nine.")
    journal.begin(kind="sms", profile_id="sandbox", profile_name="Sandbox", recipient="x",
                  content="hello")

    assert catalogue.sync_from_history(journal).result(5) == 2
    assert catalogue.sync_from_history(journal).result(5) == 0  # nothing twice

    upload = catalogue.at("sandbox", 1, 5)
    assert upload.recording_id == "918357" and upload.display_name == "Welcome"
    assert upload.file_name == "welcome.wav" and upload.entry_id == first
    assert upload.sha256 == hashlib.sha256(wav.read_bytes()).hexdigest()
    assert upload.file_size == wav.stat().st_size
    assert upload.format == "wav" and upload.duration_s == pytest.approx(0.5, abs=0.01)
    assert upload.label == "Welcome — album 1 / sort 5 — id 918357"
    tts = catalogue.by_recording_id("sandbox", "915863")
    assert tts.kind == "tts" and tts.sort is None and tts.album == 2
    assert tts.display_name == tts_display_name(tts.tts_text)
    assert tts.display_name.startswith("Thank you for calling") and len(tts.display_name) <= 40
    assert [e.recording_id for e in catalogue.entries("sandbox")] == ["918357", "915863"]


def test_a_later_upload_to_the_same_place_replaces_and_keeps_the_old_entry(
        tmp_path, journal, catalogue):
    old = make_wav(tmp_path / "old.wav")
    new = make_wav(tmp_path / "new.wav", seconds=0.2)
    upload_done(journal, old, name="Old", rid="100")
    upload_done(journal, new, name="New", rid="101")
    upload_done(journal, new, name="Other account", rid="102", profile="office")
    catalogue.sync_from_history(journal).result(5)

    assert catalogue.at("sandbox", 1, 5).recording_id == "101"
    assert catalogue.at("office", 1, 5).recording_id == "102"
    everything = catalogue.entries("sandbox", include_replaced=True, order_by="when")
    assert [(e.recording_id, e.state) for e in everything] == [("100", REPLACED),
                                                                ("101", CURRENT)]
    assert everything[0].replaced_at is not None
    assert catalogue.count("sandbox") == 1 and catalogue.count("sandbox", include_replaced=True) == 2


def test_an_older_recording_found_late_goes_in_as_replaced(tmp_path, catalogue):
    wav = make_wav(tmp_path / "a.wav")
    base = dict(profile_id="p", album=1, sort=5, kind="upload", file_name="a.wav")
    catalogue.record(NewRecording(display_name="Newer", recording_id="2",
                                  created_at="2026-11-03T10:00:00.000+00:00", **base)).result(5)
    catalogue.record(NewRecording(display_name="Older", recording_id="1", file_path=str(wav),
                                  created_at="2026-11-02T10:00:00.000+00:00", **base)).result(5)
    assert catalogue.at("p", 1, 5).display_name == "Newer"
    older = catalogue.by_recording_id("p", "1")
    assert older.state == REPLACED and older.sha256 is not None


def test_search_album_filter_and_every_order(tmp_path, catalogue):
    for i, (name, album) in enumerate([("Welcome", 1), ("Closed today", 1), ("Holiday", 2),
                                       ("100% off_sale", 3)]):
        catalogue.record(NewRecording(
            profile_id="p", album=album, sort=i + 1, display_name=name,
            recording_id=str(900 + i), kind="upload", file_name=f"{name}.wav",
            created_at=f"2026-11-0{i + 1}T10:00:00.000+00:00")).result(5)
    catalogue.record(NewRecording(profile_id="p", album=2, sort=None, display_name="Spoken",
                                  recording_id="950", kind="tts", tts_text="Welcome back",
                                  created_at="2026-11-09T10:00:00.000+00:00")).result(5)

    names = lambda entries: [e.display_name for e in entries]  # noqa: E731
    assert names(catalogue.entries("p", text="welcome")) == ["Welcome", "Spoken"]
    assert names(catalogue.entries("p", text="%")) == ["100% off_sale"]
    assert names(catalogue.entries("p", text="_")) == ["100% off_sale"]
    assert names(catalogue.entries("p", text="902")) == ["Holiday"]
    assert names(catalogue.entries("p", album=1)) == ["Welcome", "Closed today"]
    assert catalogue.albums("p") == [1, 2, 3]
    assert names(catalogue.entries("p", order_by="name")) == [
        "100% off_sale", "Closed today", "Holiday", "Spoken", "Welcome"]
    assert names(catalogue.entries("p", order_by="when", descending=True))[0] == "Spoken"
    for order in ("album", "sort", "name", "recording_id", "source", "duration", "format",
                  "when", "state"):
        assert len(catalogue.entries("p", order_by=order, descending=True)) == 5
    assert names(catalogue.entries("p", text='he said "hi"')) == []  # quotes are just text
    assert names(catalogue.entries("p", text="closed TODAY")) == ["Closed today"]
    with pytest.raises(ValueError):
        catalogue.entries("p", order_by="id; DROP TABLE catalogue_entries")


def test_export_is_formula_safe(tmp_path, catalogue):
    catalogue.record(NewRecording(profile_id="p", album=1, sort=1, display_name="=HYPERLINK(1)",
                                  recording_id="1", kind="tts", tts_text="+1 call now",
                                  created_at="2026-11-03T10:00:00.000+00:00")).result(5)
    out = tmp_path / "library.csv"
    assert catalogue.export_csv(out, "p") == 1
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:4] == ["album", "sort", "name", "recording id"]
    assert rows[1][2] == "'=HYPERLINK(1)" and rows[1][5] == "'+1 call now"
    # The shared writer (console/domain/csv_safe.py) also sees past invisible characters.
    catalogue.record(NewRecording(profile_id="p", album=1, sort=2, display_name="\u200b=cmd()",
                                  recording_id="2", kind="tts", tts_text="ok",
                                  created_at="2026-11-03T10:01:00.000+00:00")).result(5)
    catalogue.export_csv(out, "p")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[2][2] == "'\u200b=cmd()"


def test_the_catalogue_survives_a_restart_and_catches_up_on_history(tmp_path, backend, journal):
    wav = make_wav(tmp_path / "w.wav")
    upload_done(journal, wav, rid="1")
    with backend.catalogue() as catalogue:
        catalogue.sync_from_history(journal).result(5)
    # Done while no catalogue listened (a crash between History and the catalogue).
    upload_done(journal, wav, sort=6, rid="2")
    with backend.catalogue() as catalogue:
        assert catalogue.at("sandbox", 1, 5).recording_id == "1"
        assert catalogue.sync_from_history(journal).result(5) == 1
        assert catalogue.at("sandbox", 1, 6).recording_id == "2"


def test_on_changed_is_told_after_a_write_that_changed_something(tmp_path, journal, backend):
    calls = []
    with backend.catalogue(on_changed=lambda: calls.append(1)) as catalogue:
        catalogue.sync_from_history(journal).result(5)
        assert calls == []
        upload_done(journal, make_wav(tmp_path / "x.wav"))
        catalogue.sync_from_history(journal).result(5)
        assert calls == [1]


@pytest.mark.parametrize("request_fields, result_id, expected", [
    ({"album_number": 1, "sort_number": 5, "upload_file": "/x/welcome.wav"}, "7",
     ("welcome", "welcome.wav", 5)),
    ({"album_number": "3", "sort_number": "9", "display_name": " Hi ", "upload_file": "a.mp3"},
     "8", ("Hi", "a.mp3", 9)),
    ({"album_number": "x", "sort_number": 5}, "9", None),
    ({"album_number": 1, "sort_number": 5}, None, None),
])
def test_recording_from_history_reads_the_request_fields(request_fields, result_id, expected):
    class Entry:
        id, kind, outcome, profile_id = 1, "upload", "done", "p"
        content, updated_at = "welcome.wav", "2026-11-03T10:00:00.000+00:00"
        request = request_fields

    Entry.result_id = result_id
    recording = recording_from_history(Entry)
    if expected is None:
        assert recording is None
    else:
        assert (recording.display_name, recording.file_name, recording.sort) == expected


def test_replace_warning_words():
    from console.store.catalogue import CatalogueEntry

    entry = CatalogueEntry(id=1, profile_id="p", album=1, sort=5, display_name="Welcome",
                           recording_id="918357", kind="upload", file_name="welcome.wav",
                           file_path=None, file_size=10, sha256="ab" * 32, tts_text=None,
                           duration_s=None, format=None,
                           created_at="2026-11-03T10:00:00.000+00:00", entry_id=None,
                           state=CURRENT, replaced_at=None)
    text = replace_warning(entry)
    assert text.startswith("Album 1 / sort 5 holds 'Welcome', uploaded 3 Nov")
    assert text.endswith("from welcome.wav; this replaces it.")
    assert "already holds this same file" in replace_warning(entry, sha256="AB" * 32)


def _damageable(path, count=300):
    """History with `count` done uploads, and the catalogue filled from it."""
    journal = Journal(path)
    with journal.batch():
        for n in range(count):
            entry = journal.begin(kind="upload", profile_id="p", profile_name="P",
                                  recipient=f"album {1 + n % 9} / sort {n}", content=f"f{n}.wav",
                                  request={"album_number": 1 + n % 9, "sort_number": n,
                                           "display_name": f"Prompt number {n}",
                                           "upload_file": f"/nowhere/f{n}.wav", "size": 10})
            journal.finish(entry, outcome="done", result_id=str(900000 + n))
    with Catalogue(path) as catalogue:
        assert catalogue.sync_from_history(journal).result(30) == count
        written = {e.entry_id: (e.display_name, e.recording_id, e.album, e.sort)
                   for e in catalogue.entries("p")}
    journal.close()
    return written


@pytest.mark.parametrize("where, seed", [(0.3, 1), (0.55, 2), (0.8, 3)])
def test_a_damaged_file_gives_back_readable_catalogue_rows_and_history_fills_the_rest(
        db_path, where, seed):
    import random

    written = _damageable(db_path)
    data = bytearray(db_path.read_bytes())
    offset = int(len(data) * where)
    data[offset:offset + 4096] = random.Random(seed).randbytes(4096)
    db_path.write_bytes(bytes(data))

    journal = Journal(db_path)  # opened first at start-up: it repairs the file
    try:
        assert journal.load_warning and "damaged" in journal.load_warning
        with Catalogue(db_path) as catalogue:
            saved = catalogue.entries("p")
            for entry in saved:  # what comes back is what was written, not garbage
                assert (entry.display_name, entry.recording_id, entry.album,
                        entry.sort) == written[entry.entry_id]
            if saved:  # the search index is rebuilt from the rows that came back
                some = saved[len(saved) // 2]
                assert some.id in [e.id for e in catalogue.entries("p", text=some.display_name)]
            catalogue.sync_from_history(journal, from_start=True).result(30)
            done = {e.id for e in journal.query(kind="upload", outcome="done", limit=1000)}
            listed = {e.entry_id for e in catalogue.entries("p")}
            assert done <= listed  # every upload History kept is in the Library
            assert listed, "History kept uploads: the Library lists them again"
    finally:
        journal.close()
