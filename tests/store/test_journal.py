import csv
import threading
from datetime import UTC, datetime, timedelta

import pytest

from console.store.journal import CRASH_MESSAGE, Journal, JournalError, scrub
from console.store.paths import app_paths

KEY = "auth-key-7c1d9e"
CVV = "987"
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start=START):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def journal(backend, clock):
    """The journal on each engine (tests/store/backends.py)."""
    return backend.journal(clock=clock)


def sms(journal, to="8451234567", body="Your order is ready", profile="office", **extra):
    return journal.begin(kind="sms", profile_id=profile, profile_name=profile.title(),
                         recipient=to, content=body,
                         request={"from": "8459511000", "to": to, "body": body}, **extra)


def test_begin_then_finish(journal, clock):
    entry_id = sms(journal)
    entry = journal.get(entry_id)
    assert entry.outcome == "pending"
    assert entry.created_at == "2024-03-01T09:00:00.000+00:00"
    assert entry.request == {"from": "8459511000", "to": "8451234567", "body": "Your order is ready"}
    clock.advance(seconds=2)
    journal.finish(entry_id, outcome="done", result_id="R123", messages=["sent"])
    entry = journal.get(entry_id)
    assert (entry.outcome, entry.result_id, entry.messages) == ("done", "R123", ["sent"])
    assert entry.updated_at == "2024-03-01T09:00:02.000+00:00"
    assert entry.created_at == "2024-03-01T09:00:00.000+00:00"


def test_bad_arguments_are_refused(journal):
    with pytest.raises(ValueError, match="kind"):
        journal.begin(kind="fax", profile_id="p", profile_name="P", recipient="", content="")
    entry_id = sms(journal)
    with pytest.raises(ValueError, match="outcome"):
        journal.finish(entry_id, outcome="pending")
    with pytest.raises(TypeError):
        journal.finish(entry_id, outcome="failed", messages="one text")
    with pytest.raises(JournalError):
        journal.finish(entry_id + 100, outcome="done")
    with pytest.raises(JournalError):
        journal.get(entry_id + 100)
    with pytest.raises(ValueError, match="time zone"):
        journal.query(since=datetime(2024, 1, 1))


def test_secrets_are_scrubbed_at_any_depth():
    request = {
        "auth_key": KEY, "Key ": KEY, "to": "8451234567",
        "payment_info": [{"last_four": "4444", "cvv": CVV, "CVV ": CVV, "amount": "57"}],
        "nested": {"deeper": [{"cvc": CVV, "keep": 1}]},
    }
    assert scrub(request) == {
        "to": "8451234567",
        "payment_info": [{"last_four": "4444", "amount": "57"}],
        "nested": {"deeper": [{"keep": 1}]},
    }
    assert request["auth_key"] == KEY  # the caller's dict is left alone


def test_no_key_or_cvv_reaches_the_database(backend, journal):
    entry_id = journal.begin(
        kind="call", profile_id="office", profile_name="Office", recipient="8451234567",
        content="stream 918357",
        request={"cid": "8459511000", "auth_key": KEY,
                 "payment_info": [{"cvv": f"cvv{CVV}x", "last_four": "4444"}]},
    )
    journal.finish(entry_id, outcome="done", result_id="ABC")
    assert journal.get(entry_id).request == {"cid": "8459511000",
                                             "payment_info": [{"last_four": "4444"}]}
    journal.close()
    data = backend.everything_stored()
    assert b"8459511000" in data  # what is looked through holds the entry
    assert KEY.encode() not in data
    assert f"cvv{CVV}x".encode() not in data


def test_pending_left_by_a_crash_becomes_unknown_on_next_start(backend, clock):
    first = backend.journal(clock=clock)
    crashed = sms(first)
    finished = sms(first, to="8457654321")
    first.finish(finished, outcome="done")
    first.close()  # no finish for `crashed`: the console stopped mid-request

    second = backend.journal(clock=clock)
    assert second.get(crashed).outcome == "pending"
    assert second.mark_crashed_pending_unknown() == 1
    entry = second.get(crashed)
    assert entry.outcome == "unknown"
    assert entry.messages == [CRASH_MESSAGE]
    assert second.get(finished).outcome == "done"
    assert second.mark_crashed_pending_unknown() == 0


def test_query_is_newest_first_and_pages_by_offset_and_key(journal, clock):
    ids = []
    for n in range(450):
        ids.append(sms(journal, body=f"message {n}"))
        clock.advance(seconds=1)
    newest_first = ids[::-1]
    first = journal.query(limit=200)
    assert [e.id for e in first] == newest_first[:200]
    assert [e.id for e in journal.query(offset=200, limit=200)] == newest_first[200:400]
    assert [e.id for e in journal.query(before_id=first[-1].id, limit=200)] == newest_first[200:400]
    assert [e.id for e in journal.query(before_id=newest_first[399], limit=200)] == newest_first[400:]
    assert journal.count() == 450


def test_filters_by_kind_outcome_profile_and_date(journal, clock):
    a = sms(journal, profile="office")
    clock.advance(days=1)
    b = journal.begin(kind="tts", profile_id="shop", profile_name="Shop", recipient="album 1 / sort 5",
                      content="Welcome to the shop", request={"text": "Welcome to the shop"})
    clock.advance(days=1)
    c = journal.begin(kind="upload", profile_id="office", profile_name="Office",
                      recipient="album 2 / sort 1", content="hello.wav", request={})
    journal.finish(a, outcome="done")
    journal.finish(b, outcome="failed", messages=["album_number is required"])

    def ids(**filters):
        found = [e.id for e in journal.query(**filters)]
        assert journal.count(**filters) == len(found)
        return found

    assert ids(kind="sms") == [a]
    assert ids(outcome="failed") == [b]
    assert ids(outcome="pending") == [c]
    assert ids(profile_id="office") == [c, a]
    assert ids(since=START + timedelta(days=1)) == [c, b]
    assert ids(until=START + timedelta(days=1)) == [a]
    assert ids(since=START + timedelta(hours=12), until=START + timedelta(days=1, hours=12)) == [b]
    assert ids(kind="sms", profile_id="shop") == []


def test_text_search_covers_recipient_and_content_and_escapes_wildcards(journal):
    plain = sms(journal, to="8451234567", body="Order ready")
    percent = sms(journal, to="8457654321", body="Save 20% today")
    underscore = sms(journal, to="8450000000", body="code A_B")
    other = sms(journal, to="8459999999", body="Save 200 today")

    def ids(text):
        return sorted(e.id for e in journal.query(text=text))

    assert ids("order READY") == [plain]
    assert ids("20%") == [percent]
    assert ids("A_B") == [underscore]
    assert ids("save 20") == sorted([percent, other])
    assert ids("765") == [percent]
    assert ids("(845) 123-45") == [plain]
    assert ids("  ") == sorted([plain, percent, underscore, other])
    assert journal.count(text="20%") == 1


def test_resend_of_links_to_the_earlier_entry(backend, journal):
    first = sms(journal)
    journal.finish(first, outcome="unknown", messages=["The connection dropped."])
    again = sms(journal, resend_of=first)
    assert journal.get(again).resend_of == first
    assert journal.get(first).resend_of is None
    with pytest.raises(backend.IntegrityError):
        sms(journal, resend_of=first + 100)


def test_changed_since_reports_begun_and_finished_entries(journal):
    start = journal.last_change()
    a = sms(journal)
    b = sms(journal)
    mark, changed = journal.changed_since(start)
    assert sorted(changed) == [a, b]
    journal.finish(a, outcome="done")
    mark2, changed = journal.changed_since(mark)
    assert changed == [a]
    assert mark2 > mark
    assert journal.changed_since(mark2) == (mark2, [])


def test_batch_is_one_transaction(journal):
    with journal.batch():
        a = sms(journal)
        journal.finish(a, outcome="done")
    assert journal.get(a).outcome == "done"
    with pytest.raises(RuntimeError), journal.batch():
        sms(journal)
        raise RuntimeError("stop")
    assert journal.count() == 1


def test_concurrent_writers_each_get_their_entry(journal):
    def worker(n):
        for i in range(50):
            entry_id = sms(journal, body=f"{n}-{i}")
            journal.finish(entry_id, outcome="done")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert journal.count() == 200
    assert journal.count(outcome="done") == 200
    assert len({e.content for e in journal.query(limit=1000)}) == 200


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_export_csv_with_filters_and_no_secrets(journal, tmp_path):
    done = journal.begin(kind="sms", profile_id="office", profile_name="Office",
                         recipient="8451234567", content="Café open, 20% off\nsecond line",
                         request={"auth_key": KEY, "body": "x",
                                  "payment_info": [{"cvv": f"cvv{CVV}x"}]})
    journal.finish(done, outcome="done", result_id="REF1", messages=["ok", "queued"])
    failed = sms(journal, body="=HYPERLINK(\"http://x\")")
    journal.finish(failed, outcome="failed", messages=["to is not valid"])

    everything = tmp_path / "all.csv"
    assert journal.export_csv(everything) == 2
    rows = read_csv(everything)
    assert rows[0] == ["id", "time", "kind", "profile", "recipient", "content", "outcome",
                       "result id", "messages"]
    assert [r[0] for r in rows[1:]] == [str(failed), str(done)]
    newest, oldest = rows[1], rows[2]
    assert oldest[2:] == ["sms", "Office", "8451234567", "Café open, 20% off\nsecond line",
                          "done", "REF1", "ok\nqueued"]
    expected_time = datetime.fromisoformat(journal.get(done).created_at).astimezone()
    assert oldest[1] == expected_time.strftime("%Y-%m-%d %H:%M:%S")
    # A formula typed into a message must stay text in a spreadsheet.
    assert newest[5] == "'=HYPERLINK(\"http://x\")"
    text = everything.read_text(encoding="utf-8-sig")
    assert KEY not in text and f"cvv{CVV}x" not in text

    only_failed = tmp_path / "failed.csv"
    assert journal.export_csv(only_failed, outcome="failed") == 1
    assert [r[0] for r in read_csv(only_failed)[1:]] == [str(failed)]
    assert journal.export_csv(tmp_path / "none.csv", text="no such text") == 0
    assert len(read_csv(tmp_path / "none.csv")) == 1


def test_export_to_unwritable_place_raises_and_leaves_nothing(journal, tmp_path):
    sms(journal)
    with pytest.raises(OSError):
        journal.export_csv(tmp_path / "missing-folder" / "out.csv")
    assert not (tmp_path / "missing-folder").exists()


def test_export_spans_several_chunks(journal, tmp_path):
    with journal.batch():
        for n in range(4100):
            sms(journal, body=f"m{n}")
    out = tmp_path / "big.csv"
    assert journal.export_csv(out) == 4100
    rows = read_csv(out)[1:]
    assert len(rows) == 4100
    assert rows[0][5] == "m4099" and rows[-1][5] == "m0"
    assert len({r[0] for r in rows}) == 4100


def test_damaged_file_is_set_aside_and_a_new_history_started(clock):
    path = app_paths().journal_file
    path.write_bytes(b"this is not a database" * 100)
    journal = Journal(path, clock=clock)
    try:
        assert journal.load_warning and "damaged" in journal.load_warning
        assert journal.count() == 0
        assert sms(journal) == 1
        assert list(path.parent.glob("history.sqlite3.broken-*"))
    finally:
        journal.close()


def test_uses_wal(clock):
    journal = Journal(app_paths().journal_file, clock=clock)
    try:
        sms(journal)
        assert (app_paths().data_dir / "history.sqlite3-wal").exists()
    finally:
        journal.close()


def test_recent_sends_lists_what_may_have_gone_out_since_a_moment(journal, clock):
    old = sms(journal, to="8451110001", body="old")
    journal.finish(old, outcome="done")
    clock.advance(hours=25)
    since = clock.now - timedelta(hours=24)
    failed = sms(journal, to="8451110002", body="failed")
    journal.finish(failed, outcome="failed")
    done = sms(journal, to="8451110003", body="done", group_id="7")
    journal.finish(done, outcome="done")
    sms(journal, to="8451110004", body="pending")
    other = sms(journal, to="8451110005", body="other desk", profile="other")
    journal.finish(other, outcome="unknown")
    journal.begin(kind="tts", profile_id="office", profile_name="Office", recipient="album 1",
                  content="spoken")
    recent = journal.recent_sends(since)
    assert [(r.recipient, r.content, r.outcome, r.group_id) for r in recent] == [
        ("8451110003", "done", "done", "7"), ("8451110004", "pending", "pending", None),
        ("8451110005", "other desk", "unknown", None)]
    assert [r.recipient for r in journal.recent_sends(since, profile_id="office")] == [
        "8451110003", "8451110004"]
    assert journal.recent_sends(since, kinds=("call",)) == []


def test_each_entry_names_its_desk_and_operator(backend, journal):
    entry_id = sms(journal)
    entry = journal.get(entry_id)
    assert (entry.desk, entry.operator) == ("Front desk", "anna")
    other = backend.journal(desk="Back office", operator="ben")
    assert [(e.desk, e.operator) for e in other.query()] == [("Front desk", "anna")]
    second = sms(other, body="from the back")
    assert (other.get(second).desk, journal.get(second).operator) == ("Back office", "ben")


def test_recent_sends_to_one_number_count_every_profile_but_not_failures(journal, clock):
    old = sms(journal, to="3055550001", body="old")
    journal.finish(old, outcome="done")
    clock.advance(hours=25)
    since = clock.now - timedelta(hours=24)
    first = sms(journal, to="3055550001", body="a", profile="other")
    journal.finish(first, outcome="done")
    clock.advance(hours=1)
    failed = sms(journal, to="3055550001", body="b")
    journal.finish(failed, outcome="failed")
    sms(journal, to="3055550001", body="c")  # pending: it may have gone
    sms(journal, to="3055550002", body="someone else")
    times = journal.recent_sends_to("3055550001", since)
    assert len(times) == 2
    assert times == sorted(times)
    assert journal.recent_sends_to("3055550001", since, kinds=("call",)) == []


def test_export_defuses_formulas_from_voitex_replies_and_behind_invisible_characters(journal, tmp_path):
    entry = sms(journal, body=" \u200b=1+1")
    journal.finish(entry, outcome="failed", result_id="\ufeff@SUM(A1)",
                   messages=["+cmd|' /C calc'!A0", "plain words"])
    out = tmp_path / "history.csv"
    journal.export_csv(out)
    row = read_csv(out)[1]
    assert row[5] == "' \u200b=1+1"
    assert row[7] == "'\ufeff@SUM(A1)"
    assert row[8] == "'+cmd|' /C calc'!A0\nplain words"
