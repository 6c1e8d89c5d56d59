"""Whether an MP3 file ends whole: a walk over its MPEG audio frame headers (pure).

mutagen reports a length even for a file cut short by an interrupted copy, so
console/domain/audio.py asks :func:`mp3_cut_short` too: it finds the first two
consecutive frames, then steps frame by frame to the end of the file.
"""
from __future__ import annotations

from typing import BinaryIO

__all__ = ["mp3_cut_short"]

# kbit/s by [version_key][layer][index]; version_key 1 = MPEG-1, 2 = MPEG-2 and 2.5.
_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (2, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG audio frame starting with `header`, or None."""
    if header[0] != 0xFF or (header[1] & 0xE0) != 0xE0:
        return None
    version_bits = (header[1] >> 3) & 3
    layer_bits = (header[1] >> 1) & 3
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 3
    if version_bits == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    version_key = 1 if version_bits == 3 else 2
    bitrate = _BITRATES[(version_key, layer)][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version_bits][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    if layer == 3 and version_key == 2:
        return 72 * bitrate // rate + padding
    return 144 * bitrate // rate + padding


def _id3v2_size(head: bytes) -> int:
    if len(head) >= 10 and head[:3] == b"ID3":
        b = head[6:10]
        size = (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]
        footer = 10 if head[5] & 0x10 else 0
        return 10 + size + footer
    return 0


def mp3_cut_short(f: BinaryIO, size: int) -> bool | None:
    """True when the last MPEG frame runs past the end of the file.

    Walks frame headers from the first pair of consecutive frames. None when no
    such pair is found (the caller has already accepted the file through mutagen,
    so that means free-format or oddly padded frames we do not judge).
    """
    f.seek(0)
    start = _id3v2_size(f.read(10))
    f.seek(start)
    window = f.read(256 * 1024)
    position = None
    for i in range(len(window) - 4):
        if window[i] != 0xFF:
            continue
        length = _frame_length(window[i:i + 4])
        if length is None:
            continue
        following = start + i + length
        if following + 4 > size:
            # Only one frame from here on: judge that single frame.
            position = start + i
            break
        f.seek(following)
        if _frame_length(f.read(4)) is not None:
            position = start + i
            break
    if position is None:
        return None
    block_size = 1 << 20
    buffer = b""
    buffer_start = position
    while position < size:
        rel = position - buffer_start
        if rel + 4 > len(buffer):
            f.seek(position)
            buffer = f.read(block_size)
            buffer_start = position
            rel = 0
        header = buffer[rel:rel + 4]
        if len(header) < 4:
            return header[:1] == b"\xff"  # a frame header cut off mid-way
        length = _frame_length(header)
        if length is None:
            return False  # a tag or other trailing data: the audio ended whole
        if position + length > size:
            return True
        position += length
    return False
