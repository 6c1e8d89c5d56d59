"""Telling a wav or mp3 recording by its first bytes, whatever its name says.

Only the head of the file is looked at (see HEAD_SIZE), so the check costs
nothing next to receiving the upload and needs no second read of it.
"""
from __future__ import annotations

import struct
from typing import Literal

AudioFormat = Literal["wav", "mp3"]

# Enough for the RIFF header and the usual small chunks (JUNK, bext, LIST)
# that some editors put before "fmt ".
HEAD_SIZE = 64 * 1024


def sniff_audio(head: bytes) -> AudioFormat | None:
    """'wav', 'mp3', or None when the bytes are neither."""
    if _is_wav(head):
        return "wav"
    if _is_id3_tag(head) or _is_mpeg_frame(head[:4]):
        return "mp3"
    return None


def _is_wav(head: bytes) -> bool:
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    offset = 12
    while offset + 8 <= len(head):
        chunk_id = head[offset:offset + 4]
        chunk_size: int = struct.unpack_from("<I", head, offset + 4)[0]
        if chunk_id == b"fmt ":
            return chunk_size >= 16
        # Chunks are padded to an even length.
        offset += 8 + chunk_size + (chunk_size & 1)
    return False


def _is_id3_tag(head: bytes) -> bool:
    # "ID3", a major version 2 to 4, a revision, flags, then a size whose four
    # bytes keep their top bit clear ("synchsafe").
    if len(head) < 10 or head[:3] != b"ID3":
        return False
    major, revision = head[3], head[4]
    return 2 <= major <= 4 and revision != 0xFF and all(b < 0x80 for b in head[6:10])


def _is_mpeg_frame(header: bytes) -> bool:
    """True for the 4-byte header of an MPEG audio Layer III frame."""
    if len(header) < 4:
        return False
    b0, b1, b2 = header[0], header[1], header[2]
    if b0 != 0xFF or b1 & 0xE0 != 0xE0:
        return False
    version = (b1 >> 3) & 0b11
    layer = (b1 >> 1) & 0b11
    bitrate_index = b2 >> 4
    sample_rate_index = (b2 >> 2) & 0b11
    return (
        version != 0b01  # reserved
        and layer == 0b01  # Layer III
        and bitrate_index not in (0b0000, 0b1111)  # "free" and "bad"
        and sample_rate_index != 0b11  # reserved
    )
