"""What a file that is not a WAV or an MP3 is instead, told by its first bytes (pure).

For the reason shown when a file is refused: "This is a PDF document, not a
WAV or MP3 file, whatever its name says."
"""
from __future__ import annotations

__all__ = ["not_audio_reason"]

# The first bytes of other common files (the MP4 family's "ftyp" is at byte 4).
_MAGIC_AT_0 = {b"fLaC": "a FLAC file", b"OggS": "an Ogg file", b"FORM": "an AIFF file",
               b"\x30\x26\xb2\x75": "a WMA file", b"%PDF": "a PDF document",
               b"PK\x03\x04": "a ZIP archive or office document", b"\xff\xd8\xff": "a JPEG image",
               b"\x89PNG": "a PNG image", b"GIF8": "a GIF image", b"{\\rtf": "an RTF document",
               b"\xd0\xcf\x11\xe0": "an old Office document"}
_KNOWN_TYPES = ((b"ftyp", 4, "an MP4 or M4A file"), *((magic, 0, name) for magic, name in _MAGIC_AT_0.items()))


# RIFF is a container: the four bytes after its size say what it holds.
_RIFF_TYPES = {b"AVI ": "an AVI video file", b"WEBP": "a WebP image", b"RMID": "a MIDI file",
               b"CDXA": "a video CD file", b"ACON": "an animated cursor"}


def not_audio_reason(head: bytes) -> str:
    what = None
    if head[:4] == b"RIFF" and len(head) >= 12:
        riff_type = head[8:12]
        what = _RIFF_TYPES.get(riff_type) or (
            f"a RIFF file of type “{riff_type.decode('latin-1').strip()}”")
    for magic, at, name in _KNOWN_TYPES if what is None else ():
        if head[at:at + len(magic)] == magic:
            what = name
            break
    if what is None and head[:3] == b"ID3":
        what = "a file with an MP3 tag but no MP3 audio after it"
    if what is None and _looks_like_text(head):
        what = "a text file"
    if what is None:
        return "This is not a WAV or MP3 file: its content is not audio the console recognises."
    return f"This is {what}, not a WAV or MP3 file, whatever its name says."


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The 64-byte sample may end inside a multi-byte character.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return bool(text) and all(c.isprintable() or c in "\r\n\t" for c in text)
