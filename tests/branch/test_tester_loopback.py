"""The tester's verdicts on a real endpoint over loopback HTTP (no Qt)."""
import re

import pytest

from console.api.branch_endpoint import post_branch_request
from console.branch.request import Step, request_payload, sample_request
from console.branch.tester import interpret_reply
from tests.helpers import run_async


def try_endpoint(url, request=None, budget_s=3.0):
    request = request or sample_request()
    reply = run_async(post_branch_request(url, request_payload(request, cvv="send"),
                                          budget_s=budget_s))
    return interpret_reply(reply, budget_s=budget_s, secrets=request.cvvs())


@pytest.mark.parametrize("path, kind, status, words", [
    ("/valid", "valid", "HTTP 200 OK",
     "The reply is a valid response. The call plays 1 text-to-speech item and offers the "
     "keys 1, 2."),
    ("/invalid", "invalid", "HTTP 200 OK",
     "The reply is not a response Voitex can rely on: 2 problems, 1 warning, 1 note."),
    ("/lenient", "invalid", "HTTP 200 OK",
     "The reply is not a response Voitex can rely on: it has trailing commas, which strict "
     "JSON readers refuse."),
    ("/html", "not_json", "HTTP 200 OK",
     "The endpoint answered with a web page (HTML) instead of JSON."),
    ("/500", "http_error", "HTTP 500 Internal Server Error",
     "The endpoint answered HTTP 500 Internal Server Error instead of 200 OK. Voitex gets no "
     "instructions from such a reply."),
    ("/notjson", "not_json", "HTTP 200 OK", "The reply is not JSON Voitex can read."),
    ("/empty", "not_json", "HTTP 200 OK", "The endpoint answered 200 OK with an empty body."),
])
def test_each_reply_gets_its_message(fake_endpoint, path, kind, status, words):
    outcome = try_endpoint(fake_endpoint.url(path))
    assert outcome.kind == kind
    assert outcome.status_text == status
    assert outcome.headline.startswith(words)
    assert not outcome.over_budget


def test_a_slow_endpoint_is_reported_as_too_slow_for_a_live_call(fake_endpoint):
    outcome = try_endpoint(fake_endpoint.url("/slow"), budget_s=0.3)
    assert outcome.kind == "no_reply"
    assert outcome.over_budget
    assert outcome.headline.startswith("No reply from 127.0.0.1:")
    assert ("within the 0.3 s budget. A caller on a live call would be kept waiting"
            in outcome.headline)


def test_the_endpoint_gets_the_cvv_but_the_outcome_never_shows_it(fake_endpoint):
    request = sample_request()
    outcome = try_endpoint(fake_endpoint.url("/echo"), request)
    assert fake_endpoint.received[-1]["body"]["payment_info"][0]["cvv"] == 987
    assert '"cvv": 987' in fake_endpoint.received[-1]["raw"]
    assert '\\"cvv\\": ***' in outcome.reply_text
    assert not re.search(r"(?<![0-9])987(?![0-9])", outcome.reply_text)
    assert outcome.echoed_secret
    assert "repeats the card verification value" in outcome.findings[0].message


def test_the_menu_endpoint_answers_by_the_last_branch_step(fake_endpoint):
    base = sample_request(with_payment=False)
    first = base.__class__(**{**base.__dict__, "branch_data": (Step("0"),)})
    top = try_endpoint(fake_endpoint.url("/menu"), first)
    assert top.design.inputs == (("1", "100"), ("2", "200"))
    second = try_endpoint(fake_endpoint.url("/menu"), first.with_step(Step("100", "1")))
    assert second.design.inputs == (("9", "0"),)
