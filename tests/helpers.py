"""Small helpers shared by tests: audio files made on the spot, async runners."""
from __future__ import annotations

import asyncio
import math
import struct
import wave
from pathlib import Path

SANDBOX_KEY = "test-key-0123456789"


def run_async(coro):
    """Run a coroutine on a fresh asyncio loop (pure async tests, no Qt)."""
    return asyncio.run(coro)


def make_wav(path: Path, seconds: float = 0.1, rate: int = 8000, channels: int = 1,
             sampwidth: int = 2, tone_hz: float = 440.0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(seconds * rate)
    amplitude = 2 ** (8 * sampwidth - 1) - 1
    data = bytearray()
    for i in range(frames):
        value = int(amplitude * 0.3 * math.sin(2 * math.pi * tone_hz * i / rate))
        sample = value.to_bytes(sampwidth, "little", signed=True) if sampwidth > 1 else bytes([(value + 128) & 0xFF])
        data += sample * channels
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(sampwidth)
        w.setframerate(rate)
        w.writeframes(bytes(data))
    return path


def make_sized_wav(path: Path, size_bytes: int, rate: int = 8000) -> Path:
    """A valid mono 16-bit wav of about `size_bytes` bytes (fast: silence)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = max(1, (size_bytes - 44) // 2)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * frames)
    return path


# One MPEG-1 Layer III frame header: 128 kbit/s, 44.1 kHz, no padding, mono.
_MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0xC4])
_MP3_FRAME_LEN = 144 * 128000 // 44100  # 417 bytes


def make_mp3(path: Path, frames: int = 40) -> Path:
    """A small MP3 made of silent frames; decoders and mutagen accept it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = _MP3_HEADER + b"\x00" * (_MP3_FRAME_LEN - len(_MP3_HEADER))
    path.write_bytes(frame * frames)
    return path


def pack_chunk(tag: bytes, payload: bytes) -> bytes:
    return tag + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")
