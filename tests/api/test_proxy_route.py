"""Which way a client's requests leave: the profile's choice and the system's proxy settings."""
from __future__ import annotations

import pytest

from console.api import InvalidArgumentError, VoitexClient
from console.api.certinfo import read_certificate
from console.api.proxy import ADDRESS, NONE, ProxyChoice, normalize_proxy_address, resolve_route

BASE = "https://api.voitex.com"
SYSTEM = ProxyChoice()


@pytest.mark.parametrize(
    ("proxies", "base", "expected"),
    [
        ({"https": "http://10.0.0.5:3128"}, BASE, "http://10.0.0.5:3128"),
        ({"https": "10.0.0.5:3128"}, BASE, "http://10.0.0.5:3128"),  # no scheme: an HTTP proxy
        ({"all": "socks5://10.0.0.9:1080"}, BASE, "socks5://10.0.0.9:1080"),
        ({"https": "http://p1:1", "all": "http://p2:2"}, BASE, "http://p1:1"),  # the scheme's own first
        ({"http": "http://10.0.0.5:3128"}, BASE, None),  # HTTP_PROXY is not for https
        ({"https": "http://p:1", "no": "voitex.com"}, BASE, None),  # a suffix of the host
        ({"https": "http://p:1", "no": ".voitex.com"}, BASE, None),
        ({"https": "http://p:1", "no": "*"}, BASE, None),
        ({"https": "http://p:1", "no": "api.voitex.com:443"}, "https://api.voitex.com:443", None),
        ({"https": "http://p:1", "no": "other.com, example.org"}, BASE, "http://p:1"),
        ({"https": "http://p:1", "no": "tex.com"}, BASE, "http://p:1"),  # not a suffix on a dot
        ({"https": "http://p:1"}, "http://127.0.0.1:8080", None),  # plain http to this computer: never
        ({"https": "http://p:1"}, "https://localhost:8443", None),  # this computer: never
        ({}, BASE, None),
    ],
)
def test_the_system_settings_for_one_host(proxies, base, expected):
    route = resolve_route(base, SYSTEM, proxies=proxies)
    assert route.proxy_url == expected
    assert route.from_system == base.startswith("https://api.")  # this computer: not even asked


@pytest.mark.parametrize("upper", [True, False], ids=["upper-case", "lower-case"])
def test_environment_variables_in_either_case(monkeypatch, upper):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
                 "HTTP_PROXY", "http_proxy", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
    https, no = ("HTTPS_PROXY", "NO_PROXY") if upper else ("https_proxy", "no_proxy")
    monkeypatch.setenv(https, "http://u%40x:p%3Aw@10.0.0.5:3128")
    route = resolve_route(BASE, SYSTEM)
    assert route.proxy_url == "http://10.0.0.5:3128"
    assert route.proxy_label == "10.0.0.5:3128"
    assert route.username == "u%40x" and route.password == "p%3Aw"
    assert "p%3Aw" not in repr(route)
    monkeypatch.setenv(no, "voitex.com")
    assert resolve_route(BASE, SYSTEM).proxy_url is None


def test_no_proxy_and_an_address_override_the_system(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.5:3128")
    assert resolve_route(BASE, ProxyChoice(mode=NONE)).proxy_url is None
    route = resolve_route(BASE, ProxyChoice(mode=ADDRESS, address="proxy.lan:8080", username="a", password="b"))
    assert (route.proxy_url, route.from_system, route.username, route.password) == (
        "http://proxy.lan:8080", False, "a", "b")


def test_profile_credentials_apply_to_the_system_proxy_too():
    route = resolve_route(BASE, ProxyChoice(username="desk", password="pw"), proxies={"https": "http://p:1"})
    assert (route.username, route.password) == ("desk", "pw")


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("10.0.0.5:3128", "http://10.0.0.5:3128"),
        (" http://proxy.office.lan:8080/ ", "http://proxy.office.lan:8080"),
        ("https://proxy.office.lan", "https://proxy.office.lan"),
        ("socks5h://10.0.0.9:1080", "socks5h://10.0.0.9:1080"),
        ("[fd00::5]:3128", "http://[fd00::5]:3128"),
    ],
)
def test_proxy_addresses_are_normalised(typed, url):
    assert normalize_proxy_address(typed)[0] == url


@pytest.mark.parametrize("typed", ["", "ftp://p:21", "http://p:99999", "http://p:1/path", "http://:8080",
                                   "socks4://p:1080"])
def test_what_no_proxy_can_be_is_refused_naming_the_field(typed):
    with pytest.raises(InvalidArgumentError) as info:
        normalize_proxy_address(typed)
    assert info.value.field == "proxy"


def test_a_bad_proxy_choice_is_refused_when_the_client_is_made():
    with pytest.raises(InvalidArgumentError) as info:
        VoitexClient(auth_key="k", proxy=ProxyChoice(mode=ADDRESS, address="ftp://x:1"))
    assert info.value.field == "proxy"
    with pytest.raises(InvalidArgumentError):
        VoitexClient(auth_key="k", proxy="10.0.0.5:3128")  # type: ignore[arg-type]


def test_a_socks_proxy_builds_a_client():
    import asyncio

    async def build():
        client = VoitexClient(auth_key="k", proxy=ProxyChoice(mode=ADDRESS, address="socks5://127.0.0.1:9"))
        client._client()
        await client.aclose()

    asyncio.run(build())


# --- what a certificate says about itself ------------------------------------------


def test_certificate_facts(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from tests.netkit import PrivateCA

    ca = PrivateCA(tmp_path, name="Contoso Office Inspection CA")
    cert_path, _key = ca.issue("api.voitex.com", "10.1.2.3")
    der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(serialization.Encoding.DER)
    facts = read_certificate(der)
    assert facts is not None
    assert facts.issuer == "Contoso Office Inspection CA"  # the organisation is already in the name
    assert facts.subject == "api.voitex.com"
    assert facts.names == ["api.voitex.com", "10.1.2.3"]
    assert not facts.self_signed
    assert facts.covers("api.voitex.com") and not facts.covers("voitex.com")
    root = read_certificate(ca.cert.public_bytes(serialization.Encoding.DER))
    assert root is not None and root.self_signed


@pytest.mark.parametrize("der", [b"", b"\x30\x03\x02\x01", b"\x30\x82\xff\xff" + b"\x00" * 10, b"junk" * 50])
def test_a_damaged_certificate_is_not_described(der):
    assert read_certificate(der) is None
