"""Telling wav and mp3 apart from everything else by content."""
from __future__ import annotations

import struct

import pytest

from console.sandbox.formats import sniff_audio
from tests.helpers import make_mp3, make_wav, pack_chunk

_FMT = pack_chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))


def _riff(*chunks: bytes, form: bytes = b"WAVE") -> bytes:
    payload = form + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def _id3(major: int = 4, size: bytes = b"\x00\x00\x02\x01") -> bytes:
    return b"ID3" + bytes([major, 0, 0]) + size + b"\x00" * 257


def test_real_wav_and_mp3_files(tmp_path):
    assert sniff_audio(make_wav(tmp_path / "a.wav").read_bytes()) == "wav"
    assert sniff_audio(make_wav(tmp_path / "b.wav", rate=44100, channels=2, sampwidth=1).read_bytes()) == "wav"
    assert sniff_audio(make_mp3(tmp_path / "c.mp3").read_bytes()) == "mp3"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (_riff(_FMT, pack_chunk(b"data", b"\x00\x00")), "wav"),
        # Chunks before "fmt " are walked over, odd sizes padded.
        (_riff(pack_chunk(b"JUNK", b"x" * 27), pack_chunk(b"LIST", b"INFO"), _FMT), "wav"),
        (_riff(pack_chunk(b"data", b"\x00" * 8)), None),  # no fmt chunk
        (_riff(pack_chunk(b"fmt ", b"\x01\x00")), None),  # fmt chunk too short
        (_riff(_FMT, form=b"AVI "), None),
        (b"RIFF\x00\x00", None),
        (_id3(), "mp3"),
        (_id3(major=3), "mp3"),
        (_id3(major=9), None),
        (_id3(size=b"\x00\x00\x80\x00"), None),  # size not synchsafe
        (bytes([0xFF, 0xFB, 0x90, 0xC4]) + b"\x00" * 100, "mp3"),  # MPEG-1 Layer III
        (bytes([0xFF, 0xF3, 0x48, 0xC4]) + b"\x00" * 100, "mp3"),  # MPEG-2 Layer III
        (bytes([0xFF, 0xFD, 0x90, 0xC4]) + b"\x00" * 100, None),  # Layer II
        (bytes([0xFF, 0xFB, 0xF0, 0xC4]) + b"\x00" * 100, None),  # bad bitrate index
        (bytes([0xFF, 0xFB, 0x9C, 0xC4]) + b"\x00" * 100, None),  # reserved sample rate
        (bytes([0xFF, 0xEB, 0x90, 0xC4]) + b"\x00" * 100, None),  # reserved MPEG version
        (b"This is not audio, whatever the name says.\n", None),
        (b"", None),
        (b"\xff", None),
    ],
)
def test_heads(head, expected):
    assert sniff_audio(head) == expected
