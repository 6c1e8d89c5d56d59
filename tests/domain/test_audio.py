"""inspect_audio: files judged by content, rejected with a reason, advice for telephony."""
from __future__ import annotations

import os
import struct

import pytest

from console.domain.audio import (
    AudioInfo,
    format_duration,
    format_size,
    inspect_audio,
)
from tests.helpers import make_mp3, make_wav, pack_chunk


def fmt_chunk(tag=1, channels=1, rate=8000, bits=16, block_align=None, byte_rate=None,
              extra: bytes = b""):
    block_align = block_align if block_align is not None else channels * bits // 8
    byte_rate = byte_rate if byte_rate is not None else rate * block_align
    return pack_chunk(b"fmt ", struct.pack("<HHIIHH", tag, channels, rate, byte_rate,
                                           block_align, bits) + extra)


def riff(*chunks: bytes, declared_size: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", declared_size if declared_size is not None else len(body)) + body


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- accepted files ----------------------------------------------------------


def test_pcm_wav_8k_mono_has_no_advice(tmp_path):
    info = inspect_audio(make_wav(tmp_path / "a.wav", seconds=0.5))
    assert info.ok and info.reason is None
    assert (info.format, info.codec, info.sample_rate, info.channels) == ("wav", "PCM", 8000, 1)
    assert info.duration_s == pytest.approx(0.5)
    assert info.size == os.path.getsize(tmp_path / "a.wav")
    assert info.advice == []
    assert info.summary() == "WAV PCM · 8 kHz mono · 0.5 s"


def test_stereo_and_high_rate_are_advice_not_errors(tmp_path):
    info = inspect_audio(make_wav(tmp_path / "b.wav", seconds=0.2, rate=44100, channels=2))
    assert info.ok
    assert len(info.advice) == 2
    assert "Stereo" in info.advice[0]
    assert "44.1 kHz" in info.advice[1] and "8 kHz" in info.advice[1]


@pytest.mark.parametrize("tag, codec, bits, advice_word", [
    (7, "µ-law", 8, None),
    (6, "A-law", 8, None),
    (3, "IEEE float", 32, "float"),
])
def test_other_wav_codecs(tmp_path, tag, codec, bits, advice_word):
    samples = b"\x10" * (8000 * bits // 8)  # one second
    path = write(tmp_path, "c.wav", riff(fmt_chunk(tag=tag, bits=bits), pack_chunk(b"data", samples)))
    info = inspect_audio(path)
    assert info.ok
    assert info.codec == codec
    assert info.duration_s == pytest.approx(1.0)
    if advice_word:
        assert any(advice_word in a for a in info.advice)
    else:
        assert info.advice == []


def test_extensible_format_reads_the_subformat(tmp_path):
    # WAVE_FORMAT_EXTENSIBLE: cbSize, valid bits, channel mask, then the GUID whose
    # first two bytes are the real codec id (here µ-law).
    extra = (struct.pack("<HHI", 22, 8, 4) + struct.pack("<H", 7)
             + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
    data = riff(fmt_chunk(tag=0xFFFE, bits=8, extra=extra), pack_chunk(b"data", b"\x00" * 800))
    info = inspect_audio(write(tmp_path, "ext.wav", data))
    assert info.ok and info.codec == "µ-law"


def test_compressed_wav_uses_fact_chunk_and_long_files_get_advice(tmp_path):
    # IMA ADPCM: the duration comes from the fact chunk's sample count.
    seconds = 11 * 60
    data = riff(
        fmt_chunk(tag=0x11, bits=4, block_align=256, byte_rate=4055),
        pack_chunk(b"fact", struct.pack("<I", seconds * 8000)),
        pack_chunk(b"data", b"\x00" * 1024),
    )
    info = inspect_audio(write(tmp_path, "long.wav", data))
    assert info.ok and info.codec == "IMA ADPCM"
    assert info.duration_s == pytest.approx(seconds)
    assert any("Very long (11:00)" in a for a in info.advice)
    assert any("Compressed WAV (IMA ADPCM)" in a for a in info.advice)


def test_odd_sized_chunk_before_data_is_padded(tmp_path):
    data = riff(fmt_chunk(), pack_chunk(b"LIST", b"INFOabc"), pack_chunk(b"data", b"\x00\x00" * 4000))
    info = inspect_audio(write(tmp_path, "list.wav", data))
    assert info.ok and info.duration_s == pytest.approx(0.5)


def test_fmt_after_data_is_found(tmp_path):
    data = riff(pack_chunk(b"data", b"\x00\x00" * 8000), fmt_chunk())
    info = inspect_audio(write(tmp_path, "late.wav", data))
    assert info.ok and info.duration_s == pytest.approx(1.0)


def test_content_decides_not_the_name(tmp_path):
    wav_named_mp3 = tmp_path / "really-a-wav.mp3"
    wav_named_mp3.write_bytes(make_wav(tmp_path / "w.wav").read_bytes())
    info = inspect_audio(wav_named_mp3)
    assert info.ok and info.format == "wav"
    assert any("ends in .mp3" in a for a in info.advice)

    mp3_named_dat = tmp_path / "prompt.dat"
    mp3_named_dat.write_bytes(make_mp3(tmp_path / "m.mp3").read_bytes())
    info = inspect_audio(mp3_named_dat)
    assert info.ok and info.format == "mp3" and info.advice[-1].startswith("Sample rate")


def test_mp3_is_read_with_its_properties(tmp_path):
    info = inspect_audio(make_mp3(tmp_path / "m.mp3", frames=40))
    assert info.ok
    assert (info.format, info.codec, info.sample_rate, info.channels) == ("mp3", "MPEG-1 Layer III", 44100, 1)
    assert info.duration_s == pytest.approx(40 * 1152 / 44100, rel=0.05)
    assert info.summary().startswith("MP3 · 44.1 kHz mono")


def test_mp3_with_id3v2_and_id3v1_tags_is_whole(tmp_path):
    frames = make_mp3(tmp_path / "m.mp3", frames=20).read_bytes()
    id3v2 = b"ID3\x03\x00\x00" + bytes([0, 0, 0, 20]) + b"\x00" * 20
    id3v1 = b"TAG" + b"\x00" * 125
    path = write(tmp_path, "tagged.mp3", id3v2 + frames + id3v1)
    info = inspect_audio(path)
    assert info.ok, info.reason


# --- rejected files -------------------------------------------------------------


def test_empty_file(tmp_path):
    info = inspect_audio(write(tmp_path, "empty.wav", b""))
    assert not info.ok and info.reason == "The file is empty."


def test_text_file_named_wav(tmp_path):
    info = inspect_audio(write(tmp_path, "notes.wav", b"Remember to record the holiday prompt.\n"))
    assert not info.ok and info.format is None
    assert "text file" in info.reason and "not a WAV or MP3" in info.reason


@pytest.mark.parametrize("head, what", [
    (b"fLaC\x00\x00\x00\x22" + b"\x00" * 60, "FLAC"),
    (b"OggS\x00\x02" + b"\x00" * 60, "Ogg"),
    (b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 60, "MP4"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 60, "PNG"),
])
def test_other_formats_are_named(tmp_path, head, what):
    info = inspect_audio(write(tmp_path, "x.wav", head))
    assert not info.ok and what in info.reason


def test_binary_junk_is_not_audio(tmp_path):
    info = inspect_audio(write(tmp_path, "junk.mp3", bytes(range(256)) * 40))
    assert not info.ok
    assert "not a WAV or MP3 file" in info.reason


def test_truncated_wav(tmp_path):
    whole = make_wav(tmp_path / "w.wav", seconds=1.0).read_bytes()
    info = inspect_audio(write(tmp_path, "cut.wav", whole[: len(whole) // 2]))
    assert not info.ok and info.format == "wav"
    assert "cut short" in info.reason
    assert "promises 16.0 KB of audio but only 8.0 KB" in info.reason


def test_wav_cut_inside_the_header(tmp_path):
    whole = make_wav(tmp_path / "w.wav").read_bytes()
    info = inspect_audio(write(tmp_path, "cut.wav", whole[:30]))
    assert not info.ok and "cut short" in info.reason


def test_wav_with_empty_data(tmp_path):
    info = inspect_audio(write(tmp_path, "silent.wav", riff(fmt_chunk(), pack_chunk(b"data", b""))))
    assert not info.ok and "contains no audio" in info.reason


def test_wav_with_damaged_fmt(tmp_path):
    data = riff(fmt_chunk(channels=0, block_align=0), pack_chunk(b"data", b"\x00" * 100))
    info = inspect_audio(write(tmp_path, "bad.wav", data))
    assert not info.ok and "damaged" in info.reason


def test_truncated_mp3(tmp_path):
    whole = make_mp3(tmp_path / "m.mp3", frames=30).read_bytes()
    info = inspect_audio(write(tmp_path, "cut.mp3", whole[:-200]))
    assert not info.ok and info.format == "mp3"
    assert "last MP3 frame is incomplete" in info.reason


def test_mp3_cut_inside_a_frame_header(tmp_path):
    whole = make_mp3(tmp_path / "m.mp3", frames=30).read_bytes()
    frame_len = 417
    info = inspect_audio(write(tmp_path, "cut.mp3", whole[: 29 * frame_len + 2]))
    assert not info.ok and "cut short" in info.reason


def test_mpeg_layer_ii_is_not_mp3(tmp_path):
    # MPEG-1 Layer II, 128 kbit/s, 44.1 kHz: frame length 417 as for Layer III.
    header = bytes([0xFF, 0xFD, 0x80, 0xC4])
    frame = header + b"\x00" * (417 - 4)
    info = inspect_audio(write(tmp_path, "mp2.mp3", frame * 20))
    assert not info.ok and "Layer II" in info.reason and "not MP3" in info.reason


def test_missing_file_and_folder(tmp_path):
    gone = inspect_audio(tmp_path / "gone.wav")
    assert not gone.ok and "not there any more" in gone.reason
    folder = inspect_audio(tmp_path)
    assert not folder.ok and "folder" in folder.reason


@pytest.mark.unprivileged
@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads every file; CI runs this test as an unprivileged user "
                           "(.ci/unprivileged-tests.sh)")
def test_unreadable_file(tmp_path):
    path = make_wav(tmp_path / "locked.wav")
    path.chmod(0)
    try:
        info = inspect_audio(path)
    finally:
        path.chmod(0o644)
    assert not info.ok and "permission denied" in info.reason


# --- helpers ----------------------------------------------------------------------


def test_round_trip_through_dict(tmp_path):
    info = inspect_audio(make_wav(tmp_path / "b.wav", rate=16000, channels=2))
    assert AudioInfo.from_dict(info.to_dict()) == info


@pytest.mark.parametrize("size, text", [
    (0, "0 bytes"), (1, "1 byte"), (999, "999 bytes"), (1000, "1.0 KB"),
    (16_000, "16.0 KB"), (123_456, "123 KB"), (1_048_576, "1.0 MB"), (5_300_000_000, "5.3 GB"),
])
def test_format_size(size, text):
    assert format_size(size) == text


@pytest.mark.parametrize("seconds, text", [
    (0.25, "0.2 s"), (1, "0:01"), (59.6, "1:00"), (754, "12:34"), (3723, "1:02:03"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text
