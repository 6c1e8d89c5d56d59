"""Whose certificates the client trusts, and how an untrusted one is described.

The operating system's certificate store, through ``truststore``: a
certificate authority that the office's IT installed (for TLS inspection on
the proxy, say) is trusted as the browser trusts it. ``SSL_CERT_FILE`` or
``SSL_CERT_DIR``, when set, win: then exactly those certificates are trusted,
as OpenSSL, curl and httpx read them. Verification is never turned off for
anything that carries a request.
"""
from __future__ import annotations

import os
import ssl

from .certinfo import CertificateFacts

__all__ = ["trust_context", "trust_source", "untrusted_message"]


def trust_source() -> str:
    """Where trusted certificates come from, in words ("the file named in SSL_CERT_FILE ...")."""
    if os.environ.get("SSL_CERT_FILE"):
        return f"the file named in SSL_CERT_FILE ({os.environ['SSL_CERT_FILE']})"
    if os.environ.get("SSL_CERT_DIR"):
        return f"the folder named in SSL_CERT_DIR ({os.environ['SSL_CERT_DIR']})"
    return "this computer's certificate store"


def trust_context(*, https: bool = True) -> ssl.SSLContext:
    """A client context that verifies certificates and host names.

    With ``https`` False (a plain-http base URL: the local sandbox) nothing is
    loaded, which saves some milliseconds per client; an https request through
    it then fails its check, never skips it.
    """
    if not https:
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, trusts nothing
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def untrusted_message(host: str, facts: CertificateFacts | None, reason: str, *, via_proxy: str = "") -> str:
    """The sentence for a certificate this computer does not trust: whose it is, what to ask IT."""
    source = trust_source()
    if facts is not None and facts.issuer:
        if facts.self_signed:
            whose = f"The certificate that {host} presented is signed by itself ({facts.issuer})"
        else:
            whose = f"The certificate that {host} presented was issued by \u201c{facts.issuer}\u201d"
        if not facts.covers(host):
            names = ", ".join(facts.names[:3]) or facts.subject or "another name"
            whose += f" for {names}, not for {host}"
        text = f"{whose}, which {source} does not trust ({reason})."
        ask = (f"Ask IT whether \u201c{facts.issuer}\u201d is the office's own certificate authority; if it is, "
               "they can install its certificate on this computer (or name its file in SSL_CERT_FILE).")
    else:
        text = f"The certificate that {host} presented is not trusted by {source} ({reason})."
        ask = ("Ask IT which certificate authority the office uses and to install its certificate on this "
               "computer (or name its file in SSL_CERT_FILE).")
    if via_proxy:
        text += f" The office proxy {via_proxy} may be inspecting secure connections."
    return f"{text} {ask}"
