"""A listening TCP socket, shared by the sandbox server and the console that embeds it.

Standard library only: the console opens the embedded sandbox's socket before
its first paint, long before Starlette and uvicorn are imported.
"""
from __future__ import annotations

import os
import socket


def listen_on(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A socket bound to `host`:`port` (0: a free port) and listening."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # on Windows it would let another process take the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock
