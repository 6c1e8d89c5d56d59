"""Contract of the client over httpx's own stack: every failure class against real loopback servers.

What reached Voitex decides: a request whose body never left is "not sent"
(and may be retried); once the body started, the outcome is unknown and an
SMS is never sent again. A reply that is not one well-formed answer is never
a success. The proxy is a real CONNECT proxy (tests/netkit.py) and TLS goes
through a private certificate authority named in SSL_CERT_FILE.
"""
from __future__ import annotations

import asyncio

import httpx
import pytest

from console.api import (
    CertificateError,
    ConnectionFailedError,
    KeyRefusedError,
    OutcomeUnknownError,
    ProxyRefusedError,
    RequestRejectedError,
    UnreadableReplyError,
    VoitexClient,
)
from console.api.http import build_http_client
from console.api.proxy import ADDRESS, ProxyChoice, Route
from tests.api import loopback
from tests.helpers import make_sized_wav, run_async
from tests.netkit import ConnectProxy, PrivateCA

KEY = "contract-key-0123456789"
SMS = {"from_number": "8459511000", "to": "8451234567", "body": "hi"}
OK_SMS = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
          % len(loopback.SUCCESS_SMS) + loopback.SUCCESS_SMS)
HIDDEN = "voitex.invalid"  # a name only the proxy can resolve


def client(url: str, **settings) -> VoitexClient:
    return VoitexClient(base_url=url, auth_key=KEY, backoff_base=0.0, backoff_cap=0.0, **settings)


def through(proxy: ConnectProxy, **extra) -> ProxyChoice:
    return ProxyChoice(mode=ADDRESS, address=proxy.address, **extra)


class Counter:
    """A keep-alive server: answers each request read whole with ``answer(n)``; counts what it saw."""

    def __init__(self, answer=lambda n: OK_SMS, close_after: frozenset[int] = frozenset()) -> None:
        self.answer = answer
        self.close_after = close_after
        self.requests = 0
        self.connections = 0
        self.tasks: set[asyncio.Task] = set()
        self.ssl = None
        self.closed_one = asyncio.Event()  # the server closed a connection of `close_after`

    async def handle(self, reader, writer) -> None:
        self.tasks.add(asyncio.current_task())
        try:
            if self.ssl is not None:
                # TLS inside the handler, so a handshake is never done by a
                # handler the test does not know about yet.
                await writer.start_tls(self.ssl)
            self.connections += 1
            while True:
                try:
                    await loopback.read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError, OSError):
                    return
                number = self.requests
                self.requests += 1
                writer.write(self.answer(number))
                await writer.drain()
                if number in self.close_after:
                    writer.close()
                    await writer.wait_closed()
                    self.closed_one.set()
                    return
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # the loop is closing: end quietly (a cancelled handler is logged as an ERROR)
        finally:
            writer.close()

    async def run(self, scenario, *, ssl=None, host="127.0.0.1"):
        self.ssl = ssl
        server = await asyncio.start_server(self.handle, host, 0)
        port = server.sockets[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        try:
            return await scenario(f"{'https' if ssl else 'http'}://{shown}:{port}", port)
        finally:
            await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 10)
            server.close()
            await server.wait_closed()


@pytest.fixture
def office_ca(tmp_path, monkeypatch):
    ca = PrivateCA(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_file))
    return ca


@pytest.fixture
def proxy():
    with ConnectProxy(hosts={HIDDEN: "127.0.0.1", "127.0.0.1": "127.0.0.1"}) as running:
        yield running


def sms_error(handler, **settings):
    async def scenario():
        async with loopback.serve(handler) as url, client(url, **settings) as c:
            return await c.send_sms(**SMS)

    with pytest.raises(Exception) as info:
        run_async(scenario())
    return info.value


# --- replies that are not one well-formed answer ------------------------------

DAMAGED = {
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde",
    "bad-length": b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nabcde",
    "short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n" + loopback.SUCCESS_SMS,
    "not-http": b"SPDY/3 200 OK\r\n\r\n",
    "folded": b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
    "bare-cr": b"HTTP/1.1 200 OK\r\nX-Cr: a\rb\r\nContent-Length: 0\r\n\r\n",
    "gzip-te": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "huge-head": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 150_000 + b"\r\n\r\n",  # past httpcore's 100 KiB
    "empty": b"",
    "longer-than-declared": OK_SMS + b"and more",
    "second-response-glued-on": OK_SMS + OK_SMS,
}


@pytest.mark.parametrize("raw", list(DAMAGED.values()), ids=list(DAMAGED))
def test_a_reply_that_is_not_one_answer_is_never_a_sent_sms(raw):
    async def answer(reader, writer):
        writer.write(raw)
        await writer.drain()
        if raw not in (DAMAGED["short-body"], b""):
            await reader.read()  # keep the connection open: the client must not wait for more

    err = asyncio.run(asyncio.wait_for(_sms_failure(answer), 20))
    assert isinstance(err, OutcomeUnknownError | UnreadableReplyError), repr(err)
    assert err.outcome_unknown is True
    assert err.attempts == 1
    assert "check before sending it again" in str(err)


async def _sms_failure(handler):
    async with loopback.serve(handler) as url, client(url) as c:
        try:
            await c.send_sms(**SMS)
        except Exception as err:  # noqa: BLE001 - returned for the asserts
            return err
    raise AssertionError("the SMS was taken as sent")


def test_a_glued_answer_is_never_read_as_the_next_requests_reply():
    """A second response in the same write stays out of the next SMS's outcome:
    the connection that carried it is not used again."""
    server = Counter(answer=lambda n: OK_SMS + OK_SMS if n == 0 else OK_SMS)

    async def scenario(url, _port):
        async with client(url) as c:
            first = None
            try:
                await c.send_sms(**SMS)
            except UnreadableReplyError as err:
                first = err
            second = await c.send_sms(**SMS)
            return first, second

    first, second = run_async(server.run(scenario))
    assert first is not None and first.outcome_unknown
    assert second.reference_id == "77"
    assert server.requests == 2 and server.connections == 2  # the second on a new connection


# --- resets, timeouts and early answers --------------------------------------------


def test_a_reset_after_the_request_is_outcome_unknown_and_never_repeated():
    server = Counter(answer=lambda n: b"", close_after=frozenset({0, 1, 2}))

    async def scenario(url, _port):
        async with client(url) as c:
            await c.send_sms(**SMS)

    with pytest.raises(OutcomeUnknownError) as info:
        run_async(server.run(scenario))
    assert info.value.attempts == 1 and server.requests == 1


def test_a_reset_before_the_request_is_read_is_outcome_unknown_all_the_same():
    """The server closes on accept: the head may have been read, so nobody knows."""

    async def scenario():
        async def on_accept(reader, writer):
            writer.transport.abort()

        server = await asyncio.start_server(on_accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with client(f"http://127.0.0.1:{port}") as c:
                await c.send_sms(**SMS)
        finally:
            server.close()
            await server.wait_closed()

    with pytest.raises(OutcomeUnknownError) as info:
        run_async(scenario())
    assert info.value.attempts == 1


def test_a_silent_server_hits_the_read_timeout_and_is_not_repeated():
    async def silent(reader, writer):
        await reader.read()

    err = sms_error(silent, read_timeout=0.2)
    assert isinstance(err, OutcomeUnknownError) and err.timed_out and err.attempts == 1


def test_a_refusal_sent_before_the_whole_upload_is_read_is_heard(tmp_path):
    """A wrong key answered as soon as the head arrives, the body then read and thrown away."""
    wav = make_sized_wav(tmp_path / "big.wav", 8 * 1024 * 1024)
    tasks: set[asyncio.Task] = set()

    async def early(reader, writer):
        tasks.add(asyncio.current_task())
        head = await reader.readuntil(b"\r\n\r\n")
        body = b'{"status": "error", "errors": ["bad key"]}'
        writer.write(b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))
        await writer.drain()
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        try:
            await reader.readexactly(length)
        finally:
            writer.close()

    async def scenario():
        server = await asyncio.start_server(early, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with client(f"http://127.0.0.1:{port}") as c:
                await c.upload_recording(wav, album_number=1, sort_number=1)
        finally:
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
            server.close()
            await server.wait_closed()

    with pytest.raises(KeyRefusedError):
        run_async(scenario())


# --- keep-alive ---------------------------------------------------------------------


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_calls_of_every_size_share_one_kept_alive_connection(tmp_path, office_ca, tls):
    server = Counter(answer=lambda n: _upload_ok())
    sizes = [2048, 70_000, 3 * 1024 * 1024, 100]
    files = [make_sized_wav(tmp_path / f"{n}.wav", size) for n, size in enumerate(sizes)]

    async def scenario(url, _port):
        async with client(url) as c:
            return [(await c.upload_recording(f, album_number=1, sort_number=n)).recording_id
                    for n, f in enumerate(files)]

    ssl = office_ca.server_context("127.0.0.1") if tls else None
    assert run_async(server.run(scenario, ssl=ssl)) == ["4242"] * len(sizes)
    assert server.requests == len(sizes) and server.connections == 1


async def _until(condition, timeout: float = 5.0) -> None:
    """Wait until `condition()` is true, looking again at every turn of the loop."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the condition never came true"
        await asyncio.sleep(0.005)


def _upload_ok() -> bytes:
    body = b'{"status": "success", "data": "4242", "errors": []}'
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def test_a_connection_the_server_closed_is_not_reused():
    server = Counter(close_after=frozenset({0, 1}))

    async def scenario(url, _port):
        async with client(url) as c:
            first = await c.send_sms(**SMS)
            await server.closed_one.wait()  # the server's end is closed before the next send
            return first, await c.send_sms(**SMS)

    first, second = run_async(server.run(scenario))
    assert first.reference_id == second.reference_id == "77"
    assert server.connections == 2


def test_an_ipv6_literal_host_is_reached():
    server = Counter()

    async def scenario(url, _port):
        async with client(url) as c:
            return await c.send_sms(**SMS)

    try:
        result = run_async(server.run(scenario, host="::1"))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    assert result.reference_id == "77"


# --- the factory's client on its own --------------------------------------------------


def test_a_header_that_would_split_the_request_is_refused_before_anything_is_sent():
    server = Counter()

    async def scenario(url, _port):
        async with build_http_client(https=False, route=Route()) as http:
            request = http.build_request("POST", url, content=b"q")
            request.headers["X-Evil"] = "a\r\nauth_key: stolen"
            await http.send(request)

    with pytest.raises(httpx.LocalProtocolError):
        run_async(server.run(scenario))
    assert server.requests == 0


def test_requests_beyond_the_connection_limit_wait_for_a_free_one():
    server = Counter()

    async def scenario(url, _port):
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        async with build_http_client(https=False, route=Route(), limits=limits) as http:
            replies = await asyncio.gather(*(http.post(url, content=b"q") for _ in range(6)))
            return [r.status_code for r in replies]

    assert run_async(server.run(scenario)) == [200] * 6
    assert server.connections <= 2


def test_redirects_are_not_followed_and_the_key_stays_home(proxy):
    moved = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: https://elsewhere.example/x\r\nContent-Length: 0\r\n\r\n"
    server = Counter(answer=lambda n: moved)

    async def scenario(url, _port):
        async with client(url) as c:
            await c.send_sms(**SMS)

    with pytest.raises(RequestRejectedError) as info:
        run_async(server.run(scenario))
    assert info.value.status_code == 307 and info.value.outcome_unknown
    assert server.requests == 1


# --- the office proxy -------------------------------------------------------------------


def https_counter_through(proxy, office_ca, scenario, **counter):
    server = Counter(**counter)

    async def run(url, port):
        return await scenario(f"https://{HIDDEN}:{port}", server)

    return run_async(server.run(run, ssl=office_ca.server_context(HIDDEN))), server


def test_an_sms_goes_through_the_proxy_and_the_private_ca_once(proxy, office_ca):
    async def scenario(url, server):
        async with client(url, proxy=through(proxy)) as c:
            return await c.send_sms(**SMS)

    result, server = https_counter_through(proxy, office_ca, scenario)
    assert result.reference_id == "77"
    assert server.requests == 1
    assert proxy.log.connects == [f"{HIDDEN}:{proxy_target_port(proxy)}"]
    assert KEY.encode() not in b"".join(a.encode() for a in proxy.log.authorizations if a)


def proxy_target_port(proxy) -> str:
    return proxy.log.connects[0].rpartition(":")[2]


def test_without_the_proxy_the_hidden_host_is_a_failed_lookup_named_so(office_ca):
    async def scenario():
        async with client(f"https://{HIDDEN}:9", proxy=ProxyChoice(mode="none"), max_attempts=1) as c:
            await c.send_sms(**SMS)

    with pytest.raises(ConnectionFailedError) as info:
        run_async(scenario())
    assert info.value.step == "lookup"
    assert HIDDEN in str(info.value) and "proxy" in str(info.value)


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("auth", 407, "asks for a user name and password"),
        ("forbid", 403, "refuses connections to voitex.invalid"),
        ("bad_gateway", 502, "could not reach voitex.invalid"),
    ],
)
def test_a_proxy_refusal_is_named_as_the_proxy_and_nothing_is_sent(proxy, office_ca, mode, status, words):
    proxy.mode, proxy.credentials = mode, ("desk7", "s3cret")

    async def scenario(url, server):
        async with client(url, proxy=through(proxy)) as c:
            await c.send_sms(**SMS)

    with pytest.raises(ProxyRefusedError) as info:
        https_counter_through(proxy, office_ca, scenario)
    err = info.value
    assert f"The office proxy {proxy.address} {words}" in str(err)
    assert err.proxy_status == status and err.step == "proxy"
    assert err.outcome_unknown is False and err.attempts == 1  # the same answer would come again
    assert "Voitex" not in str(err)
    assert len(proxy.log.connects) == 1


def test_proxy_credentials_from_the_profile_are_sent_to_the_proxy(proxy, office_ca):
    proxy.mode, proxy.credentials = "auth", ("desk7", "s3cret")

    async def scenario(url, server):
        async with client(url, proxy=through(proxy, username="desk7", password="s3cret")) as c:
            return await c.send_sms(**SMS)

    result, server = https_counter_through(proxy, office_ca, scenario)
    assert result.reference_id == "77" and server.requests == 1


def test_wrong_proxy_credentials_are_named_as_such(proxy, office_ca):
    proxy.mode, proxy.credentials = "auth", ("desk7", "s3cret")

    async def scenario(url, server):
        async with client(url, proxy=through(proxy, username="desk7", password="wrong")) as c:
            await c.send_sms(**SMS)

    with pytest.raises(ProxyRefusedError) as info:
        https_counter_through(proxy, office_ca, scenario)
    assert "refused the user name and password saved for this profile" in str(info.value)
    assert "wrong" not in str(info.value) + repr(info.value)


def test_a_stopped_proxy_is_named_and_the_sms_not_sent(proxy, office_ca):
    address = proxy.address
    proxy.stop()

    async def scenario():
        async with client(f"https://{HIDDEN}:443", proxy=through(proxy), max_attempts=2) as c:
            await c.send_sms(**SMS)

    with pytest.raises(ConnectionFailedError) as info:
        run_async(scenario())
    err = info.value
    assert f"Could not reach the office proxy {address}" in str(err)
    assert err.step == "proxy" and err.outcome_unknown is False and err.attempts == 2


def test_a_proxy_that_hangs_up_before_answering_connect_means_not_sent(proxy, office_ca):
    proxy.mode = "hang_up"

    async def scenario(url, server):
        async with client(url, proxy=through(proxy), max_attempts=3) as c:
            await c.send_sms(**SMS)

    with pytest.raises(ConnectionFailedError) as info:
        https_counter_through(proxy, office_ca, scenario)
    assert info.value.attempts == 3  # never reached Voitex: safe to try again
    assert info.value.outcome_unknown is False
    assert proxy.address in str(info.value)


def test_a_proxy_that_dies_after_the_body_leaves_the_sms_unknown_and_unrepeated(proxy, office_ca):
    proxy.cut_after_upstream_bytes = 1  # as soon as bytes go towards Voitex (the TLS hello)

    async def scenario(url, server):
        async with client(url, proxy=through(proxy)) as c:
            await c.send_sms(**SMS)

    # The tunnel dies during the handshake: nothing of the SMS left, so not sent.
    with pytest.raises(ConnectionFailedError):
        https_counter_through(proxy, office_ca, scenario)
    proxy.cut_after_upstream_bytes = None
    proxy.log.bytes_to_server = 0

    # Now through the handshake and the whole request, then the tunnel dies.
    seen: list[int] = []

    def answer(n):
        seen.append(n)
        proxy.stop()  # the proxy goes away before the reply can come back
        return OK_SMS

    async def scenario2(url, server):
        async with client(url, proxy=through(proxy)) as c:
            await c.send_sms(**SMS)

    with pytest.raises(OutcomeUnknownError) as info:
        https_counter_through(proxy, office_ca, scenario2, answer=answer)
    assert seen == [0] and info.value.attempts == 1
    assert f"through the office proxy {proxy.address}" in str(info.value)


def test_plain_http_to_this_computer_never_goes_through_a_proxy(proxy, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    server = Counter()

    async def scenario(url, _port):
        async with client(url) as c:
            assert c.route.proxy_url is None
            return await c.send_sms(**SMS)

    assert run_async(server.run(scenario)).reference_id == "77"
    assert proxy.log.connects == []


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_the_system_proxy_from_the_environment_is_used(proxy, office_ca, monkeypatch, variable):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, proxy.address)

    async def scenario(url, server):
        async with client(url) as c:
            assert c.route.from_system and c.route.proxy_label == proxy.address
            return await c.send_sms(**SMS)

    result, _server = https_counter_through(proxy, office_ca, scenario)
    assert result.reference_id == "77" and len(proxy.log.connects) == 1


# --- certificates ------------------------------------------------------------------------


def test_an_untrusted_certificate_says_whose_it_is_and_nothing_is_sent(tmp_path, office_ca, monkeypatch):
    rogue = PrivateCA(tmp_path / "rogue", name="Rogue Interception CA")  # not in SSL_CERT_FILE
    server = Counter()

    async def scenario(url, _port):
        async with client(url) as c:
            await c.send_sms(**SMS)

    with pytest.raises(CertificateError) as info:
        run_async(server.run(scenario, ssl=rogue.server_context("127.0.0.1")))
    err = info.value
    assert "Rogue Interception CA" in str(err) and "127.0.0.1" in str(err)
    assert "Ask IT" in str(err) and "SSL_CERT_FILE" in str(err)
    assert err.issuer.startswith("Rogue Interception CA")
    assert err.attempts == 1 and not err.outcome_unknown
    assert server.requests == 0


def test_an_untrusted_certificate_through_the_proxy_names_the_issuer_and_the_proxy(tmp_path, proxy, office_ca):
    rogue = PrivateCA(tmp_path / "rogue", name="Rogue Interception CA")
    server = Counter()

    async def scenario(url, port):
        async with client(f"https://{HIDDEN}:{port}", proxy=through(proxy)) as c:
            await c.send_sms(**SMS)

    with pytest.raises(CertificateError) as info:
        run_async(server.run(scenario, ssl=rogue.server_context(HIDDEN)))
    assert "Rogue Interception CA" in str(info.value) and proxy.address in str(info.value)
    assert server.requests == 0


def test_a_certificate_for_another_name_is_refused(office_ca):
    server = Counter()

    async def scenario(url, _port):
        async with client(url) as c:
            await c.send_sms(**SMS)

    with pytest.raises(CertificateError) as info:
        run_async(server.run(scenario, ssl=office_ca.server_context("other.example")))
    assert "other.example" in str(info.value) and "not for 127.0.0.1" in str(info.value)
    assert server.requests == 0


def test_ssl_cert_dir_wins_too(tmp_path, office_ca, monkeypatch):
    import shutil
    import subprocess

    folder = tmp_path / "certs"
    folder.mkdir()
    shutil.copy(office_ca.cert_file, folder / "office.pem")
    rehash = shutil.which("openssl")
    if rehash is None:
        pytest.skip("openssl is needed to hash a certificate folder")
    subprocess.run([rehash, "rehash", str(folder)], check=True, capture_output=True)
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    server = Counter()

    async def scenario(url, _port):
        async with client(url) as c:
            return await c.send_sms(**SMS)

    assert run_async(server.run(scenario, ssl=office_ca.server_context("127.0.0.1"))).reference_id == "77"


# --- framings httpx reads, and what each does to the connection -------------------------

SUCCESS = b'{"status": "success", "reference_id": "55", "errors": []}'


def _framed(kind: str) -> bytes:
    n = len(SUCCESS)
    return {
        "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + b"%x\r\n%s\r\n0\r\nX-T: 1\r\n\r\n" % (n, SUCCESS),
        "interim-100": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (n, SUCCESS),
        "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: %d\n\n%s" % (n, SUCCESS),
        "connection-close": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (n, SUCCESS),
        "http-1.0": b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (n, SUCCESS),
        "until-close": b"HTTP/1.1 200 OK\r\n\r\n%s" % SUCCESS,
    }[kind]


CALL = {"cid": "8459511000", "to": "8451234567", "type": "stream", "sfile_id": "918357"}


@pytest.mark.parametrize(
    ("kind", "kept"),
    [("chunked", True), ("interim-100", True), ("bare-lf", True), ("connection-close", False),
     ("http-1.0", False), ("until-close", False)],
)
def test_every_framing_is_read_and_the_connection_kept_only_when_it_may_be(kind, kept):
    server = Counter(answer=lambda n: _framed(kind) if n == 0 else OK_SMS,
                     close_after=frozenset() if kept else frozenset({0}))

    async def scenario(url, _port):
        async with client(url) as c:
            return (await c.notification_call(**CALL)).reference_id, (await c.send_sms(**SMS)).reference_id

    assert run_async(server.run(scenario)) == ("55", "77")
    assert server.connections == (1 if kept else 2)


def test_a_plain_http_client_trusts_no_certificate(office_ca):
    """https=False loads no certificates: an https request through it fails its
    check instead of skipping it."""
    server = Counter()

    async def scenario(url, _port):
        async with build_http_client(https=False, route=Route()) as http:
            await http.post(url, content=b"q")

    with pytest.raises(httpx.ConnectError):
        run_async(server.run(scenario, ssl=office_ca.server_context("127.0.0.1")))
    assert server.requests == 0


def test_a_request_that_finds_no_free_connection_in_time_is_a_pool_timeout():
    arrived, answer = asyncio.Event(), asyncio.Event()

    async def held(reader, writer):  # called once serve() has read the request
        arrived.set()
        await answer.wait()  # the one connection stays busy until the second request gave up
        writer.write(OK_SMS)
        await writer.drain()

    async def scenario():
        async with loopback.serve(held) as url:
            limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
            async with build_http_client(https=False, route=Route(), limits=limits,
                                         timeout=httpx.Timeout(5, pool=0.1)) as http:
                first = asyncio.ensure_future(http.post(url, content=b"a"))
                await asyncio.wait_for(arrived.wait(), 5)
                try:
                    with pytest.raises(httpx.PoolTimeout):
                        await http.post(url, content=b"b")
                finally:
                    answer.set()
                    assert (await first).status_code == 200

    run_async(scenario())


def test_an_idle_connection_past_its_expiry_is_not_reused():
    server = Counter()

    async def scenario(url, _port):
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=0.05)
        async with build_http_client(https=False, route=Route(), limits=limits) as http:
            first = (await http.post(url, content=b"a")).status_code
            # httpx gives no public view of its pool: its transport's pool says when
            # the idle connection's expiry has passed.
            pool = http._transport._pool
            await _until(lambda: pool.connections and all(c.has_expired() for c in pool.connections))
            return [first, (await http.post(url, content=b"b")).status_code]

    assert run_async(server.run(scenario)) == [200, 200]
    assert server.connections == 2
