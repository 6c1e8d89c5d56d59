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
