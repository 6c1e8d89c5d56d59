"""What is inside an audio file, judged by its content and never by its name.

`inspect_audio(path)` reads a file and says whether Voitex can take it (a WAV or
an MP3 that is whole), what it is (codec, duration, rate, channels, size), why
not when it cannot, and which of its properties a phone system handles badly
(shown to the user as advice, never as an error).

WAV files are read with a RIFF chunk walk: the `fmt ` chunk names the codec and
the `data` chunk's declared size, compared with what the file really holds,
tells a whole file from one cut short by an interrupted copy. MP3 files are read
with mutagen (rate, channels, length, including VBR headers) and then walked
frame by frame (console/domain/mp3_frames.py), because mutagen reports a length
even for a cut-short file. What a refused file is instead: console/domain/audio_kinds.py.

Pure: no Qt, no network; safe to call from worker threads.
"""
from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from console.domain.audio_kinds import not_audio_reason
from console.domain.mp3_frames import mp3_cut_short
from console.domain.wording import plural

# Phone calls carry 8 kHz mono audio: more than that is lost on the line.
TELEPHONY_RATE = 8000
# Longer than this is probably the wrong file for a prompt or an announcement.
LONG_RECORDING_S = 10 * 60

_WAV_CODECS = {
    0x0001: "PCM",
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "µ-law",
    0x0011: "IMA ADPCM",
    0x0022: "TrueSpeech",
    0x0031: "GSM 6.10",
    0x0040: "G.721 ADPCM",
    0x0050: "MPEG Layer I/II",
    0x0055: "MPEG Layer III",
    0x0064: "G.726 ADPCM",
}
# Codecs whose duration is simply data size / block size.
_FRAME_CODECS = {0x0001, 0x0003, 0x0006, 0x0007}
# Codecs any phone system plays without trouble.
_TELEPHONY_CODECS = {0x0001, 0x0006, 0x0007}
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE
_MAX_CHUNKS = 10_000

_CUT_SHORT = "an interrupted copy or download?"


@dataclass(frozen=True)
class AudioInfo:
    """The result of inspecting one file.

    `ok` is False for files that must never be uploaded; `reason` then says why
    in plain words. `advice` lists properties worth a warning; they never stop
    an upload.
    """

    ok: bool
    format: str | None = None  # "wav" | "mp3" | None
    codec: str | None = None  # "PCM", "µ-law", "MPEG-1 Layer III", ...
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    size: int = 0
    reason: str | None = None
    advice: list[str] = field(default_factory=list)
    bits_per_sample: int | None = None

    def summary(self) -> str:
        """One line for a table cell: "WAV PCM · 8 kHz mono · 0:12"."""
        if self.format is None:
            return ""
        label = self.format.upper()
        if self.format == "wav" and self.codec:
            label = f"WAV {self.codec}"
        parts = [label]
        if self.sample_rate:
            parts.append(f"{format_rate(self.sample_rate)} {format_channels(self.channels)}".strip())
        if self.duration_s is not None:
            parts.append(format_duration(self.duration_s))
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "format": self.format, "codec": self.codec,
            "duration_s": self.duration_s, "sample_rate": self.sample_rate,
            "channels": self.channels, "size": self.size, "reason": self.reason,
            "advice": list(self.advice), "bits_per_sample": self.bits_per_sample,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AudioInfo:
        return cls(
            ok=bool(data.get("ok")), format=data.get("format"), codec=data.get("codec"),
            duration_s=data.get("duration_s"), sample_rate=data.get("sample_rate"),
            channels=data.get("channels"), size=int(data.get("size") or 0),
            reason=data.get("reason"), advice=[str(a) for a in data.get("advice") or []],
            bits_per_sample=data.get("bits_per_sample"),
        )


def format_size(size: int) -> str:
    """Bytes in the units a file manager shows (1 KB = 1000 bytes)."""
    if size < 1000:
        return plural(size, "byte")
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < scale * 1000 or unit == "GB":
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """"0:07", "12:30", "1:02:03"; under a second shows tenths ("0.4 s")."""
    if seconds < 1:
        return f"{seconds:.1f} s"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_rate(rate: int) -> str:
    khz = rate / 1000
    return f"{khz:g} kHz"


def format_channels(channels: int | None) -> str:
    return {None: "", 1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")


def inspect_audio(path: str | Path) -> AudioInfo:
    """Inspect one file. Never raises for a bad file: the answer says why."""
    path = Path(path)
    try:
        if path.is_dir():
            return _rejected("This is a folder, not a file.")
        with path.open("rb") as f:
            size = _file_size(f)
            if size == 0:
                return _rejected("The file is empty.", size=0)
            head = f.read(64)
            if len(head) >= 12 and head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
                info = _inspect_wav(f, size, rf64=head[:4] == b"RF64")
            elif head[:4] == b"RIFX":
                return _rejected(
                    "This WAV file stores its samples big-endian (RIFX), which phone systems do "
                    "not play. Re-save it as an ordinary WAV file.", size=size)
            else:
                info = _inspect_mp3(f, size, head)
    except FileNotFoundError:
        return _rejected("The file is not there any more (moved or deleted).")
    except PermissionError:
        return _rejected("The file cannot be read: permission denied.")
    except OSError as err:
        return _rejected(f"The file cannot be read: {err.strerror or err}.")
    return _with_name_advice(info, path)


def _file_size(f: BinaryIO) -> int:
    return os.fstat(f.fileno()).st_size


def _rejected(reason: str, *, size: int = 0, format: str | None = None,
              codec: str | None = None) -> AudioInfo:
    return AudioInfo(ok=False, reason=reason, size=size, format=format, codec=codec)


def _with_name_advice(info: AudioInfo, path: Path) -> AudioInfo:
    if not info.ok or info.format is None:
        return info
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("wav", "wave", "mp3") and (suffix == "mp3") != (info.format == "mp3"):
        advice = [*info.advice, f"The name ends in .{suffix} but the content is "
                  f"{info.format.upper()}; renaming it avoids confusion."]
        return AudioInfo(**{**info.__dict__, "advice": advice})
    return info


def _advice(*, sample_rate: int | None, channels: int | None,
            duration_s: float | None) -> list[str]:
    advice: list[str] = []
    if channels == 2:
        advice.append("Stereo: phone calls are mono, so a mono file sounds the same at half the size.")
    elif channels and channels > 2:
        advice.append(f"{channels} channels: phone calls are mono; save it as mono.")
    if sample_rate and sample_rate > TELEPHONY_RATE:
        advice.append(
            f"Sample rate {format_rate(sample_rate)}: phone calls carry {format_rate(TELEPHONY_RATE)}, "
            "so the extra quality is lost on the line and the file is bigger than it needs to be.")
    if duration_s is not None and duration_s > LONG_RECORDING_S:
        advice.append(f"Very long ({format_duration(duration_s)}): check this is the right file; "
                      "callers rarely listen this long.")
    return advice


# --- WAV -------------------------------------------------------------------


def _inspect_wav(f: BinaryIO, size: int, *, rf64: bool) -> AudioInfo:
    offset = 12
    fmt: bytes | None = None
    fact_samples: int | None = None
    data_size: int | None = None
    ds64_data_size: int | None = None
    chunks = 0
    while offset + 8 <= size and chunks < _MAX_CHUNKS:
        chunks += 1
        f.seek(offset)
        header = f.read(8)
        if len(header) < 8:
            break
        chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
        payload_at = offset + 8
        available = size - payload_at
        if chunk_id == b"ds64" and rf64:
            body = f.read(min(chunk_size, 28))
            if len(body) >= 16:
                ds64_data_size = struct.unpack("<Q", body[8:16])[0]
        elif chunk_id == b"fmt ":
            fmt = f.read(min(chunk_size, 64))
        elif chunk_id == b"fact":
            body = f.read(4)
            if len(body) == 4:
                fact_samples = struct.unpack("<I", body)[0]
        elif chunk_id == b"data":
            declared = chunk_size
            if rf64 and chunk_size == 0xFFFFFFFF and ds64_data_size is not None:
                declared = ds64_data_size
            if declared > available:
                return _rejected(
                    f"The file is cut short: its header promises {format_size(declared)} of audio "
                    f"but only {format_size(max(available, 0))} is there ({_CUT_SHORT}).",
                    size=size, format="wav")
            data_size = declared
            chunk_size = declared
            if fmt is not None:
                break
        if chunk_size > available and chunk_id != b"data":
            # A damaged or cut-short chunk before the audio: nothing further is reliable.
            break
        offset = payload_at + chunk_size + (chunk_size & 1)

    if fmt is None or len(fmt) < 16:
        if data_size is None:
            return _rejected(
                "The file is cut short or damaged: it starts like a WAV file but has no audio "
                f"format section ({_CUT_SHORT}).", size=size, format="wav")
        return _rejected("The WAV file is damaged: it has no audio format section.",
                         size=size, format="wav")
    tag, channels, rate, byte_rate, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == _WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]
    codec = _WAV_CODECS.get(tag, f"codec 0x{tag:04X}")
    if data_size is None:
        return _rejected(
            f"The file is cut short: it has a WAV header but no audio ({_CUT_SHORT}).",
            size=size, format="wav", codec=codec)
    if channels == 0 or rate == 0 or (tag in _FRAME_CODECS and block_align == 0):
        return _rejected("The WAV file's format section is damaged (it gives no channels, "
                         "sample rate or block size).", size=size, format="wav", codec=codec)
    if data_size == 0:
        return _rejected("The WAV file contains no audio (its audio section is empty).",
                         size=size, format="wav", codec=codec)

    if tag in _FRAME_CODECS:
        duration = (data_size // block_align) / rate
    elif fact_samples:
        duration = fact_samples / rate
    elif byte_rate:
        duration = data_size / byte_rate
    else:
        duration = None

    advice = _advice(sample_rate=rate, channels=channels, duration_s=duration)
    if tag == 0x0003:
        advice.append("32-bit float samples: some phone systems cannot play them; "
                      "16-bit PCM is the safe choice.")
    elif tag == 0x0001 and bits > 16:
        advice.append(f"{bits}-bit samples: phone calls carry far less; 16-bit PCM is plenty.")
    elif tag not in _TELEPHONY_CODECS:
        advice.append(f"Compressed WAV ({codec}): not every phone system plays it; "
                      "PCM or µ-law is the safe choice.")
    return AudioInfo(ok=True, format="wav", codec=codec, duration_s=duration,
                     sample_rate=rate, channels=channels, size=size, advice=advice,
                     bits_per_sample=bits or None)


# --- MP3 -------------------------------------------------------------------

def _inspect_mp3(f: BinaryIO, size: int, head: bytes) -> AudioInfo:
    from mutagen import MutagenError
    from mutagen.mp3 import MPEGInfo

    f.seek(0)
    try:
        info = MPEGInfo(f)
    except (MutagenError, ValueError, EOFError, struct.error):
        return _rejected(not_audio_reason(head), size=size)
    version = {1: "1", 2: "2", 2.5: "2.5"}.get(info.version, str(info.version))
    codec = f"MPEG-{version} Layer {'I' * info.layer}"
    if info.layer != 3:
        return _rejected(
            f"This is {codec} audio (MP{info.layer}), not MP3. Convert it to MP3 or WAV.",
            size=size, codec=codec)
    if mp3_cut_short(f, size):
        return _rejected(
            f"The file is cut short: its last MP3 frame is incomplete ({_CUT_SHORT}).",
            size=size, format="mp3", codec=codec)
    channels = 1 if info.mode == 3 else 2
    duration = float(info.length) if info.length else None
    advice = _advice(sample_rate=info.sample_rate, channels=channels, duration_s=duration)
    return AudioInfo(ok=True, format="mp3", codec=codec, duration_s=duration,
                     sample_rate=info.sample_rate, channels=channels, size=size, advice=advice)
