"""Test connection: each step of the way, against a real https sandbox, CONNECT proxy and private CA."""
from __future__ import annotations

import pytest

from console.api.probe import FAILED, OK, SKIPPED, run_connection_test
from console.api.proxy import ADDRESS, NONE, ProxyChoice
from console.sandbox import SandboxServer
from tests.helpers import SANDBOX_KEY, run_async
from tests.netkit import ConnectProxy, PrivateCA

HIDDEN = "voitex.invalid"


@pytest.fixture
def office(tmp_path, monkeypatch):
    """An https Voitex stand-in reachable only through the office proxy, under a private CA."""
    ca = PrivateCA(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_file))
    cert, key = ca.issue(HIDDEN)
    server = SandboxServer(data_dir=tmp_path / "sandbox", auth_key=SANDBOX_KEY, tls_cert_file=cert,
                           tls_key_file=key)
    server.start()
    proxy = ConnectProxy(hosts={HIDDEN: "127.0.0.1"}).start()
    try:
        yield server, proxy, ca
    finally:
        proxy.close()
        server.stop()


def probe(server, proxy_choice, key=SANDBOX_KEY):
    seen = []
    steps = run_async(run_connection_test(base_url=f"https://{HIDDEN}:{server.port}", auth_key=key,
                                          proxy=proxy_choice, on_step=seen.append))
    return {s.name: s for s in steps}, seen


def test_every_step_passes_through_the_proxy_and_nothing_is_sent(office):
    server, proxy, _ca = office
    steps, seen = probe(server, ProxyChoice(mode=ADDRESS, address=proxy.address))
    assert [s.state for s in steps.values()] == [OK, OK, OK, OK], steps
    assert "127.0.0.1" in steps["lookup"].detail
    assert f"The office proxy {proxy.address} opened the way to {HIDDEN}" in steps["proxy"].detail
    assert "Contoso Office Inspection CA" in steps["tls"].detail
    assert "accepted the key" in steps["key"].detail
    # Progress: each step was heard running before it ended, in order.
    assert [(s.name, s.state) for s in seen][:2] == [("lookup", "running"), ("lookup", OK)]
    assert [s.name for s in seen if s.state == "running"] == ["lookup", "proxy", "tls", "key"]
    assert server.outbox() == {"sms": [], "calls": []} and server.library() == []


def test_a_wrong_key_is_the_failing_step(office):
    server, proxy, _ca = office
    steps, _ = probe(server, ProxyChoice(mode=ADDRESS, address=proxy.address), key="not-the-key-123")
    assert steps["tls"].state == OK
    assert steps["key"].state == FAILED and "refused the key" in steps["key"].detail


def test_without_the_proxy_the_lookup_fails_and_says_what_to_do(office):
    server, _proxy, _ca = office
    steps, _ = probe(server, ProxyChoice(mode=NONE))
    assert steps["lookup"].state == FAILED
    assert HIDDEN in steps["lookup"].detail and "proxy" in steps["lookup"].detail
    assert [steps[n].state for n in ("proxy", "tls", "key")] == [SKIPPED] * 3


def test_a_stopped_proxy_is_the_failing_step(office):
    server, proxy, _ca = office
    address = proxy.address
    proxy.stop()
    steps, _ = probe(server, ProxyChoice(mode=ADDRESS, address=address))
    assert steps["lookup"].state == OK
    assert steps["proxy"].state == FAILED
    assert f"Could not reach the office proxy {address}" in steps["proxy"].detail


def test_a_proxy_asking_for_a_password_is_named(office):
    server, proxy, _ca = office
    proxy.mode, proxy.credentials = "auth", ("desk7", "pw")
    steps, _ = probe(server, ProxyChoice(mode=ADDRESS, address=proxy.address))
    assert steps["proxy"].state == FAILED
    assert steps["proxy"].detail.startswith(f"The office proxy {proxy.address} asks for a user name and password")
    steps, _ = probe(server, ProxyChoice(mode=ADDRESS, address=proxy.address, username="desk7", password="pw"))
    assert [s.state for s in steps.values()] == [OK, OK, OK, OK]


def test_an_untrusted_certificate_says_whose_it_is(office, tmp_path, monkeypatch):
    server, proxy, _ca = office
    other = PrivateCA(tmp_path / "other", name="Some Other CA")
    monkeypatch.setenv("SSL_CERT_FILE", str(other.cert_file))
    steps, _ = probe(server, ProxyChoice(mode=ADDRESS, address=proxy.address))
    assert steps["tls"].state == FAILED
    assert "Contoso Office Inspection CA" in steps["tls"].detail and HIDDEN in steps["tls"].detail
    assert "Ask IT" in steps["tls"].detail
    assert steps["key"].state == SKIPPED


def test_the_sandbox_over_plain_http_needs_no_tls(sandbox):
    steps = run_async(run_connection_test(base_url=sandbox.url, auth_key=SANDBOX_KEY, proxy=ProxyChoice()))
    states = {s.name: s.state for s in steps}
    assert states == {"lookup": OK, "proxy": OK, "tls": SKIPPED, "key": OK}


def test_the_whole_test_ends_within_its_deadline():
    """A proxy that accepts and never answers: the test still ends, naming the step."""
    import asyncio

    async def scenario():
        async def mute(reader, writer):
            try:
                await reader.read()
            except asyncio.CancelledError:
                pass  # the loop is closing
            finally:
                writer.close()

        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await run_connection_test(base_url="https://api.voitex.com", auth_key="k" * 12,
                                             proxy=ProxyChoice(mode=ADDRESS, address=f"127.0.0.1:{port}"),
                                             deadline=0.5)
        finally:
            server.close()

    steps = {s.name: s for s in run_async(scenario())}
    assert steps["proxy"].state == FAILED and "within 0.5 seconds" in steps["proxy"].detail
