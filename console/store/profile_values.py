"""An account profile as a value: which Voitex server, which own numbers, which
proxy; what a valid one is, in words for each field; the sandbox's own profile.

Kept as JSON by console/store/profiles.py (`ProfileStore`; the encoding is
profile_json.py). The account key is not part of a profile: it lives in the
keyring (see secrets.py).
"""
from __future__ import annotations

import ipaddress
import re
import secrets as _random
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SANDBOX_ID = "sandbox"
# How a profile's requests leave this computer (console/api/proxy.py reads them).
PROXY_SYSTEM = "system"  # the operating system's proxy settings (HTTPS_PROXY and the like)
PROXY_NONE = "none"
PROXY_ADDRESS = "address"
PROXY_MODES = (PROXY_SYSTEM, PROXY_NONE, PROXY_ADDRESS)
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
FILE_VERSION = 1
NAME_MAX_CHARS = 80


class ProfileError(ValueError):
    """A profile operation was refused; the message is meant for the user."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [message])


@dataclass(frozen=True)
class OwnNumber:
    number: str
    label: str = ""


@dataclass
class Profile:
    id: str
    name: str
    base_url: str
    numbers: list[OwnNumber] = field(default_factory=list)
    default_album: int = 1
    is_sandbox: bool = False
    # The proxy's user name and password, if it needs them, are in the keyring.
    proxy_mode: str = PROXY_SYSTEM
    proxy_address: str = ""

    def validate(self) -> list[str]:
        """Problems with this profile, each naming the field, for the user."""
        problems: list[str] = []
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name:
            problems.append("Name: enter a name for the profile.")
        elif len(name) > NAME_MAX_CHARS:
            problems.append(f"Name: use at most {NAME_MAX_CHARS} characters.")
        if not self.is_sandbox:
            problem = base_url_problem(self.base_url)
            if problem:
                problems.append(f"Base URL: {problem}")
        if not self.numbers:
            problems.append("Numbers: add at least one of the account's own phone numbers.")
        seen: set[str] = set()
        for own in self.numbers:
            number = own.number if isinstance(own.number, str) else ""
            if not (len(number) == 10 and number.isdigit()):
                problems.append(f"Numbers: {number!r} is not a 10-digit phone number.")
            elif number in seen:
                problems.append(f"Numbers: {number} is listed twice.")
            seen.add(number)
        album = self.default_album
        if isinstance(album, bool) or not isinstance(album, int) or album < 1:
            problems.append("Default album: use a whole number of 1 or more.")
        if self.proxy_mode not in PROXY_MODES:
            problems.append("Proxy: choose System settings, No proxy or a proxy address.")
        elif self.proxy_mode == PROXY_ADDRESS:
            problem = proxy_address_problem(self.proxy_address)
            if problem:
                problems.append(f"Proxy address: {problem}")
        return problems


def proxy_address_problem(address: str) -> str | None:
    """Why `address` cannot be a proxy's address, or None when it can.

    A user name or password typed into it would end up in the profiles file:
    they have fields of their own and go to the keyring.
    """
    text = address.strip() if isinstance(address, str) else ""
    if not text:
        return "enter the proxy's address, for example 10.0.0.5:3128."
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{address.strip()!r} is not an address like 10.0.0.5:3128 (the port is 1 to 65535)."
    if parts.scheme.lower() not in _PROXY_SCHEMES:
        return "start it with http://, https://, socks5:// or socks5h://, or leave the scheme out."
    if parts.username or parts.password:
        return "do not put a user name or password into the address; use the fields below it."
    if not parts.hostname:
        return "name the proxy's host, for example 10.0.0.5:3128."
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "give only the host and port, for example 10.0.0.5:3128."
    return None


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be an account's base URL, or None when it can.

    Plain http is only accepted to this computer: the account key travels in a
    header on every request.
    """
    if not isinstance(url, str) or not url.strip():
        return "enter the server address, for example https://api.voitex.com."
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"{url!r} is not a valid address."
    if parts.scheme not in ("https", "http") or not host:
        return "use an address starting with https://, for example https://api.voitex.com."
    if parts.username or parts.password:
        # A key typed into the address would end up in the profiles file.
        return "do not put a user name or key into the address; the key has its own field."
    if parts.query or parts.fragment:
        return "remove the part after ? or # from the address."
    if parts.scheme == "http" and not _is_loopback(host):
        return "use https://; plain http:// is only allowed to this computer (127.0.0.1 or localhost)."
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sandbox_profile(base_url: str = "") -> Profile:
    return Profile(
        id=SANDBOX_ID,
        name="Sandbox",
        base_url=base_url,
        numbers=[
            OwnNumber("8459511000", "Sandbox main line"),
            OwnNumber("8459511110", "Sandbox hotline"),
        ],
        default_album=1,
        is_sandbox=True,
    )


def new_profile_id(name: str) -> str:
    """An id for a new profile: readable, and unique even for equal names."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:32].strip("-") or "profile"
    return f"{slug}-{_random.token_hex(3)}"
