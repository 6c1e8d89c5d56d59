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


class _Echo:
    """A keep-alive HTTP/1.1 server that answers each request with its body's length."""

    def __init__(self) -> None:
        self.connections = 0
        self.bodies: list[int] = []
        self.handlers: set[asyncio.Task] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.handlers.add(asyncio.current_task())
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                self.bodies.append(len(body))
                reply = str(len(body)).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(reply), reply))
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


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
