import json
import socket

import pytest

from console.api.branch_endpoint import EndpointReply, check_endpoint_url, post_branch_request
from tests.branch.fake_endpoint import DOC_RESPONSE_SAMPLE, VALID_REPLY
from tests.helpers import run_async

PAYLOAD = {"call_id": "AST10-1.1", "branch_data": [{"branch": "0", "input": ""}],
           "payment_info": [{"last_four": "4444", "cvv": 987}]}


def post(url, payload=PAYLOAD, budget_s=3.0) -> EndpointReply:
    return run_async(post_branch_request(url, payload, budget_s=budget_s))


def test_posts_the_payload_as_json_and_returns_the_reply(fake_endpoint):
    reply = post(fake_endpoint.url("/valid"))
    assert reply.error is None and reply.error_kind is None
    assert reply.status_code == 200
    assert json.loads(reply.text) == VALID_REPLY
    assert reply.headers["content-type"] == "application/json"
    assert 0 < reply.elapsed_s < 3.0
    received = fake_endpoint.received[-1]
    assert received["body"] == PAYLOAD
    assert received["content_type"] == "application/json"


def test_the_sample_with_trailing_commas_arrives_verbatim(fake_endpoint):
    assert post(fake_endpoint.url("/lenient")).text == DOC_RESPONSE_SAMPLE


@pytest.mark.parametrize("path, status, starts", [
    ("/500", 500, "Internal Server Error"),
    ("/html", 200, "<!DOCTYPE html>"),
    ("/notjson", 200, "OK"),
    ("/empty", 200, ""),
    ("/nowhere", 404, "Not Found"),
])
def test_any_http_reply_is_returned_as_it_came(fake_endpoint, path, status, starts):
    reply = post(fake_endpoint.url(path))
    assert reply.status_code == status
    assert reply.error is None
    assert reply.text.startswith(starts)


def test_redirects_are_not_followed(fake_endpoint):
    reply = post(fake_endpoint.url("/redirect"))
    assert reply.status_code == 302
    assert reply.headers["location"] == "https://example.com/new"
    assert [r["path"] for r in fake_endpoint.received] == ["/redirect"]


def test_a_slow_endpoint_runs_out_of_the_budget(fake_endpoint):
    fake_endpoint.slow_delay = 5.0
    reply = post(fake_endpoint.url("/slow"), budget_s=0.3)
    assert reply.status_code is None
    assert reply.error_kind == "timeout"
    assert "within the 0.3 s budget" in reply.error
    assert reply.elapsed_s >= 0.3  # the whole budget was spent waiting


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nothing_listening_is_a_connection_failure_in_words():
    reply = post(f"http://127.0.0.1:{_closed_port()}/branch")
    assert reply.status_code is None
    assert reply.error_kind == "connect"
    assert reply.error.startswith("Could not connect to 127.0.0.1:")
    assert "is the endpoint running" in reply.error


@pytest.mark.parametrize("url, words", [
    ("", "Enter the endpoint's address"),
    ("   ", "Enter the endpoint's address"),
    ("ftp://example.com/branch", "must start with http:// or https://"),
    ("file:///etc/passwd", "must start with http:// or https://"),
    ("javascript:alert(1)", "must start with http:// or https://"),
    ("example.com/branch", "must start with http:// or https://"),
    ("https://", "no host name"),
    ("http://example.com:99999/x", "port"),
])
def test_addresses_that_are_not_http_are_refused_before_anything_is_sent(url, words):
    assert words in check_endpoint_url(url)
    reply = post(url)
    assert reply.status_code is None
    assert reply.error_kind == "invalid_url"
    assert words in reply.error
    assert reply.elapsed_s == 0.0


@pytest.mark.parametrize("url",
                         ["http://127.0.0.1:8080/x", "HTTPS://example.com", " https://a.b/c "])
def test_http_and_https_addresses_are_accepted(url):
    assert check_endpoint_url(url) is None


@pytest.mark.parametrize("budget", [0, -1, float("nan"), float("inf")])
def test_a_budget_must_be_positive_seconds(budget, fake_endpoint):
    reply = post(fake_endpoint.url("/valid"), budget_s=budget)
    assert reply.error_kind == "invalid_budget"
    assert fake_endpoint.received == []


def test_a_password_in_the_address_never_reaches_the_message():
    reply = post(f"http://user:s3cret@127.0.0.1:{_closed_port()}/x")
    assert reply.error_kind == "connect"
    assert "s3cret" not in reply.error


# --- card data never crosses the network unencrypted ----------------------

from console.api.branch_endpoint import card_data_refusal, carries_card_data  # noqa: E402

NO_CARD = {"call_id": "AST10-1689867312.264", "cid": "8459511000", "date_time": "2023-07-20 11:35:35",
           "branch_data": [{"branch": "0", "input": "1"}], "payment_info": [], "variables": [{"pin": "123"}]}


@pytest.mark.parametrize("payload, expected", [
    (NO_CARD, False),
    (PAYLOAD, True),
    ({"payment_info": [{"last_four": "4444"}]}, True),
    ({"payment_info": [{"amount": "57"}]}, True),  # a payment is card data as a whole
    ({"variables": [{"CVV ": "123"}]}, True),
    ({"variables": [{"card_number": "4111 1111 1111 1111"}]}, True),
    ({"variables": [{"note": "4111-1111-1111-1111"}]}, True),  # a card number under any key
    ({"variables": [{"note": "4111111111111112"}]}, False),  # not Luhn-valid
    ({"variables": [{"cvv": ""}]}, False),
    ({"cid": "8459511000", "did": "8459511110"}, False),
])
def test_carries_card_data_table(payload, expected):
    assert carries_card_data(payload) is expected


@pytest.mark.parametrize("url, refused", [
    ("http://example.com/branch", True),
    ("HTTP://10.0.0.5:8080/branch", True),
    ("https://example.com/branch", False),
    ("http://127.0.0.1:8000/branch", False),
    ("http://localhost/branch", False),
    ("http://[::1]:9000/branch", False),
])
def test_card_data_refusal_table(url, refused):
    assert (card_data_refusal(url, PAYLOAD) is not None) is refused
    assert card_data_refusal(url, NO_CARD) is None


def test_card_data_is_not_posted_over_plain_http_to_another_host():
    # Nothing listens at 192.0.2.1 (TEST-NET-1): an attempt would time out or
    # fail to connect, not come back at once with this message.
    reply = post("http://192.0.2.1:8080/branch", PAYLOAD, budget_s=3.0)
    assert reply.status_code is None
    assert reply.error_kind == "invalid_url"
    assert reply.elapsed_s == 0.0
    assert reply.error.startswith("Not sent: this request carries card data")
    assert "https://" in reply.error and "192.0.2.1:8080" in reply.error
    assert "987" not in reply.error


def test_a_request_without_card_data_may_go_over_plain_http(fake_endpoint):
    reply = post(fake_endpoint.url("/valid"), NO_CARD)
    assert reply.status_code == 200
