import pytest

from console.domain.wording import plural


@pytest.mark.parametrize(("n", "one", "many", "expected"), [
    (1, "second", None, "1 second"),
    (2, "second", None, "2 seconds"),
    (0, "message", None, "0 messages"),
    (1.0, "second", None, "1 second"),
    (30.0, "second", None, "30 seconds"),
    (1.5, "second", None, "1.5 seconds"),
    (1500, "message", None, "1,500 messages"),
    (1, "entry", "entries", "1 entry"),
    (3, "entry", "entries", "3 entries"),
])
def test_plural(n, one, many, expected):
    assert plural(n, one, many) == expected
