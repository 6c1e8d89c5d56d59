"""An office network on loopback: a private certificate authority and a CONNECT proxy.

``PrivateCA`` makes a CA and server certificates with ``cryptography`` (a
keyring dependency on Linux). ``ConnectProxy`` is a small HTTP CONNECT proxy
on its own thread and event loop (so pure asyncio tests and Qt tests can both
use it): it can ask for a password (407), refuse (403), answer 502, or close
without a word, and it resolves names from its own table, so that a test host
such as ``voitex.test`` is reachable only through it.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import ipaddress
import threading
from dataclasses import dataclass, field
from pathlib import Path


class PrivateCA:
    """A certificate authority of the office's own, written to ``folder``."""

    def __init__(self, folder: Path, name: str = "Contoso Office Inspection CA") -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._x509, self._hashes, self._serialization, self._ec, self._oid = x509, hashes, serialization, ec, NameOID
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso")])
        now = datetime.datetime.now(datetime.UTC)
        self._subject = subject
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_file = self.folder / "office-ca.pem"
        self.cert_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, *names: str) -> tuple[Path, Path]:
        """A server certificate and key for ``names`` (host names or IP addresses): file paths."""
        x509, oid = self._x509, self._oid
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        alt: list[x509.GeneralName] = []
        for name in names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(oid.COMMON_NAME, names[0])]))
            .issuer_name(self._subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self._key, self._hashes.SHA256())
        )
        stem = names[0].replace(":", "_")
        cert_path, key_path = self.folder / f"{stem}.pem", self.folder / f"{stem}.key"
        ser = self._serialization
        cert_path.write_bytes(cert.public_bytes(ser.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()))
        return cert_path, key_path

    def server_context(self, *names: str):
        import ssl

        cert, key = self.issue(*names)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        return context


@dataclass
class ProxyLog:
    """What the proxy saw: each CONNECT target, and the Proxy-Authorization it carried."""

    connects: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    tunnels_opened: int = 0
    bytes_to_server: int = 0


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1, on a thread of its own.

    ``mode``: "tunnel" (the default), "auth" (407 until the right
    Proxy-Authorization comes), "forbid" (403), "bad_gateway" (502),
    "hang_up" (closes without answering CONNECT). ``hosts`` maps names to
    addresses (the proxy's own name lookup); other names are refused with 502.
    ``cut_after_upstream_bytes``: close both sides once that many bytes went
    towards the server (a proxy that dies mid-request).
    """

    def __init__(self, *, hosts: dict[str, str] | None = None, mode: str = "tunnel",
                 credentials: tuple[str, str] | None = None) -> None:
        self.hosts = dict(hosts or {})
        self.mode = mode
        self.credentials = credentials
        self.cut_after_upstream_bytes: int | None = None
        self.log = ProxyLog()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-connect-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self.port = 0

    # -- life cycle (called from the test's thread) ------------------------
    def start(self) -> ConnectProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop listening and cut every tunnel (the port then refuses connections)."""
        if self._server is None:
            return

        async def shut() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._server = None

    def close(self) -> None:
        self.stop()
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> ConnectProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving (on the proxy's loop) -------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        upstream: asyncio.StreamWriter | None = None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
            auth = next((line.split(":", 1)[1].strip() for line in lines[1:]
                         if line.lower().startswith("proxy-authorization:")), None)
            self.log.connects.append(target)
            self.log.authorizations.append(auth)
            if method != "CONNECT":
                writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            if self.mode == "hang_up":
                return
            if self.mode == "forbid":
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            if self.mode == "auth" and auth != self._expected_auth():
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b'Proxy-Authenticate: Basic realm="office"\r\nContent-Length: 0\r\n\r\n')
                return
            host, _, port = target.rpartition(":")
            address = self.hosts.get(host.strip("[]"))
            if self.mode == "bad_gateway" or address is None:
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            try:
                up_reader, upstream = await asyncio.open_connection(address, int(port))
            except OSError:
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            self.log.tunnels_opened += 1
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(self._pipe(reader, upstream, count=True), self._pipe(up_reader, writer),
                                 return_exceptions=True)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): end quietly
        finally:
            for w in (writer, upstream):
                if w is not None:
                    with contextlib.suppress(Exception):
                        w.transport.abort()

    def _expected_auth(self) -> str | None:
        if self.credentials is None:
            return None
        token = base64.b64encode(f"{self.credentials[0]}:{self.credentials[1]}".encode()).decode()
        return f"Basic {token}"

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, count: bool = False) -> None:
        try:
            while data := await reader.read(64 * 1024):
                if count:
                    self.log.bytes_to_server += len(data)
                    limit = self.cut_after_upstream_bytes
                    if limit is not None and self.log.bytes_to_server >= limit:
                        writer.write(data)
                        await writer.drain()
                        raise ConnectionResetError("the test proxy cuts the tunnel")
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()


HIDDEN_HOST = "voitex.invalid"  # a name only the office proxy resolves


@dataclass
class OfficeNetwork:
    """An https Voitex stand-in (the sandbox) reachable only through a CONNECT
    proxy, under a private CA named in SSL_CERT_FILE."""

    sandbox: object
    proxy: ConnectProxy
    ca: PrivateCA

    @property
    def base_url(self) -> str:
        return f"https://{HIDDEN_HOST}:{self.sandbox.port}"


@contextlib.contextmanager
def office_network(folder: Path, monkeypatch, *, key: str):
    from console.sandbox import SandboxServer

    ca = PrivateCA(folder / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_file))
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    cert, cert_key = ca.issue(HIDDEN_HOST)
    sandbox = SandboxServer(data_dir=folder / "https-sandbox", auth_key=key, tls_cert_file=cert,
                            tls_key_file=cert_key)
    sandbox.start()
    proxy = ConnectProxy(hosts={HIDDEN_HOST: "127.0.0.1"}).start()
    try:
        yield OfficeNetwork(sandbox, proxy, ca)
    finally:
        proxy.close()
        sandbox.stop()
