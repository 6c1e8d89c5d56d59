"""Profiles: adding a live account stores its key in the keyring, and only there."""
from __future__ import annotations

from console.ui.profiles_dialog import ProfilesDialog
from tests.console_env import ConfirmRecorder

LIVE_KEY = "live-KEY-7c1d9e0b5a"


def make_dialog(qtbot, env, confirm=None):
    dialog = ProfilesDialog(session=env.session, secrets=env.secrets, messages=env.messages,
                            **({"confirm": confirm} if confirm else {}))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_new_account(qtbot, dialog, name="Main office", key=LIVE_KEY):
    dialog.start_new_profile()
    qtbot.keyClicks(dialog.name_edit, name)
    dialog._add_number_row("(845) 951-1000", "Main line")
    dialog.key_edit.setText(key)


def all_files_text(root):
    out = []
    for path in root.rglob("*"):
        if path.is_file():
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def test_sandbox_profile_is_read_only(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    assert dialog.sandbox_note.isVisible()
    assert not dialog.form_widget.isEnabled()
    assert not dialog.delete_button.isEnabled()


def test_adding_a_live_account_keeps_the_key_in_the_keyring_only(qtbot, console_env,
                                                                memory_keyring, app_home):
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog)
    assert dialog.url_edit.text() == "https://api.voitex.com"
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    [live] = [p for p in console_env.profiles.load() if not p.is_sandbox]
    assert live.name == "Main office"
    assert [n.number for n in live.numbers] == ["8459511000"]
    assert memory_keyring.passwords[("voitex-console", live.id)] == LIVE_KEY
    assert dialog.key_edit.text() == ""
    assert LIVE_KEY not in all_files_text(app_home)


def test_missing_key_and_bad_fields_are_named(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    dialog.start_new_profile()
    dialog.url_edit.setText("http://example.com")
    dialog._add_number_row("12", "bad")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "error", timeout=5000)
    assert "Name" in dialog.name_error.text()
    assert "Base URL" in dialog.url_error.text() or "https" in dialog.url_error.text()
    assert "Row 1" in dialog.numbers_error.text()
    assert "Account key" in dialog.key_error.text()
    assert [p for p in console_env.profiles.load() if not p.is_sandbox] == []


def test_deleting_a_profile_deletes_its_keyring_entry(qtbot, console_env, memory_keyring):
    profile = console_env.add_live_profile(key=LIVE_KEY)
    assert ("voitex-console", profile.id) in memory_keyring.passwords
    confirm = ConfirmRecorder(True)
    dialog = make_dialog(qtbot, console_env, confirm)
    dialog.reload(select_id=profile.id)
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: ("voitex-console", profile.id) not in memory_keyring.passwords,
                    timeout=5000)
    assert "Main office" in confirm.boxes[0]
    qtbot.waitUntil(lambda: [p.id for p in console_env.profiles.load()] == ["sandbox"],
                    timeout=5000)


def test_failing_keyring_offers_memory_for_this_session(qtbot, console_env, failing_keyring,
                                                       app_home):
    from console.store.secrets import SecretStore

    console_env.secrets = SecretStore.create()
    console_env.session.secrets = console_env.secrets
    confirm = ConfirmRecorder(True)
    dialog = make_dialog(qtbot, console_env, confirm)
    fill_new_account(qtbot, dialog)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    [live] = [p for p in console_env.profiles.load() if not p.is_sandbox]
    assert console_env.secrets.state.startswith("memory")
    assert console_env.secrets.get_key(live.id) == LIVE_KEY
    assert console_env.session.has_key(live)
    assert LIVE_KEY not in all_files_text(app_home)
    # The user was told in plain words, once the keyring had failed.
    assert dialog.keyring_note.isVisible()


def test_no_keyring_backend_is_explained(qtbot, console_env, no_keyring):
    from console.store.secrets import SecretStore

    console_env.secrets = SecretStore.create()
    assert console_env.secrets.state == "memory-no-backend"
    dialog = make_dialog(qtbot, console_env)
    assert dialog.keyring_note.isVisible()
    assert "memory" in dialog.keyring_note.text().lower()


# -- duplicate names, /v1 addresses, adding a live account (issue 10) -----------------

import pytest  # noqa: E402

from console.ui.profile_fields import duplicate_name_problem, normalize_base_url  # noqa: E402


@pytest.mark.parametrize("typed, expected, noted", [
    ("https://api.voitex.com", "https://api.voitex.com", False),
    ("https://api.voitex.com/", "https://api.voitex.com/", False),
    ("https://api.voitex.com/v1", "https://api.voitex.com", True),
    ("https://api.voitex.com/v1/", "https://api.voitex.com", True),
    ("  https://api.voitex.com/V1  ", "https://api.voitex.com", True),
    ("https://proxy.example.com/voitex/v1", "https://proxy.example.com/voitex", True),
    ("https://api.voitex.com/v10", "https://api.voitex.com/v10", False),
])
def test_base_url_normalisation_table(typed, expected, noted):
    base, note = normalize_base_url(typed)
    assert base == expected
    assert (note is not None) == noted


def test_duplicate_name_is_case_insensitive_and_ignores_itself():
    from console.store.profiles import Profile, sandbox_profile

    office = Profile(id="main-1", name="Main office", base_url="https://api.voitex.com")
    profiles = [sandbox_profile(), office]
    assert "Main office" in duplicate_name_problem("main office", "", profiles)
    assert "Sandbox" in duplicate_name_problem(" SANDBOX ", "", profiles)
    assert duplicate_name_problem("Main office", "main-1", profiles) is None
    assert duplicate_name_problem("Branch office", "", profiles) is None


@pytest.mark.parametrize("name", ["Sandbox", "main office"])
def test_saving_a_duplicate_name_shows_the_error_under_name(qtbot, console_env, name):
    console_env.add_live_profile(name="Main office")
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog, name=name)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "error", timeout=5000)
    assert dialog.name_error.isVisible()
    assert "already called" in dialog.name_error.text()
    assert dialog.name_edit.hasFocus()
    assert len(console_env.profiles.load()) == 2
    assert dialog.save_button.isEnabled()


def test_a_duplicate_the_store_refuses_still_lands_under_name(qtbot, console_env):
    """Another window saved the same name after this dialog checked: the store's refusal
    is shown under Name, not as a crash."""
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog, name="Branch office")
    console_env.add_live_profile(name="BRANCH OFFICE")
    dialog.session.all_profiles = lambda: []  # the dialog's own check sees nothing
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "error", timeout=5000)
    assert "already called" in dialog.name_error.text()
    assert dialog.name_error.isVisible()


def test_a_v1_address_is_normalised_and_said_under_the_address(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog)
    dialog.switch_check.setChecked(False)
    dialog.url_edit.setText("https://api.voitex.com/v1/")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    [live] = [p for p in console_env.profiles.load() if not p.is_sandbox]
    assert live.base_url == "https://api.voitex.com"
    assert dialog.url_edit.text() == "https://api.voitex.com"
    assert "Removed \u201c/v1\u201d" in dialog.result_label.text()


def test_the_v1_note_sits_under_the_address_when_saving_is_refused(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog, name="Sandbox")
    dialog.url_edit.setText("https://api.voitex.com/v1")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "error", timeout=5000)
    assert dialog.url_note.isVisible() and "/v1" in dialog.url_note.text()
    assert not dialog.url_error.isVisible()
    assert dialog.url_edit.text() == "https://api.voitex.com"


def test_add_live_account_is_titled_for_it_and_switches_to_the_new_profile(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    assert dialog.windowTitle() == "Profiles"
    dialog.start_new_profile()
    assert dialog.windowTitle() == "Add a live account"
    assert dialog.new_heading.isVisible()
    assert dialog.switch_check.isVisible() and dialog.switch_check.isChecked()
    fill_new_account(qtbot, dialog)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    qtbot.waitUntil(lambda: console_env.session.profile.name == "Main office", timeout=5000)
    assert "now working on" in dialog.result_label.text()
    assert dialog.windowTitle() == "Profiles"
    assert not dialog.switch_check.isVisible() and not dialog.new_heading.isVisible()


def test_add_live_account_without_switching_says_how_to_switch(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog)
    dialog.switch_check.setChecked(False)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    assert console_env.session.profile.is_sandbox
    assert "Profile menu" in dialog.result_label.text()


# -- proxy and Test connection (issue 19) ---------------------------------------------

from tests.netkit import office_network  # noqa: E402


@pytest.fixture
def office(tmp_path, monkeypatch):
    from tests.helpers import SANDBOX_KEY

    with office_network(tmp_path / "office", monkeypatch, key=SANDBOX_KEY) as network:
        yield network


def test_proxy_choice_is_saved_and_its_password_kept_in_the_keyring_only(qtbot, console_env, memory_keyring,
                                                                          app_home):
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog)
    fields = dialog.proxy_fields
    assert fields.mode_combo.currentText() == "System settings"  # the default
    assert not fields.address_edit.isEnabled()
    fields.mode_combo.setCurrentIndex(fields.mode_combo.findData("address"))
    assert fields.address_edit.isEnabled()
    qtbot.keyClicks(fields.address_edit, "10.0.0.5:3128")
    qtbot.keyClicks(fields.user_edit, "desk7")
    fields.password_edit.setText("proxy-PASS-42")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "ok", timeout=5000)
    [live] = [p for p in console_env.profiles.load() if not p.is_sandbox]
    assert (live.proxy_mode, live.proxy_address) == ("address", "10.0.0.5:3128")
    assert console_env.secrets.get_proxy_credentials(live.id) == ("desk7", "proxy-PASS-42")
    assert "proxy-PASS-42" not in all_files_text(app_home)
    qtbot.waitUntil(lambda: console_env.session.proxy_credentials(live.id) == ("desk7", "proxy-PASS-42"))
    assert console_env.session.client().route.proxy_label == "10.0.0.5:3128"


def test_a_proxy_address_with_a_password_in_it_is_refused_under_its_field(qtbot, console_env):
    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog)
    fields = dialog.proxy_fields
    fields.mode_combo.setCurrentIndex(fields.mode_combo.findData("address"))
    fields.address_edit.setText("http://desk:pw@10.0.0.5:3128")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result_label.kind == "error", timeout=5000)
    assert "Proxy address" in fields.address_error.text() and "password" in fields.address_error.text()
    assert [p for p in console_env.profiles.load() if not p.is_sandbox] == []


def test_test_connection_reports_each_step_through_the_office_proxy(qtbot, console_env, office):
    from tests.helpers import SANDBOX_KEY

    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog, key=SANDBOX_KEY)
    dialog.url_edit.setText(office.base_url)
    fields = dialog.proxy_fields
    fields.mode_combo.setCurrentIndex(fields.mode_combo.findData("address"))
    fields.address_edit.setText(office.proxy.address)
    panel = dialog.connection_panel
    progress: list[tuple[int, bool]] = []
    panel.progress.valueChanged.connect(lambda v: progress.append((v, panel.test_button.isEnabled())))
    panel.test_button.click()
    qtbot.waitUntil(lambda: panel.result_label.kind in ("ok", "error"), timeout=60000)
    assert panel.result_label.kind == "ok", panel.result_label.text()
    assert panel.test_button.isEnabled()
    texts = [panel.step_labels[n].text() for n in ("lookup", "proxy", "tls", "key")]
    assert all("\u2714" in t for t in texts), texts
    assert f"The office proxy {office.proxy.address} opened the way" in texts[1]
    assert "Contoso Office Inspection CA" in texts[2]
    values = [v for v, _enabled in progress]
    assert values[-1] == 4 and len(set(values)) >= 3  # it moved step by step
    assert not any(enabled for _v, enabled in progress)  # the button was disabled while it ran
    assert office.sandbox.outbox() == {"sms": [], "calls": []} and office.sandbox.library() == []
    dialog.grab().save(str(dialog.session.profiles.path.parent / "profiles-dialog.png"))


def test_test_connection_names_a_stopped_proxy(qtbot, console_env, office):
    from tests.helpers import SANDBOX_KEY

    dialog = make_dialog(qtbot, console_env)
    fill_new_account(qtbot, dialog, key=SANDBOX_KEY)
    dialog.url_edit.setText(office.base_url)
    fields = dialog.proxy_fields
    fields.mode_combo.setCurrentIndex(fields.mode_combo.findData("address"))
    fields.address_edit.setText(office.proxy.address)
    office.proxy.stop()
    panel = dialog.connection_panel
    panel.test_button.click()
    qtbot.waitUntil(lambda: panel.result_label.kind in ("ok", "error"), timeout=60000)
    assert panel.result_label.kind == "error"
    assert f"Could not reach the office proxy {office.proxy.address}" in panel.result_label.text()
    assert "\u2716" in panel.step_labels["proxy"].text()
    assert "not tried" in panel.step_labels["key"].text()
