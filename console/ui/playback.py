"""Listening to one local audio file at a time, for the Recordings and Library tabs.

Qt Multimedia comes with PySide6-Addons (the optional `[playback]` extra), not
with PySide6-Essentials: without it `AVAILABLE` is False and the tabs hide their
Play button. The module is imported on the first Play, not at start-up.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

AVAILABLE = importlib.util.find_spec("PySide6.QtMultimedia") is not None


class FilePlayer(QObject):
    """Plays a file, or stops the one playing; `playing` is its path meanwhile."""

    changed = Signal()  # started or stopped
    failed = Signal(str)  # why the file cannot be played, in Qt Multimedia's words

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.playing: Path | None = None
        self._player: QMediaPlayer | None = None
        self._output: QAudioOutput | None = None

    def toggle(self, path: Path) -> None:
        """Stop what plays; when nothing did, play `path`."""
        if self.playing is not None:
            self.stop()
            return
        self.play(path)

    def stop(self) -> None:
        if self._player is not None and self.playing is not None:
            self._player.stop()

    def play(self, path: Path) -> None:
        if not AVAILABLE:
            return
        player = self._player or self._make_player()
        self.playing = path
        player.setSource(QUrl.fromLocalFile(str(path)))
        player.play()
        self.changed.emit()

    def _make_player(self) -> QMediaPlayer:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        player.setAudioOutput(self._output)
        player.playbackStateChanged.connect(self._on_state)
        player.errorOccurred.connect(lambda _error, text: self.failed.emit(text))
        self._player = player
        return player

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if state == QMediaPlayer.PlaybackState.StoppedState:
            self.playing = None
        self.changed.emit()
