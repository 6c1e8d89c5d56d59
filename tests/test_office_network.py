"""Issue 19's "done when": an office whose only way out is a CONNECT proxy and a private CA.

The Voitex stand-in is the sandbox over https, under a name only the proxy
can resolve, with a certificate from the office's own CA named in
SSL_CERT_FILE. Through the console's own parts (the SMS tab, the upload
queue, the session's client, Test connection) an SMS and a recording each
arrive exactly once; with the proxy stopped nothing is sent twice and the
words name the proxy.
"""
from __future__ import annotations

import pytest

from console.jobs.uploads.status import Status
from console.store.profiles import OwnNumber, Profile, new_profile_id
from console.ui.sms_tab import SmsTab
from tests.console_env import ConfirmRecorder, drive
from tests.helpers import SANDBOX_KEY, make_wav
from tests.netkit import office_network


@pytest.fixture
def office(tmp_path, monkeypatch):
    with office_network(tmp_path / "office", monkeypatch, key=SANDBOX_KEY) as network:
        yield network


@pytest.mark.expect_log("ERROR", r"Could not reach the office proxy", logger="console.messages")
def test_an_sms_and_a_recording_go_through_the_office_proxy_exactly_once(qtbot, console_env, office, tmp_path):
    from console.jobs.uploads import UploadQueue

    env = console_env
    profile = Profile(id=new_profile_id("Head office"), name="Head office", base_url=office.base_url,
                      numbers=[OwnNumber("8459511000", "Main line")], default_album=3,
                      proxy_mode="address", proxy_address=office.proxy.address)
    env.profiles.add(profile)
    env.secrets.set_key(profile.id, SANDBOX_KEY)
    drive(env.session.activate(profile.id))

    # Test connection reports each step.
    seen = []
    steps = drive(env.session.test_connection(base_url=office.base_url, key=SANDBOX_KEY,
                                              proxy=env.session.proxy_choice(), on_step=seen.append))
    assert [(s.name, s.state) for s in steps] == [("lookup", "ok"), ("proxy", "ok"), ("tls", "ok"), ("key", "ok")]
    assert [s.name for s in seen if s.state == "running"] == ["lookup", "proxy", "tls", "key"]

    # The SMS, through the SMS tab on the live account.
    confirm = ConfirmRecorder(True)
    tab = SmsTab(session=env.session, sender=env.sender, messages=env.messages, confirm=confirm)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.keyClicks(tab.to_edit, "(845) 123-4567")
    tab.body_edit.setPlainText("Your order is ready")
    tab.send_button.click()
    qtbot.waitUntil(lambda: tab.result_label.kind in ("ok", "error", "unknown"), timeout=30000)
    assert tab.result_label.kind == "ok", tab.result_label.text()
    assert [m["body"] for m in office.sandbox.outbox()["sms"]] == ["Your order is ready"]

    # The recording, through the upload queue with the session's client.
    queue = UploadQueue(client_factory=env.session.client, journal=env.journal,
                        state_path=tmp_path / "queue" / "upload-queue.json",
                        profile=lambda: (env.session.profile.id, env.session.profile.name), concurrency=2)
    try:
        wav = make_wav(tmp_path / "files" / "07 Welcome.wav", seconds=0.3)
        queue.add_paths([wav], album=3)
        qtbot.waitUntil(lambda: not queue.inspecting and len(queue) == 1, timeout=10000)
        assert queue.start()
        qtbot.waitUntil(lambda: queue.items()[0].status in (Status.DONE, Status.FAILED, Status.UNSURE),
                        timeout=30000)
        assert queue.items()[0].status == Status.DONE, queue.items()[0].problem
        [stored] = office.sandbox.library()
        assert (stored["album"], stored["upload_count"]) == (3, 1)
        tunnels = office.proxy.log.tunnels_opened
        assert tunnels >= 2  # both went through the proxy (the test's steps too)

        # The proxy stops: nothing is sent twice, and the words name the proxy.
        office.proxy.stop()
        tab.send_button.click()
        qtbot.waitUntil(lambda: tab.result_label.kind in ("error", "unknown") and "proxy" in tab.result_label.text(),
                        timeout=30000)
        assert tab.result_label.kind == "error"
        assert f"Could not reach the office proxy {office.proxy.address}" in tab.result_label.text()
        assert "was not sent" in tab.result_label.text()
        again = make_wav(tmp_path / "files" / "08 Hours.wav", seconds=0.2, tone_hz=300)
        queue.add_paths([again], album=3)
        qtbot.waitUntil(lambda: not queue.inspecting and len(queue) == 2, timeout=10000)
        assert queue.start()
        qtbot.waitUntil(lambda: queue.items()[1].status in (Status.DONE, Status.FAILED, Status.UNSURE),
                        timeout=60000)
        second = queue.items()[1]
        assert second.status == Status.FAILED
        assert f"Could not reach the office proxy {office.proxy.address}" in (second.reason or "")
        assert len(office.sandbox.outbox()["sms"]) == 1
        assert [e["upload_count"] for e in office.sandbox.library()] == [1]
        history = [e for e in env.journal.query() if e.kind == "sms"]
        assert sorted(e.outcome for e in history) == ["done", "failed"]
    finally:
        queue.shutdown()


def test_the_start_up_check_of_a_live_profile_names_a_refusing_proxy(qtbot, console_env, office):
    env = console_env
    office.proxy.mode, office.proxy.credentials = "auth", ("desk7", "pw")
    profile = Profile(id=new_profile_id("Head office"), name="Head office", base_url=office.base_url,
                      numbers=[OwnNumber("8459511000", "Main line")], proxy_mode="address",
                      proxy_address=office.proxy.address)
    env.profiles.add(profile)
    env.secrets.set_key(profile.id, SANDBOX_KEY)
    problems: list[str] = []
    env.session.connection_problem.connect(problems.append)
    drive(env.session.activate(profile.id))  # as start-up opens on it (load_active_key)
    env.session.check_soon()
    qtbot.waitUntil(lambda: bool(problems), timeout=30000)
    assert f"The office proxy {office.proxy.address} asks for a user name and password" in problems[0]
    assert "Head office" in problems[0] and "Test connection" in problems[0]
    assert office.sandbox.outbox() == {"sms": [], "calls": []}
