import json
import re

import pytest

from console.store.paths import app_paths
from console.store.profiles import (
    SANDBOX_ID,
    OwnNumber,
    Profile,
    ProfileError,
    ProfileStore,
    base_url_problem,
    new_profile_id,
)
from console.store.secrets import SecretStore


def office(**changes) -> Profile:
    fields = dict(
        id="office-1a2b3c",
        name="Main office",
        base_url="https://api.voitex.com",
        numbers=[OwnNumber("8455550100", "Front desk")],
        default_album=3,
    )
    fields.update(changes)
    return Profile(**fields)


@pytest.fixture
def store():
    return ProfileStore(app_paths().profiles_file)


def test_fresh_store_has_only_the_sandbox_with_its_runtime_url():
    store = ProfileStore(app_paths().profiles_file, sandbox_base_url="http://127.0.0.1:4567")
    [sandbox] = store.load()
    assert sandbox.id == SANDBOX_ID
    assert sandbox.name == "Sandbox"
    assert sandbox.is_sandbox
    assert sandbox.base_url == "http://127.0.0.1:4567"
    assert [n.number for n in sandbox.numbers] == ["8459511000", "8459511110"]
    assert sandbox.default_album == 1
    assert store.active_id == SANDBOX_ID
    assert store.load_warning is None


def test_add_update_delete_round_trip_through_the_file(store):
    store.load()
    store.add(office())
    store.active_id = "office-1a2b3c"
    store.update(office(name="Head office", numbers=[OwnNumber("8455550100", "Desk"),
                                                    OwnNumber("8455550101", "Fax")]))

    again = ProfileStore(store.path)
    profiles = again.load()
    assert [p.id for p in profiles] == [SANDBOX_ID, "office-1a2b3c"]
    assert profiles[1].name == "Head office"
    assert profiles[1].numbers == [OwnNumber("8455550100", "Desk"), OwnNumber("8455550101", "Fax")]
    assert profiles[1].default_album == 3
    assert again.active_id == "office-1a2b3c"

    again.delete("office-1a2b3c")
    assert [p.id for p in ProfileStore(store.path).load()] == [SANDBOX_ID]
    # Deleting the active profile falls back to the sandbox.
    assert ProfileStore(store.path).active_id == SANDBOX_ID


def test_sandbox_cannot_be_deleted_and_its_url_is_never_saved(store):
    store.sandbox_base_url = "http://127.0.0.1:9999"
    store.load()
    with pytest.raises(ProfileError, match="cannot be deleted"):
        store.delete(SANDBOX_ID)
    store.add(office())
    saved = json.loads(store.path.read_text())
    sandbox = next(p for p in saved["profiles"] if p["id"] == SANDBOX_ID)
    assert sandbox["base_url"] == ""
    assert "9999" not in store.path.read_text()


def test_save_without_sandbox_puts_it_back(store):
    store.save([office()])
    assert [p.id for p in ProfileStore(store.path).load()] == [SANDBOX_ID, "office-1a2b3c"]


def test_returned_profiles_are_copies(store):
    [sandbox] = store.load()
    sandbox.name = "Changed by caller"
    sandbox.numbers.append(OwnNumber("8455550199"))
    assert store.get(SANDBOX_ID).name == "Sandbox"
    assert len(store.get(SANDBOX_ID).numbers) == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (dict(name="  "), "Name"),
        (dict(name="x" * 81), "Name"),
        (dict(base_url=""), "Base URL"),
        (dict(base_url="http://api.voitex.com"), "Base URL"),
        (dict(base_url="ftp://api.voitex.com"), "Base URL"),
        (dict(base_url="https://user:secret@api.voitex.com"), "Base URL"),
        (dict(base_url="https://api.voitex.com:99999"), "Base URL"),
        (dict(numbers=[]), "Numbers"),
        (dict(numbers=[OwnNumber("555-0100")]), "Numbers"),
        (dict(numbers=[OwnNumber("8455550100"), OwnNumber("8455550100")]), "Numbers"),
        (dict(default_album=0), "Default album"),
        (dict(default_album=True), "Default album"),
    ],
)
def test_validate_names_the_field(changes, field):
    problems = office(**changes).validate()
    assert len(problems) == 1
    assert problems[0].startswith(field + ":")


@pytest.mark.parametrize(
    "url",
    ["https://api.voitex.com", "https://api.voitex.com/", "http://127.0.0.1:8080",
     "http://localhost:5000", "http://[::1]:8000", "http://127.5.0.1"],
)
def test_accepted_base_urls(url):
    assert base_url_problem(url) is None


def test_invalid_profile_is_refused_and_file_unchanged(store):
    store.load()
    store.add(office())
    before = store.path.read_text()
    with pytest.raises(ProfileError) as caught:
        store.update(office(base_url="http://api.voitex.com"))
    assert caught.value.problems[0].startswith("Base URL:")
    assert store.path.read_text() == before


def test_names_must_be_unique_ignoring_case(store):
    store.load()
    store.add(office())
    with pytest.raises(ProfileError, match="already called"):
        store.add(office(id="other-000000", name="MAIN OFFICE"))


def test_new_profile_id_is_slug_plus_random_suffix():
    first = new_profile_id("Main Office (NY)!")
    second = new_profile_id("Main Office (NY)!")
    assert re.fullmatch(r"main-office-ny-[0-9a-f]{6}", first)
    assert first != second
    assert re.fullmatch(r"profile-[0-9a-f]{6}", new_profile_id("***"))


def test_corrupt_file_is_kept_aside_and_warned_about(store):
    store.path.write_text('{"version": 1, "profiles": [ {"id": "x",', encoding="utf-8")
    profiles = store.load()
    assert [p.id for p in profiles] == [SANDBOX_ID]
    assert store.load_warning and "ends too early" in store.load_warning
    backups = list(store.path.parent.glob("profiles.json.broken-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8").startswith('{"version": 1')
    assert str(backups[0]) in store.load_warning
    # The store keeps working and writes a fresh file.
    store.add(office())
    assert [p.id for p in ProfileStore(store.path).load()] == [SANDBOX_ID, "office-1a2b3c"]


def test_wrong_structure_counts_as_corrupt(store):
    store.path.write_text(json.dumps({"profiles": [{"id": 5, "name": "x", "base_url": ""}]}))
    assert [p.id for p in store.load()] == [SANDBOX_ID]
    assert store.load_warning


def test_invalid_profile_in_file_is_left_out_others_kept(store):
    store.load()
    store.add(office())
    document = json.loads(store.path.read_text())
    document["profiles"].append({"id": "bad-000000", "name": "Bad", "base_url": "http://evil.example",
                                 "numbers": [{"number": "8455550100", "label": ""}],
                                 "default_album": 1, "is_sandbox": False})
    store.path.write_text(json.dumps(document))
    profiles = store.load()
    assert [p.id for p in profiles] == [SANDBOX_ID, "office-1a2b3c"]
    assert "'Bad'" in store.load_warning
    assert list(store.path.parent.glob("profiles.json.broken-*"))
    assert [p.id for p in ProfileStore(store.path).load()] == [SANDBOX_ID, "office-1a2b3c"]


def test_write_is_atomic_no_temp_files_left(store):
    store.load()
    store.add(office())
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["profiles.json"]


def test_no_secret_in_the_file(store, memory_keyring):
    secrets = SecretStore.create()
    store.load()
    store.add(office())
    secrets.set_key("office-1a2b3c", "office-secret-key-42")
    secrets.set_key(SANDBOX_ID, "sandbox-secret-key-43")
    store.active_id = "office-1a2b3c"
    text = store.path.read_text()
    assert "office-secret-key-42" not in text
    assert "sandbox-secret-key-43" not in text
    assert "key" not in json.loads(text)["profiles"][1]


def test_delete_with_secrets_removes_the_key(store, memory_keyring):
    secrets = SecretStore.create()
    store.load()
    store.add(office())
    secrets.set_key("office-1a2b3c", "office-secret-key-42")
    store.delete("office-1a2b3c", secrets=secrets)
    assert ("voitex-console", "office-1a2b3c") not in memory_keyring.passwords
    assert [p.id for p in store.profiles()] == [SANDBOX_ID]


def test_active_id_must_name_a_profile(store):
    store.load()
    with pytest.raises(ProfileError):
        store.active_id = "nobody"


def _three_offices() -> list[dict]:
    return [{"id": f"office-{n}", "name": f"Office {n}", "base_url": "https://api.voitex.com",
             "numbers": [{"number": f"845555010{n}", "label": ""}], "default_album": 1,
             "is_sandbox": False} for n in (1, 2, 3)]


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
def test_each_profile_that_parses_is_salvaged_and_the_notice_survives_later_loads():
    from console.store.notices import Notices

    path = app_paths().profiles_file
    path.parent.mkdir(parents=True, exist_ok=True)
    offices = _three_offices()
    offices[1]["default_album"] = "two"  # a wrongly typed field spoils that profile only
    path.write_text(json.dumps({"version": 1, "active_id": "office-3", "profiles": offices}))
    notices = Notices()
    store = ProfileStore(path, notices=notices)
    assert [p.id for p in store.load()] == [SANDBOX_ID, "office-1", "office-3"]
    assert store.active_id == "office-3"
    [notice] = notices.about(path)
    assert notice.saved.startswith("2 of 3 live profiles") and "'Office 2'" in notice.saved
    assert notice.kept_as is not None and notice.kept_as.name.startswith("profiles.json.broken-")
    assert json.loads(notice.kept_as.read_text())["profiles"][1]["default_album"] == "two"
    # The session loads again and again: the warning must still be there to show.
    store.load()
    store.load()
    assert store.load_warning == notice.text() and len(notices) == 1
    assert [p.id for p in ProfileStore(path).load()] == [SANDBOX_ID, "office-1", "office-3"]


@pytest.mark.expect_log("WARNING", r"damaged state file", logger="console.store.notices")
def test_a_cut_off_file_keeps_the_profiles_before_the_cut():
    from console.store.notices import Notices

    path = app_paths().profiles_file
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": 1, "profiles": _three_offices()}, indent=2)
    path.write_text(text[: text.index('"Office 3"')])
    notices = Notices()
    assert [p.id for p in ProfileStore(path, notices=notices).load()] == [
        SANDBOX_ID, "office-1", "office-2"]
    [notice] = notices.about(path)
    assert "ends too early at line" in notice.problem
    assert notice.saved.startswith("2 live profiles")
    assert notice.kept_as.read_text() == text[: text.index('"Office 3"')]


_DAMAGE_LOGGED = pytest.mark.expect_log("WARNING", r"damaged state file: Your profiles", logger="console.store.notices")


@pytest.mark.parametrize("content", [
    *(pytest.param(content, marks=_DAMAGE_LOGGED)
      for content in [b"", b"\xff\xfe\x00garbage", b"[]", b"null", b'{"profiles": {"a": 1}}',
                      b'{"profiles": [null, 5, "x"]}']),
    b'{"active_id": 5, "profiles": []}',
])
def test_any_damage_leaves_the_sandbox_and_a_notice(content):
    from console.store.notices import Notices

    path = app_paths().profiles_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    notices = Notices()
    store = ProfileStore(path, notices=notices)
    assert [p.id for p in store.load()] == [SANDBOX_ID]
    assert store.active_id == SANDBOX_ID
    if content != b'{"active_id": 5, "profiles": []}':  # no profile lost there: nothing to say
        [notice] = notices.about(path)
        assert notice.kept_as.read_bytes() == content


# -- the proxy choice (issue 19) ----------------------------------------------------

from console.store.profiles import PROXY_ADDRESS, PROXY_NONE, PROXY_SYSTEM, proxy_address_problem  # noqa: E402


def test_a_profile_keeps_its_proxy_choice_but_never_credentials(tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    store.add(office(proxy_mode=PROXY_ADDRESS, proxy_address=" 10.0.0.5:3128 "))
    [_, live] = ProfileStore(tmp_path / "profiles.json").load()
    assert (live.proxy_mode, live.proxy_address) == (PROXY_ADDRESS, "10.0.0.5:3128")
    document = json.loads((tmp_path / "profiles.json").read_text())
    assert document["profiles"][1]["proxy"] == {"mode": "address", "address": "10.0.0.5:3128"}


def test_a_file_from_before_proxies_reads_as_system_settings(tmp_path):
    path = tmp_path / "profiles.json"
    ProfileStore(path).add(office())
    document = json.loads(path.read_text())
    for item in document["profiles"]:
        item.pop("proxy")
    path.write_text(json.dumps(document))
    [_, live] = ProfileStore(path).load()
    assert (live.proxy_mode, live.proxy_address) == (PROXY_SYSTEM, "")


def test_no_proxy_forgets_a_typed_address(tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    store.add(office(proxy_mode=PROXY_NONE, proxy_address="10.0.0.5:3128"))
    assert store.load()[1].proxy_address == ""


@pytest.mark.parametrize(
    ("address", "words"),
    [("", "enter the proxy's address"), ("http://desk:pw@10.0.0.5:3128", "user name or password"),
     ("ftp://10.0.0.5:21", "start it with"), ("10.0.0.5:99999", "port"), ("10.0.0.5:3128/x", "host and port")],
)
def test_a_proxy_address_that_cannot_be_is_named(address, words):
    problem = proxy_address_problem(address)
    assert problem is not None and words in problem
    problems = office(proxy_mode=PROXY_ADDRESS, proxy_address=address).validate()
    assert any(p.startswith("Proxy address:") for p in problems)


@pytest.mark.parametrize("address", ["10.0.0.5:3128", "proxy.office.lan:8080", "https://p.lan", "socks5://p:1080"])
def test_proxy_addresses_that_can_be(address):
    assert proxy_address_problem(address) is None
