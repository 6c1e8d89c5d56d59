"""Which way a client's requests leave this computer: straight out or through a proxy.

A profile chooses one of three (``ProxyChoice.mode``):

* ``"system"`` (the default): the proxy the operating system names, as
  ``urllib.request.getproxies()`` reads it: ``HTTPS_PROXY``, ``HTTP_PROXY``,
  ``ALL_PROXY`` and ``NO_PROXY`` in either case, and where there are none, the
  Windows registry or macOS's System Configuration. It is the same reading
  httpx's ``trust_env`` makes; the client resolves it here, once, for its one
  host, so that it can name the proxy when it refuses and add the profile's
  proxy credentials.
* ``"none"``: straight out, whatever the system says.
* ``"address"``: the proxy typed into the profile (``10.0.0.5:3128``,
  ``http://proxy.office.lan:8080``, ``socks5://10.0.0.9:1080``).

Plain ``http://`` goes only to this computer (``wire.check_base_url``), and a
request to this computer never goes through a proxy: so the key never crosses a
proxy in clear text. Over https the proxy carries an encrypted tunnel (CONNECT,
or SOCKS), and sees the host name, never the key.

Standard library only: the profile dialog imports it before httpx is loaded.
"""
from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InvalidArgumentError
from .wire import is_loopback_host

__all__ = [
    "SYSTEM",
    "NONE",
    "ADDRESS",
    "PROXY_SCHEMES",
    "ProxyChoice",
    "Route",
    "normalize_proxy_address",
    "resolve_route",
]

SYSTEM = "system"
NONE = "none"
ADDRESS = "address"
MODES = (SYSTEM, NONE, ADDRESS)

#: What httpx can speak to a proxy (SOCKS through its ``socks`` extra).
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
_DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}


@dataclass(frozen=True)
class ProxyChoice:
    """A profile's proxy setting; credentials come from the keyring, never a file."""

    mode: str = SYSTEM
    address: str = ""
    username: str = ""
    password: str = ""

    def __repr__(self) -> str:  # never the password
        return f"ProxyChoice(mode={self.mode!r}, address={self.address!r}, username={self.username!r})"


@dataclass(frozen=True)
class Route:
    """The way to one host: ``proxy_url`` None is straight out.

    ``proxy_url`` carries no credentials (those go to httpx separately), so it
    can be shown and logged. ``from_system`` tells where it came from.
    """

    proxy_url: str | None = None
    from_system: bool = False
    username: str = ""
    password: str = ""

    @property
    def proxy_label(self) -> str:
        """``host:port`` of the proxy, as a user knows it ("10.0.0.5:3128"), or ""."""
        if self.proxy_url is None:
            return ""
        parts = urlsplit(self.proxy_url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)}"

    @property
    def proxy_host(self) -> str:
        return (urlsplit(self.proxy_url).hostname or "") if self.proxy_url else ""

    @property
    def proxy_port(self) -> int:
        if self.proxy_url is None:
            return 0
        parts = urlsplit(self.proxy_url)
        return parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)

    @property
    def is_socks(self) -> bool:
        return bool(self.proxy_url) and urlsplit(self.proxy_url or "").scheme.startswith("socks")

    @property
    def has_credentials(self) -> bool:
        return bool(self.username)

    def __repr__(self) -> str:  # never the password
        return f"Route(proxy_url={self.proxy_url!r}, from_system={self.from_system!r})"


def normalize_proxy_address(text: str, *, field: str = "proxy") -> tuple[str, str, str]:
    """``text`` as a proxy URL without credentials, and the credentials it held.

    ``10.0.0.5:3128`` becomes ``http://10.0.0.5:3128``. Raises
    :class:`InvalidArgumentError` naming ``field`` for what no proxy can be.
    """
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        raise InvalidArgumentError(field, "Enter the proxy's address, for example 10.0.0.5:3128.")
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise InvalidArgumentError(field, f"{text.strip()!r} is not a proxy address like 10.0.0.5:3128.") from None
    scheme = parts.scheme.lower()
    if scheme not in PROXY_SCHEMES:
        raise InvalidArgumentError(
            field, f"A proxy address starts with http://, https://, socks5:// or socks5h://, not {scheme}://."
        )
    host = parts.hostname
    if not host:
        raise InvalidArgumentError(field, f"{text.strip()!r} names no proxy host, like 10.0.0.5:3128.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidArgumentError(field, "A proxy address is a host and a port only, like 10.0.0.5:3128.")
    shown = f"[{host}]" if ":" in host else host
    url = f"{scheme}://{shown}" + (f":{port}" if port else "")
    return url, parts.username or "", parts.password or ""


def _netloc(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def resolve_route(
    base_url: str,
    choice: ProxyChoice,
    *,
    proxies: dict[str, str] | None = None,
) -> Route:
    """The way to ``base_url``'s host under ``choice``.

    ``proxies`` stands in for ``urllib.request.getproxies()`` (tests); with
    it, ``NO_PROXY`` is read from its ``"no"`` entry as the environment's is.
    """
    if choice.mode not in MODES:
        raise InvalidArgumentError("proxy", f"Unknown proxy setting {choice.mode!r}.")
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or is_loopback_host(host) or choice.mode == NONE:
        # Plain http only ever goes to this computer, and this computer is
        # never reached through a proxy: the key never crosses one in clear text.
        return Route()
    if choice.mode == ADDRESS:
        url, user, password = normalize_proxy_address(choice.address)
        return Route(url, False, choice.username or user, choice.password if choice.username else password)
    found = urllib.request.getproxies() if proxies is None else proxies
    netloc = _netloc(host, parts.port)
    if proxies is None:
        bypass = bool(urllib.request.proxy_bypass(netloc))
    else:
        # Not in typeshed, but public in urllib.request since Python 3.0.
        by_environment = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009
        bypass = bool(found.get("no")) and bool(by_environment(netloc, found))
    candidate = found.get("https") or found.get("all")
    if bypass or not candidate:
        return Route(from_system=True)
    try:
        url, user, password = normalize_proxy_address(candidate)
    except InvalidArgumentError as err:
        raise InvalidArgumentError(
            "proxy", f"The system's proxy setting {candidate!r} cannot be used: {err} "
            "Choose \u201cNo proxy\u201d or type the proxy's address in the profile."
        ) from None
    if choice.username:
        user, password = choice.username, choice.password
    return Route(url, True, user, password)
