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
    (api.RateLimitedError, {"status_code": 429, "retry_after": 1}, "Try again in 1 second."),
    (api.RateLimitedError, {"status_code": 429, "retry_after": 0.4}, "Try again in 1 second."),
    (api.ConnectionFailedError, {}, "was not sent. Check the internet connection"),
    (api.OutcomeUnknownError, {"outcome_unknown": True},
     "the message may or may not have been sent. Check History before sending it again."),
    (api.ServerError, {"status_code": 500, "outcome_unknown": True}, "may or may not have been sent"),
    (api.ServerError, {"status_code": 503}, "error 503"),
    (api.RequestRejectedError, {"status_code": 200, "messages": ["to is not valid"]}, "“to is not valid”"),
    (api.UnreadableReplyError, {"status_code": 502}, "HTTP 502"),
])
def test_each_failure_class_has_advice(cls, attrs, expected):
    text = describe_error(make(cls, **attrs), profile_name="Main office", action="the message")
    assert expected in text
    assert "Traceback" not in text


def test_unknown_outcome_names_what_to_check():
    err = make(api.OutcomeUnknownError, outcome_unknown=True)
    text = describe_error(err, profile_name="Main office", action="the call", done_verb="placed",
                          check="Check History, or ask the person called, before calling again.")
    assert text == ("Voitex did not answer clearly, so the call may or may not have been placed. "
                    "Check History, or ask the person called, before calling again.")
