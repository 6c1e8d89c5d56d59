"""The asyncio-stream transport: plain and TLS connections, keep-alive, timeouts."""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl

import httpx
import pytest

from console.api import ConnectionFailedError, VoitexClient
from console.api.transport import AsyncioTransport
from tests.api import loopback
from tests.helpers import run_async

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=2)


class _KeepAliveServer:
    """A keep-alive HTTP/1.1 server: each request read whole, then answered by
    ``answer(head, body)`` with the reply's bytes and whether to close after it."""

    def __init__(self) -> None:
        self.connections = 0
        self.handlers: set[asyncio.Task] = set()

    def answer(self, head: bytes, body: bytes) -> tuple[bytes, bool]:
        raise NotImplementedError

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.handlers.add(asyncio.current_task())
        try:
            while True:
                try:
                    head, body = await loopback.read_request(reader)
                except asyncio.IncompleteReadError:
                    return
                reply, close = self.answer(head, body)
                writer.write(reply)
                await writer.drain()
                if close:
                    return
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


class _Echo(_KeepAliveServer):
    """Answers each request with its body's length."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[int] = []

    def answer(self, head: bytes, body: bytes) -> tuple[bytes, bool]:
        self.bodies.append(len(body))
        reply = str(len(body)).encode()
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(reply), reply), False


def _self_signed(tmp_path):
    crypto = pytest.importorskip("cryptography")  # noqa: F841 - only to skip without it
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


async def _exchange(url: str, transport: AsyncioTransport, sizes: list[int]) -> list[str]:
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        replies = []
        for size in sizes:
            response = await client.post(url, content=b"x" * size)
            replies.append(response.text)
        return replies


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_requests_of_every_size_over_one_kept_alive_connection(tmp_path, monkeypatch, tls):
    echo = _Echo()
    sizes = [0, 10, 70_000, 3 * 1024 * 1024, 5]
    server_ssl = None
    if tls:
        cert, key = _self_signed(tmp_path)
        server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ssl.load_cert_chain(cert, key)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted through the environment

    async def scenario():
        server = await asyncio.start_server(echo.handle, "127.0.0.1", 0, ssl=server_ssl)
        port = server.sockets[0].getsockname()[1]
        try:
            transport = AsyncioTransport(limits=LIMITS, trust_env=tls, tls=tls)
            scheme = "https" if tls else "http"
            return await _exchange(f"{scheme}://127.0.0.1:{port}/", transport, sizes)
        finally:
            # The client has closed its connection: let the handler see that and
            # end, rather than be cancelled when the loop closes (Python 3.11's
            # start_server logs an ERROR for a cancelled handler).
            await asyncio.wait_for(asyncio.gather(*echo.handlers, return_exceptions=True), 10)
            server.close()
            await server.wait_closed()

    assert run_async(scenario()) == [str(size) for size in sizes]
    assert echo.bodies == sizes
    assert echo.connections == 1


def test_an_untrusted_certificate_is_refused(tmp_path):
    cert, key = _self_signed(tmp_path)
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert, key)
    echo = _Echo()

    async def scenario():
        server = await asyncio.start_server(echo.handle, "127.0.0.1", 0, ssl=server_ssl)
        port = server.sockets[0].getsockname()[1]
        try:
            async with VoitexClient(base_url=f"https://127.0.0.1:{port}", auth_key="k" * 12, max_attempts=1) as client:
                await client.send_sms(from_number="8459511000", to="8451234567", body="hi")
        finally:
            server.close()
            await server.wait_closed()

    with pytest.raises(ConnectionFailedError) as info:
        run_async(scenario())
    assert "certificate" in str(info.value).lower()
    assert echo.bodies == []  # nothing reached the server


def test_a_plain_http_transport_trusts_no_certificate(tmp_path, monkeypatch):
    """tls=False loads no certificates: an https request through it fails its
    check instead of skipping it."""
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert, key)
    echo = _Echo()

    async def scenario():
        server = await asyncio.start_server(echo.handle, "127.0.0.1", 0, ssl=server_ssl)
        port = server.sockets[0].getsockname()[1]
        try:
            transport = AsyncioTransport(limits=LIMITS, trust_env=True, tls=False)
            await _exchange(f"https://127.0.0.1:{port}/", transport, [1])
        finally:
            server.close()
            await server.wait_closed()

    with pytest.raises(httpx.ConnectError):
        run_async(scenario())


def test_read_timeout_still_fires_on_a_silent_server():
    async def silent(reader, writer):
        await asyncio.sleep(30)

    async def scenario():
        async with loopback.serve(silent) as url:
            transport = AsyncioTransport(limits=LIMITS, trust_env=False, tls=False)
            async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=httpx.Timeout(5, read=0.2)) as c:
                await c.post(url, content=b"x")

    with pytest.raises(httpx.ReadTimeout):
        run_async(scenario())


def test_a_connection_the_server_closed_is_not_reused():
    """The server closes each connection after replying (without saying so):
    the next request must open a new one, not fail on the dead one."""
    served = []

    async def once(reader, writer):
        served.append(1)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()

    async def scenario():
        async with loopback.serve(once) as url:
            transport = AsyncioTransport(limits=LIMITS, trust_env=False, tls=False)
            async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
                first = await client.post(url, content=b"a")
                await asyncio.sleep(0.05)  # idle a moment, as between two sends
                second = await client.post(url, content=b"b")
                return first.text, second.text

    assert run_async(scenario()) == ("ok", "ok")
    assert len(served) == 2


# --- replies of every framing, and what each does to the connection ----------


class _Scripted(_KeepAliveServer):
    """Answers the n-th request with ``replies[n]`` (raw bytes), closing the
    connection after it when ``close_after`` holds n."""

    def __init__(self, replies: list[bytes], close_after: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self.replies = replies
        self.close_after = close_after
        self.requests: list[bytes] = []

    def answer(self, head: bytes, body: bytes) -> tuple[bytes, bool]:
        number = len(self.requests)
        self.requests.append(head)
        return self.replies[number], number in self.close_after

    async def run(self, requests, limits: httpx.Limits = LIMITS):
        """Serve while ``requests(client, url)`` runs; its result."""
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            transport = AsyncioTransport(limits=limits, trust_env=False, tls=False)
            async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=5) as client:
                return await requests(client, f"http://127.0.0.1:{port}/x")
        finally:
            await asyncio.wait_for(asyncio.gather(*self.handlers, return_exceptions=True), 10)
            server.close()
            await server.wait_closed()


async def _texts(client: httpx.AsyncClient, url: str, count: int = 2) -> list[str]:
    return [(await client.post(url, content=b"q")).text for _ in range(count)]


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.mark.parametrize(
    ("first", "kept"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\nX-T: 1\r\n\r\n", True),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde", True),
        (b"HTTP/1.1 200 OK\nContent-Length: 5\n\nabcde", True),  # bare line feeds, as h11 reads them
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nabcde", False),
    ],
    ids=["chunked", "interim-100", "bare-lf", "connection-close", "http-1.0"],
)
def test_every_framing_is_read_and_the_connection_kept_only_when_it_may_be(first, kept):
    server = _Scripted([first, OK], close_after=frozenset() if kept else frozenset({0}))
    assert run_async(server.run(_texts)) == ["abcde", "ok"]
    assert server.connections == (1 if kept else 2)


def test_a_reply_without_length_ends_when_the_server_closes():
    server = _Scripted([b"HTTP/1.1 200 OK\r\n\r\nto the end", OK], close_after=frozenset({0}))
    assert run_async(server.run(_texts)) == ["to the end", "ok"]
    assert server.connections == 2


@pytest.mark.parametrize(
    ("reply", "close"),
    [
        (b"SPDY/3 200 OK\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nabcde", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabcde", True),  # cut short
        (b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nX-Cr: a\rb\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", False),
        (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", False),
        (b"", True),  # closed without a word
    ],
    ids=[
        "not-http", "two-lengths", "bad-length", "short-body", "folded", "bare-cr", "gzip-te", "bad-chunk",
        "huge-head", "empty",
    ],
)
def test_a_damaged_reply_is_a_protocol_error_not_a_hang(reply, close):
    server = _Scripted([reply], close_after=frozenset({0}) if close else frozenset())

    async def one(client, url):
        # The server keeps a connection it answered wrongly open: the client
        # must not wait for more, and must not keep the connection either.
        response = await client.post(url, content=b"q")
        return response.text

    with pytest.raises(httpx.RemoteProtocolError):
        run_async(asyncio.wait_for(server.run(one), 10))


def test_a_header_that_would_split_the_request_is_refused_before_anything_is_sent():
    server = _Scripted([OK])

    async def injected(client, url):
        request = client.build_request("POST", url, content=b"q")
        request.headers["X-Evil"] = "a\r\nauth_key: stolen"
        await client.send(request)

    with pytest.raises(httpx.LocalProtocolError):
        run_async(server.run(injected))
    assert server.requests == []


def test_requests_beyond_the_connection_limit_wait_for_a_free_one():
    server = _Scripted([OK] * 6)

    async def many(client, url):
        replies = await asyncio.gather(*(client.post(url, content=b"q") for _ in range(6)))
        return [r.text for r in replies]

    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    assert run_async(server.run(many, limits)) == ["ok"] * 6
    assert server.connections <= 2


def test_a_request_that_finds_no_free_connection_in_time_is_a_pool_timeout():
    async def slow(reader, writer):
        await asyncio.sleep(1)
        writer.write(OK)
        await writer.drain()

    async def scenario():
        async with loopback.serve(slow) as url:
            limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
            transport = AsyncioTransport(limits=limits, trust_env=False, tls=False)
            timeout = httpx.Timeout(5, pool=0.1)
            async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=timeout) as client:
                first = asyncio.ensure_future(client.post(url, content=b"a"))
                await asyncio.sleep(0.05)
                try:
                    with pytest.raises(httpx.PoolTimeout):
                        await client.post(url, content=b"b")
                finally:
                    assert (await first).text == "ok"

    run_async(scenario())


def test_an_idle_connection_past_its_expiry_is_not_reused():
    server = _Scripted([OK, OK])

    async def apart(client, url):
        first = (await client.post(url, content=b"a")).text
        await asyncio.sleep(0.15)
        return [first, (await client.post(url, content=b"b")).text]

    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=0.05)
    assert run_async(server.run(apart, limits)) == ["ok", "ok"]
    assert server.connections == 2


def test_a_server_that_answers_before_reading_the_whole_body_is_heard():
    """A refusal sent as soon as the head arrives (a wrong key, a body too
    large), the body then read and thrown away, as web servers do."""
    body_size = 8 * 1024 * 1024

    handlers: set[asyncio.Task] = set()

    async def early(reader, writer):
        handlers.add(asyncio.current_task())
        head = await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig")
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
            transport = AsyncioTransport(limits=LIMITS, trust_env=False, tls=False)
            async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
                response = await client.post(f"http://127.0.0.1:{port}/", content=b"x" * body_size)
                return response.status_code, response.text
        finally:
            await asyncio.wait_for(asyncio.gather(*handlers, return_exceptions=True), 10)
            server.close()
            await server.wait_closed()

    assert run_async(scenario()) == (413, "big")


def test_an_ipv6_literal_host_is_reached():
    echo = _Echo()

    async def scenario():
        try:
            server = await asyncio.start_server(echo.handle, "::1", 0)
        except OSError:
            pytest.skip("no IPv6 loopback on this machine")
        port = server.sockets[0].getsockname()[1]
        try:
            transport = AsyncioTransport(limits=LIMITS, trust_env=False, tls=False)
            return await _exchange(f"http://[::1]:{port}/", transport, [3])
        finally:
            await asyncio.wait_for(asyncio.gather(*echo.handlers, return_exceptions=True), 10)
            server.close()
            await server.wait_closed()

    assert run_async(scenario()) == ["3"]
