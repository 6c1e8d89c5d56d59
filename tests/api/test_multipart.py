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


# --- real files: read by offset, from the page cache when it holds them ----

from console.api import multipart as multipart_module  # noqa: E402


def _file_stream(path, *, chunk_size=1024, size=None, on_progress=None):
    fileobj = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the caller
    stream = FileUploadStream(
        fields=[("album_number", "1")],
        file_field="upload_file",
        filename=path.name,
        fileobj=fileobj,
        file_size=path.stat().st_size if size is None else size,
        boundary=make_boundary(["1"]),
        chunk_size=chunk_size,
        on_progress=on_progress,
    )
    return fileobj, stream


@pytest.fixture(params=["page cache", "worker thread"])
def read_path(request, monkeypatch):
    """Both ways a chunk is read: at once from the page cache, or on a worker
    thread (where RWF_NOWAIT does not exist, or the data is not cached)."""
    if request.param == "worker thread":
        monkeypatch.setattr(multipart_module, "_NOWAIT", None)
    elif multipart_module._NOWAIT is None:
        pytest.skip("this system has no RWF_NOWAIT reads")
    return request.param


@pytest.mark.parametrize("size", [0, 1, 1000, 1024, 1025, 5000, 70_000, 200_000])
@pytest.mark.parametrize("chunk_size", [1024, 64 * 1024, 1024 * 1024])
def test_real_file_round_trip(tmp_path, read_path, size, chunk_size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "rec.wav"
    path.write_bytes(data)
    calls = []
    fileobj, stream = _file_stream(path, chunk_size=chunk_size, on_progress=lambda s, t: calls.append(s))
    with fileobj:
        chunks = run_async(collect(stream))
    body = b"".join(chunks)
    assert len(body) == stream.content_length
    assert parse(body, stream.content_type)[1] == {"upload_file": ("rec.wav", data)}
    assert calls[0] == 0 and calls[-1] == size
    if size <= min(chunk_size, multipart_module.COALESCE_BYTES):
        assert len(chunks) == 1  # fields, file and closing boundary in one write


@pytest.mark.parametrize(("actual", "announced"), [(5000, 6000), (5000, 4000), (0, 10), (200_000, 150_000)])
def test_real_file_that_changed_size_is_detected(tmp_path, read_path, actual, announced):
    path = tmp_path / "rec.wav"
    path.write_bytes(b"x" * actual)
    fileobj, stream = _file_stream(path, chunk_size=64 * 1024, size=announced)
    with fileobj, pytest.raises(SourceFileChanged):
        run_async(collect(stream))


def test_read_cached_wants_what_is_expected(tmp_path):
    if multipart_module._NOWAIT is None:
        pytest.skip("this system has no RWF_NOWAIT reads")
    path = tmp_path / "f.bin"
    path.write_bytes(b"abcdef")
    with open(path, "rb", buffering=0) as f:
        assert multipart_module._read_cached(f.fileno(), 4, 1, 4) == b"bcde"
        assert multipart_module._read_cached(f.fileno(), 10, 0, 6) == b"abcdef"  # the end of the file
        assert multipart_module._read_cached(f.fileno(), 10, 0, 7) is None  # fewer than expected
