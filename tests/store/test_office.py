"""The office database: settings, the Test's steps against a real server, the one-time import."""
from __future__ import annotations

import json

import psycopg
import pytest

from console.store import office
from console.store.catalogue import Catalogue
from console.store.journal import Journal
from console.store.migrations import SCHEMA_VERSION
from console.store.office import OfficeSettings, OfficeSettingsError
from console.store.office_import import import_desk
from console.store.office_probe import probe
from console.store.pg.engine import PgEngine
from tests.pg_server import DESK_PASSWORD, DESK_ROLE, free_port
from tests.store.backends import PgBackend

# -- settings ---------------------------------------------------------------------------


def test_a_remote_database_is_reached_over_verified_tls_and_loopback_is_not_forced():
    remote = OfficeSettings(host="db.office.lan", dbname="voitex", user="desk")
    params = psycopg.conninfo.conninfo_to_dict(remote.conninfo("pw"))
    assert params["sslmode"] == "verify-full" and params["sslrootcert"] == "system"
    assert params["password"] == "pw"
    assert "password" not in psycopg.conninfo.conninfo_to_dict(remote.conninfo())
    for host in ("127.0.0.1", "localhost", "::1", "/var/run/postgresql"):
        assert OfficeSettings(host=host, dbname="v", user="u").sslmode == "prefer"
    own_ca = office.from_url("postgresql://desk@db.office.lan/voitex?sslrootcert=/etc/office-ca.pem")
    assert "sslrootcert=/etc/office-ca.pem" in own_ca.conninfo()


def test_the_environment_variable_wins_and_may_not_carry_a_password(tmp_path):
    office.save(tmp_path, OfficeSettings(host="saved.lan", dbname="a", user="b", desk="Front desk"))
    saved = office.load(tmp_path, environ={})
    assert (saved.host, saved.port, saved.desk_name) == ("saved.lan", 5432, "Front desk")
    assert "password" not in (tmp_path / office.FILE_NAME).read_text()
    from_env = office.load(tmp_path, environ={office.ENV: "postgresql://it@db.lan:6432/office"})
    assert (from_env.host, from_env.port, from_env.dbname, from_env.user) == ("db.lan", 6432,
                                                                            "office", "it")
    assert from_env.from_environment and from_env.desk_name == "Front desk"
    with pytest.raises(OfficeSettingsError, match="holds a password"):
        office.load(tmp_path, environ={office.ENV: "postgresql://it:secret@db.lan/office"})
    with pytest.raises(OfficeSettingsError, match="Database: this field is empty"):
        office.from_url("postgresql://it@db.lan")
    office.save(tmp_path, None, desk="Back office")
    assert office.load(tmp_path, environ={}) is None
    assert json.loads((tmp_path / office.FILE_NAME).read_text()) == {"desk": "Back office"}


def test_the_password_is_kept_under_a_name_no_profile_can_have():
    settings = OfficeSettings(host="db.lan", dbname="voitex", user="desk")
    assert settings.keyring_name == "office-database:desk@db.lan:5432/voitex"
    assert settings.problems() == []
    assert [p.split(":")[0] for p in OfficeSettings(host="", dbname="", user="", port=0).problems()] \
        == ["Host", "Port", "Database", "User"]


# -- the Test ---------------------------------------------------------------------------

@pytest.fixture
def settings(pg_server, pg_database):
    return OfficeSettings(host="127.0.0.1", port=pg_server.port, dbname=pg_database, user=DESK_ROLE)


def step_of(result):
    return [(s.step, s.ok) for s in result.steps]


def test_each_step_passes_against_a_good_database(settings):
    result = probe(settings, DESK_PASSWORD)
    assert result.ok, result.text()
    assert step_of(result) == [("reachable", True), ("tls", True), ("password", True),
                               ("schema", True)]
    assert "prepared at first use" in result.text()


def test_the_test_names_the_step_that_failed(settings, pg_server):
    nobody = OfficeSettings(host="127.0.0.1", port=free_port(), dbname="x", user="y")
    assert step_of(probe(nobody, "pw")) == [("reachable", False)]
    assert "Check the Host and Port fields" in probe(nobody, "pw").text()

    wrong = probe(settings, "not the password")
    assert step_of(wrong)[-1] == ("password", False)
    assert "refused the password for user 'voitex_desk'" in wrong.failed.text

    missing = OfficeSettings(host="127.0.0.1", port=pg_server.port, dbname="no_such_db",
                             user=DESK_ROLE)
    assert "has no database 'no_such_db'" in probe(missing, DESK_PASSWORD).failed.text

    tls = OfficeSettings(host="127.0.0.1", port=pg_server.port, dbname=settings.dbname,
                         user=DESK_ROLE, extra={"sslmode": "verify-full"})
    result = probe(tls, DESK_PASSWORD)
    assert step_of(result) == [("reachable", True), ("tls", False)]
    assert "trusted authority" in result.failed.text


def test_a_database_of_a_newer_console_fails_the_schema_step(settings, pg_server):
    engine = PgEngine(settings.conninfo(DESK_PASSWORD), where="test")
    assert engine.wait_reachable(10)  # prepares the database
    engine.close()
    assert f"version {SCHEMA_VERSION}, as this console expects" in probe(settings, DESK_PASSWORD).text()
    with pg_server.admin(settings.dbname) as conn:
        conn.execute("UPDATE voitex_schema SET version = 99")
    result = probe(settings, DESK_PASSWORD)
    assert step_of(result)[-1] == ("schema", False)
    assert "newer Voitex Console" in result.failed.text


# -- the import -------------------------------------------------------------------------

def test_the_import_copies_history_and_library_once(tmp_path, pg_server, pg_database):
    from tests.helpers import make_wav

    path = tmp_path / "history.sqlite3"
    wav = make_wav(tmp_path / "welcome.wav")
    local = Journal(path, desk="", operator="anna")
    first = local.begin(kind="sms", profile_id="office", profile_name="Office",
                        recipient="8451234567", content="Your order is ready")
    local.finish(first, outcome="unknown")
    again = local.begin(kind="sms", profile_id="office", profile_name="Office",
                        recipient="8451234567", content="Your order is ready", resend_of=first)
    local.finish(again, outcome="done", result_id="R2")
    upload = local.begin(kind="upload", profile_id="office", profile_name="Office",
                         recipient="album 1 / sort 5", content="welcome.wav",
                         request={"album_number": 1, "sort_number": 5, "display_name": "Welcome",
                                  "upload_file": str(wav), "size": wav.stat().st_size})
    local.finish(upload, outcome="done", result_id="918357")
    with Catalogue(path) as catalogue:
        assert catalogue.sync_from_history(local).result(10) == 1
    local.close()

    backend = PgBackend(pg_server, pg_database, tmp_path)
    try:
        shared = backend.journal(desk="Back office")
        shared.begin(kind="sms", profile_id="office", profile_name="Office", recipient="1",
                     content="already in the office database")
        calls = []
        result = import_desk(path, shared.engine, desk="Front desk",
                             progress=lambda done, total: calls.append((done, total)))
        assert (result.entries_added, result.recordings_added) == (3, 1)
        assert calls[0] == (0, 4) and calls[-1] == (4, 4)
        assert "3 History entries and 1 Library recording imported" in result.text()

        again_result = import_desk(path, shared.engine, desk="Front desk")
        assert (again_result.entries_added, again_result.recordings_added) == (0, 0)
        assert (again_result.entries_known, again_result.recordings_known) == (3, 1)
        assert shared.count() == 4

        imported = {e.content: e for e in shared.query(profile_id="office")}
        resent = [e for e in shared.query() if e.result_id == "R2"][0]
        assert shared.get(resent.resend_of).outcome == "unknown"
        assert (resent.desk, resent.operator) == ("Front desk", "anna")
        catalogue = backend.catalogue()
        recording = catalogue.at("office", 1, 5)
        assert recording.recording_id == "918357"
        assert recording.entry_id == imported["welcome.wav"].id
        # History's own catch-up finds the imported upload already listed.
        assert catalogue.sync_from_history(shared, from_start=True).result(10) == 0
    finally:
        backend.close()
