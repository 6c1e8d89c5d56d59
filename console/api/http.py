"""The one ``httpx.AsyncClient`` a Voitex client uses: httpx's own transport.

httpx's default transport (httpcore, h11), with the route of
:mod:`console.api.proxy` (straight out, or one proxy: HTTP CONNECT, https or
SOCKS) and the trust of :mod:`console.api.tls`. Redirects are never followed
and nothing is read from the environment behind the client's back
(``trust_env`` False: the proxy was resolved from it already, and certificates
come from :func:`~console.api.tls.trust_context`, which reads ``SSL_CERT_FILE``
itself).
"""
from __future__ import annotations

import httpx

from .. import __version__
from .bounded import ACCEPT_ENCODING
from .errors import InvalidArgumentError
from .proxy import Route
from .tls import trust_context

__all__ = ["LIMITS", "USER_AGENT", "build_http_client"]

LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=8)
USER_AGENT = f"voitex-console/{__version__} httpx/{httpx.__version__}"


def _proxy(route: Route, *, https: bool) -> httpx.Proxy | None:
    if route.proxy_url is None:
        return None
    auth = (route.username, route.password) if route.username else None
    # An https:// proxy is itself reached over verified TLS, with the same trust.
    ssl_context = trust_context(https=True) if route.proxy_url.startswith("https:") else None
    return httpx.Proxy(route.proxy_url, auth=auth, ssl_context=ssl_context)


def build_http_client(
    *,
    https: bool,
    route: Route,
    timeout: httpx.Timeout | None = None,
    limits: httpx.Limits = LIMITS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The client for one Voitex base URL (``https`` False: a loopback sandbox).

    ``transport`` replaces the network entirely (tests: ``httpx.MockTransport``);
    it is then the only transport, and the route is not used.
    """
    proxy = None if transport is not None else _proxy(route, https=https)
    try:
        return httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            verify=trust_context(https=https),
            proxy=proxy,
            headers={
                "User-Agent": USER_AGENT,
                # Only what read_capped can inflate with a cap (no br, no zstd).
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=timeout if timeout is not None else httpx.Timeout(30.0, connect=5.0, pool=None),
            limits=limits,
            transport=transport,
        )
    except ImportError as err:  # a SOCKS proxy without httpx's socks extra (socksio)
        raise InvalidArgumentError(
            "proxy", f"The proxy {route.proxy_label} is a SOCKS proxy, which needs the socksio package: {err}"
        ) from None


def unread_after_reply(response: httpx.Response) -> bytes | None:
    """What the server sent after the reply's declared end, once the body has been read.

    httpx keeps such bytes (a body longer than its Content-Length, a second
    response glued on) for the connection's next request, which would read
    them as *its* answer. They sit in h11's receive buffer, shown by h11's
    public ``Connection.trailing_data``; httpx offers no way to it, so it is
    reached through httpcore's response stream. When bytes are there, the
    connection is marked failed (h11's public ``send_failed``), so httpcore
    closes it instead of handing it to the next request. None when the
    connection cannot be reached (a given transport, or httpx's internals
    moved: ``tests/api/test_reply_framing.py`` then fails).
    """
    stream = getattr(response, "stream", None)
    for name in ("_stream", "_httpcore_stream", "_stream", "_connection", "_h11_state"):
        stream = getattr(stream, name, None)
        if stream is None:
            return None
    trailing = getattr(stream, "trailing_data", None)
    if not isinstance(trailing, tuple) or not trailing or not isinstance(trailing[0], bytes | bytearray):
        return None
    data = bytes(trailing[0])
    if data:
        send_failed = getattr(stream, "send_failed", None)
        if callable(send_failed):
            send_failed()
    return data
