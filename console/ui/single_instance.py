"""One running console per user: a later `voitex-console FILE…` hands its files over.

The first console listens on a local socket named after the configuration
folder; a second start connects, sends the file paths as one JSON line, waits
for "ok" and exits.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from console.store.paths import AppPaths

__all__ = ["InstanceServer", "forward_to_running_instance", "instance_name"]


def instance_name(paths: AppPaths) -> str:
    """One running console per user and configuration folder."""
    digest = hashlib.sha1(str(paths.config_dir).encode()).hexdigest()[:12]
    return f"voitex-console-{digest}"


def forward_to_running_instance(name: str, files: list[Path], timeout_ms: int = 500) -> bool:
    """Hand `files` to a console already running; True if one took them."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    payload = json.dumps({"files": [str(p) for p in files]}).encode() + b"\n"
    socket.write(QByteArray(payload))
    socket.waitForBytesWritten(timeout_ms)
    socket.waitForReadyRead(timeout_ms)  # the running console answers "ok"
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later `voitex-console FILE…` starts and takes their files."""

    files_received = Signal(list)  # [Path]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A console that crashed leaves its socket file behind.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._on_new_connection)

    def _on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        try:
            files = [Path(p) for p in json.loads(line.decode())["files"]]
        except (ValueError, KeyError, TypeError):
            files = []
        socket.write(QByteArray(b"ok\n"))
        socket.flush()
        socket.disconnectFromServer()
        self.files_received.emit(files)

    def close(self) -> None:
        self.server.close()
