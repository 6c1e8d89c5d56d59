"""multipart/form-data bodies, checked by parsing them back with python-multipart."""
from __future__ import annotations

import io

import pytest
from python_multipart import parse_form

from console.api.multipart import (
    FileUploadStream,
    SourceFileChanged,
    content_type_for,
    encode_fields,
    make_boundary,
)
from tests.helpers import run_async


def parse(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}

    def on_field(field):
        fields[field.field_name.decode()] = field.value.decode()

    def on_file(file):
        file.file_object.seek(0)
        files[file.field_name.decode()] = (file.file_name.decode(), file.file_object.read())

    headers = {"Content-Type": content_type.encode(), "Content-Length": str(len(body)).encode()}
    parse_form(headers, io.BytesIO(body), on_field, on_file)
    return fields, files


async def collect(stream) -> list[bytes]:
    return [chunk async for chunk in stream]


def test_text_fields_round_trip():
    values = [("from", "8459511000"), ("to", "8451234567"), ("body", 'Line 1\r\nLine "2" — café ☕')]
    boundary = make_boundary([v for _, v in values])
    body = encode_fields(values, boundary)
    fields, files = parse(body, f"multipart/form-data; boundary={boundary}")
    assert fields == dict(values)
    assert files == {}


def test_boundary_avoids_the_values():
    boundary = make_boundary(["abc"])
    assert boundary.startswith("voitex-") and len(boundary) > 30
    assert make_boundary() != make_boundary()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.wav", "audio/wav"), ("A.WAV", "audio/wav"), ("x.mp3", "audio/mpeg"),
     ("x.ogg", "application/octet-stream"), ("noext", "application/octet-stream")],
)
def test_content_type_for(name, expected):
    assert content_type_for(name) == expected


def _stream(data: bytes, *, filename="rec.wav", chunk_size=1024, on_progress=None, size=None):
    fields = [("album_number", "1"), ("sort_number", "5"), ("display_name", "Welcome")]
    return FileUploadStream(
        fields=fields,
        file_field="upload_file",
        filename=filename,
        fileobj=io.BytesIO(data),
        file_size=len(data) if size is None else size,
        boundary=make_boundary([v for _, v in fields]),
        chunk_size=chunk_size,
        on_progress=on_progress,
    )


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 10_000])
def test_file_stream_round_trip_and_length(size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    stream = _stream(data)
    chunks = run_async(collect(stream))
    body = b"".join(chunks)
    assert len(body) == stream.content_length
    fields, files = parse(body, stream.content_type)
    assert fields == {"album_number": "1", "sort_number": "5", "display_name": "Welcome"}
    assert files == {"upload_file": ("rec.wav", data)}
    assert all(len(c) <= 1024 for c in chunks[1:-1])


def test_file_name_is_quoted():
    stream = _stream(b"abc", filename='we"ird\nname.wav')
    body = b"".join(run_async(collect(stream)))
    assert b'filename="we%22ird%0Aname.wav"' in body
    assert b"Content-Type: audio/wav" in body


def test_progress_reports_monotonic_to_total():
    calls: list[tuple[int, int]] = []
    data = b"x" * 100_000
    run_async(collect(_stream(data, chunk_size=100, on_progress=lambda s, t: calls.append((s, t)))))
    assert calls[0] == (0, 100_000)
    assert calls[-1] == (100_000, 100_000)
    sent = [s for s, _ in calls]
    assert sent == sorted(sent)
    assert {t for _, t in calls} == {100_000}
    # about every hundredth of the file, not on each of the 1000 chunks
    assert 90 <= len(calls) <= 102


def test_progress_for_an_empty_file():
    calls: list[tuple[int, int]] = []
    run_async(collect(_stream(b"", on_progress=lambda s, t: calls.append((s, t)))))
    assert calls[0] == (0, 0) and calls[-1] == (0, 0)


@pytest.mark.parametrize(("actual", "announced"), [(b"x" * 5000, 6000), (b"x" * 5000, 4000), (b"", 10)])
def test_file_that_changed_size_is_detected(actual, announced):
    with pytest.raises(SourceFileChanged):
        run_async(collect(_stream(actual, size=announced)))
