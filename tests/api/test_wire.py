"""Request building and argument checks (pure)."""
from __future__ import annotations

import os

import pytest

from console.api import InvalidArgumentError
from console.api.wire import (
    PATHS,
    call_fields,
    check_auth_key,
    check_base_url,
    decimal_field,
    is_loopback_host,
    normalize_phone,
    sms_fields,
    tts_fields,
    upload_fields,
)


def test_paths_are_the_documented_ones():
    assert PATHS == {
        "upload": "/recordings/upload/index.php",
        "tts": "/v1/recordings/upload/",
        "call": "/v1/call/index.php",
        "sms": "/v1/sms/send/index.php",
    }


@pytest.mark.parametrize(
    "text",
    [
        "8459511000",
        "(845) 951-1000",
        "(845)951-1000",
        "845.951.1000",
        "845-951-1000",
        "845 951 1000",
        "+1 845 951 1000",
        "+1 845-951-1000",
        "+18459511000",
        "1-845-951-1000",
        "1 (845) 951-1000",
        "18459511000",
        "  8459511000  ",
    ],
)
def test_phone_forms_accepted(text):
    assert normalize_phone(text, field="to") == "8459511000"


def test_phone_as_int_accepted():
    assert normalize_phone(8459511000, field="to") == "8459511000"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "845951100",  # 9 digits
        "84595110001",  # 11 digits not starting with 1
        "28459511000",
        "+44 20 7946 0958",
        "+2 845 951 1000",
        "1845951100",  # area code may not start with 1
        "0459511000",  # nor with 0
        "845-951-1000 x12",
        "845-951-10OO",
        "(845 951-1000",
        "845--951-1000",
        "8459511000;8451234567",
        "١٢٣٤٥٦٧٨٩٠",  # non-ASCII digits
    ],
)
def test_phone_forms_refused_naming_the_field(text):
    with pytest.raises(InvalidArgumentError) as info:
        normalize_phone(text, field="from_number")
    assert info.value.field == "from_number"
    assert "from_number" in str(info.value)


@pytest.mark.parametrize("value", [None, True, 3.5, ["8459511000"]])
def test_phone_wrong_types_refused(value):
    with pytest.raises(InvalidArgumentError) as info:
        normalize_phone(value, field="to")
    assert info.value.field == "to"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (5, "5"), ("5", "5"), ("05", "5"), (" 15 ", "15"), (1234567, "1234567")],
)
def test_decimal_field_accepts(value, expected):
    assert decimal_field(value, field="album_number") == expected


@pytest.mark.parametrize("value", [-1, "-1", "1.5", 1.0, "", " ", "five", True, False, "٣", None, "0x10"])
def test_decimal_field_refuses(value):
    with pytest.raises(InvalidArgumentError) as info:
        decimal_field(value, field="sort_number")
    assert info.value.field == "sort_number"
    assert "sort_number" in str(info.value)


def test_decimal_field_optional():
    assert decimal_field(None, field="sort_number", optional=True) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.voitex.com", "https://api.voitex.com"),
        ("https://api.voitex.com/", "https://api.voitex.com"),
        ("https://example.com:8443/prefix/", "https://example.com:8443/prefix"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.5.6.7:1", "http://127.5.6.7:1"),
        ("http://localhost:9000/", "http://localhost:9000"),
        ("http://LOCALHOST:9000", "http://LOCALHOST:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://[::ffff:127.0.0.1]:9000", "http://[::ffff:127.0.0.1]:9000"),
    ],
)
def test_base_url_accepted(url, expected):
    assert check_base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://api.voitex.com",
        "http://10.0.0.5:8080",
        "http://192.168.1.2",
        "http://128.0.0.1",
        "http://[::2]:80",
        "http://localhost.example.com",
        "http://0.0.0.0:8000",
        "ftp://api.voitex.com",
        "api.voitex.com",
        "https://",
        "https://user:pw@api.voitex.com",
        "https://api.voitex.com/?x=1",
        "https://api.voitex.com:99999",
        "",
        None,
    ],
)
def test_base_url_refused(url):
    with pytest.raises(InvalidArgumentError) as info:
        check_base_url(url)
    assert info.value.field == "base_url"


def test_plain_http_refusal_says_why():
    with pytest.raises(InvalidArgumentError) as info:
        check_base_url("http://api.voitex.com")
    text = str(info.value)
    assert "http://" in text and "api.voitex.com" in text and "https://" in text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("::ffff:127.0.0.1", True),
        ("126.255.255.255", False),
        ("::", False),
        ("example.com", False),
        ("localhostx", False),
    ],
)
def test_is_loopback_host(host, loopback):
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("key", ["", "   ", None, 12345, "has space", "line\nbreak", "clé"])
def test_auth_key_refused_without_quoting_it(key):
    with pytest.raises(InvalidArgumentError) as info:
        check_auth_key(key)
    assert info.value.field == "auth_key"
    if isinstance(key, str) and key.strip():
        assert key not in str(info.value) and key not in repr(info.value)


def test_auth_key_trimmed():
    assert check_auth_key("  abc123  ") == "abc123"


def test_upload_fields(tmp_path):
    f = tmp_path / "a.wav"
    f.write_bytes(b"RIFF")
    path, fields = upload_fields(f, album_number=1, sort_number="05", display_name=" Welcome ")
    assert path == f
    assert fields == [("album_number", "1"), ("sort_number", "5"), ("display_name", "Welcome")]
    _, fields = upload_fields(str(f), album_number="1", sort_number=5)
    assert fields == [("album_number", "1"), ("sort_number", "5")]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"album_number": -1, "sort_number": 5}, "album_number"),
        ({"album_number": 1, "sort_number": "x"}, "sort_number"),
        ({"album_number": 1, "sort_number": None}, "sort_number"),
        ({"album_number": 1, "sort_number": 5, "display_name": 7}, "display_name"),
    ],
)
def test_upload_fields_refused(tmp_path, kwargs, field):
    f = tmp_path / "a.wav"
    f.write_bytes(b"RIFF")
    with pytest.raises(InvalidArgumentError) as info:
        upload_fields(f, **kwargs)
    assert info.value.field == field


def test_upload_path_must_exist_and_be_a_file(tmp_path):
    for bad in (tmp_path / "missing.wav", tmp_path, "", 42):
        with pytest.raises(InvalidArgumentError) as info:
            upload_fields(bad, album_number=1, sort_number=1)
        assert info.value.field == "path"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_upload_path_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    with pytest.raises(InvalidArgumentError) as info:
        upload_fields(fifo, album_number=1, sort_number=1)
    assert info.value.field == "path"


def test_tts_fields():
    assert tts_fields(text="Hello", album_number=1, sort_number=15) == [
        ("album_number", "1"),
        ("sort_number", "15"),
        ("type", "tts"),
        ("text", "Hello"),
    ]
    assert tts_fields(text="Hello", album_number="2") == [("album_number", "2"), ("type", "tts"), ("text", "Hello")]
    assert len(tts_fields(text="a" * 3000, album_number=1)[-1][1]) == 3000


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": "", "album_number": 1}, "text"),
        ({"text": "  \n", "album_number": 1}, "text"),
        ({"text": None, "album_number": 1}, "text"),
        ({"text": "a" * 3001, "album_number": 1}, "text"),
        ({"text": "Hi", "album_number": "one"}, "album_number"),
        ({"text": "Hi", "album_number": 1, "sort_number": -3}, "sort_number"),
    ],
)
def test_tts_fields_refused(kwargs, field):
    with pytest.raises(InvalidArgumentError) as info:
        tts_fields(**kwargs)
    assert info.value.field == field


def test_call_fields_stream_and_goto():
    assert call_fields(cid="(845) 951-1000", to="+1 845 500 9999", type="stream", sfile_id="918357") == [
        ("cid", "8459511000"),
        ("to", "8455009999"),
        ("type", "stream"),
        ("sfile_id", "918357"),
    ]
    assert call_fields(
        cid="8459511000", to="8455009999", type="GOTO", route_number="845.951.1000", branch_number=150
    ) == [
        ("cid", "8459511000"),
        ("to", "8455009999"),
        ("type", "goto"),
        ("route_number", "8459511000"),
        ("branch_number", "150"),
    ]


_STREAM = {"cid": "8459511000", "to": "8455009999", "type": "stream"}
_GOTO = {"cid": "8459511000", "to": "8455009999", "type": "goto"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cid": "123", "to": "8455009999", "type": "stream", "sfile_id": "1"}, "cid"),
        ({"cid": "8459511000", "to": "abc", "type": "stream", "sfile_id": "1"}, "to"),
        ({"cid": "8459511000", "to": "8455009999", "type": "play", "sfile_id": "1"}, "type"),
        ({"cid": "8459511000", "to": "8455009999", "type": None}, "type"),
        ({"cid": "8459511000", "to": "8455009999", "type": "stream"}, "sfile_id"),
        ({"cid": "8459511000", "to": "8455009999", "type": "stream", "sfile_id": "abc"}, "sfile_id"),
        ({**_STREAM, "sfile_id": "1", "route_number": "8459511000"}, "route_number"),
        ({**_STREAM, "sfile_id": "1", "branch_number": "150"}, "branch_number"),
        ({**_GOTO, "branch_number": "150"}, "route_number"),
        ({**_GOTO, "route_number": "8459511000"}, "branch_number"),
        ({**_GOTO, "route_number": "12", "branch_number": "150"}, "route_number"),
        ({**_GOTO, "route_number": "8459511000", "branch_number": "8459-511000"}, "branch_number"),
        ({**_GOTO, "route_number": "8459511000", "branch_number": "1", "sfile_id": "1"}, "sfile_id"),
    ],
)
def test_call_fields_refused(kwargs, field):
    with pytest.raises(InvalidArgumentError) as info:
        call_fields(**kwargs)
    assert info.value.field == field
    assert field in str(info.value)


def test_sms_fields():
    assert sms_fields(from_number="845-951-1000", to="(845) 123-4567", body="Your order is ready") == [
        ("from", "8459511000"),
        ("to", "8451234567"),
        ("body", "Your order is ready"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"from_number": "1", "to": "8451234567", "body": "x"}, "from_number"),
        ({"from_number": "8459511000", "to": "", "body": "x"}, "to"),
        ({"from_number": "8459511000", "to": "8451234567", "body": ""}, "body"),
        ({"from_number": "8459511000", "to": "8451234567", "body": " \t"}, "body"),
        ({"from_number": "8459511000", "to": "8451234567", "body": None}, "body"),
    ],
)
def test_sms_fields_refused(kwargs, field):
    with pytest.raises(InvalidArgumentError) as info:
        sms_fields(**kwargs)
    assert info.value.field == field
