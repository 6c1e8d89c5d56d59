"""Every failure class of the client becomes a sentence a non-programmer can act on."""
from __future__ import annotations

import pytest

from console import api
from console.ui.errors import describe_error


def make(cls, **attrs):
    err = cls.__new__(cls)
    Exception.__init__(err, "detail")
    defaults = {"status_code": None, "messages": [], "outcome_unknown": False,
                "retry_after": None, "field": "to"}
    for name, value in {**defaults, **attrs}.items():
        try:
            setattr(err, name, value)
        except AttributeError:
            pass
    return err


@pytest.mark.parametrize("cls, attrs, expected", [
    (api.KeyRefusedError, {"status_code": 401}, "The key for 'Main office' was refused: check it in Profile"),
    (api.RateLimitedError, {"status_code": 429, "retry_after": 30}, "Try again in 30 seconds"),
    (api.ConnectionFailedError, {}, "was not sent. Check the internet connection"),
    (api.OutcomeUnknownError, {"outcome_unknown": True}, "may have been sent. Check History before you send it again"),
    (api.ServerError, {"status_code": 500, "outcome_unknown": True}, "may have been sent"),
    (api.ServerError, {"status_code": 503}, "error 503"),
    (api.RequestRejectedError, {"status_code": 200, "messages": ["to is not valid"]}, "“to is not valid”"),
    (api.UnreadableReplyError, {"status_code": 502}, "HTTP 502"),
])
def test_each_failure_class_has_advice(cls, attrs, expected):
    text = describe_error(make(cls, **attrs), profile_name="Main office", action="the message")
    assert expected in text
    assert "Traceback" not in text
