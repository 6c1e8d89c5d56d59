import json

import pytest

from console.api.branch_endpoint import EndpointReply
from console.branch.request import BranchRequest, Payment, request_payload
from console.branch.schema import Design, TtsPlay
from console.branch.tester import EndpointRun, describe_design, interpret_reply, runs_to_json, status_text, timing_text
from tests.branch.fake_endpoint import DOC_RESPONSE_SAMPLE

JSON = {"content-type": "application/json"}


def reply(status=200, text="", headers=None, elapsed=0.1, error=None, kind=None):
    return EndpointReply(status_code=status, elapsed_s=elapsed, text=text,
                         headers=JSON if headers is None else headers, error=error,
                         error_kind=kind)


@pytest.mark.parametrize("given, kind, words", [
    (reply(text='{"goto": "150"}'), "valid", ["valid response", "goes to branch 150"]),
    (reply(text='{"play": [{"type": "tts", "text": "Hi"}], "inputs": {"1": "2", "#": "3"}}'),
     "valid", ["plays 1 text-to-speech item", "offers the keys 1, #"]),
    (reply(text="{}"), "valid", ["asks for nothing"]),
    (reply(text='{"goto": "abc"}'), "invalid", ["not a response Voitex can rely on", "1 problem"]),
    (reply(text=DOC_RESPONSE_SAMPLE), "invalid", ["trailing commas", "goes to branch 150"]),
    (reply(text="[1, 2]"), "invalid", ["JSON but not a branch response", "must be a JSON object"]),
    (reply(text="OK", headers={"content-type": "text/plain"}), "not_json",
     ["not JSON Voitex can read", "Line 1, column 1"]),
    (reply(text="<!DOCTYPE html><html><body>Fatal error</body></html>",
           headers={"content-type": "text/html"}), "not_json", ["web page (HTML)"]),
    (reply(text="   "), "not_json", ["empty body", "{}"]),
    (reply(status=500, text="Internal Server Error"), "http_error",
     ["HTTP 500 Internal Server Error", "instead of 200 OK"]),
    (reply(status=404, text="nope"), "http_error", ["HTTP 404 Not Found"]),
    (reply(status=302, headers={"Location": "https://example.com/new"}), "http_error",
     ["HTTP 302 Found", "https://example.com/new"]),
    (reply(status=None, elapsed=3.0, error="No reply from x within the 3 s budget.",
           kind="timeout"), "no_reply", ["No reply from x within the 3 s budget."]),
    (reply(status=None, elapsed=0.01, error="Could not connect to x: refused", kind="connect"),
     "no_reply", ["Could not connect"]),
])
def test_each_kind_of_reply_gets_its_verdict_and_words(given, kind, words):
    outcome = interpret_reply(given, budget_s=3.0)
    assert outcome.kind == kind
    assert outcome.ok is (kind == "valid")
    for text in words:
        assert text in outcome.headline


def test_a_valid_reply_comes_back_as_a_design_with_its_findings():
    outcome = interpret_reply(reply(text='{"goto": "5", "play": [{"type": "tts", "text": "x"}]}'),
                              budget_s=3.0)
    assert outcome.design == Design(goto="5", play=(TtsPlay("x"),))
    assert [f.code for f in outcome.findings] == ["goto.editions_differ"]
    assert outcome.status_text == "HTTP 200 OK"


def test_timing_against_the_budget():
    fast = interpret_reply(reply(text="{}", elapsed=0.25), budget_s=3.0)
    assert fast.timing_text == "0.25 s of the 3 s budget"
    assert not fast.over_budget and not fast.near_budget
    near = interpret_reply(reply(text="{}", elapsed=2.7), budget_s=3.0)
    assert near.near_budget and not near.over_budget
    late = interpret_reply(reply(text="{}", elapsed=3.4), budget_s=3.0)
    assert late.over_budget and "too late" in late.headline
    timeout = interpret_reply(reply(status=None, elapsed=2.99, error="No reply", kind="timeout"),
                              budget_s=3.0)
    assert timeout.over_budget
    refused = interpret_reply(reply(status=None, elapsed=0.01, error="refused", kind="connect"),
                              budget_s=3.0)
    assert not refused.over_budget


def test_a_reply_repeating_the_cvv_is_masked_and_flagged():
    echoed = json.dumps({"variables": {"echo": '{"cvv": 7319, "zip": "10950"}'}})
    outcome = interpret_reply(reply(text=echoed, headers={"content-type": "application/json",
                                                          "x-debug": "cvv=7319"}),
                              budget_s=3.0, secrets=("7319",))
    assert "7319" not in outcome.reply_text
    assert "7319" not in repr(outcome.headers)
    assert "7319" not in json.dumps(outcome.design.variables)
    assert outcome.echoed_secret
    assert outcome.kind == "invalid"
    assert outcome.findings[0].code == "reply.echoed_cvv"


def test_an_unusual_content_type_is_a_note_not_a_failure():
    outcome = interpret_reply(reply(text='{"goto": "1"}', headers={"Content-Type": "text/plain"}),
                              budget_s=3.0)
    assert outcome.kind == "valid"
    assert any(f.code == "reply.content_type" and f.severity == "info" for f in outcome.findings)


@pytest.mark.parametrize("code, text",
                         [(200, "HTTP 200 OK"), (599, "HTTP 599"), (None, "No reply")])
def test_status_text(code, text):
    assert status_text(code) == text


def test_timing_text_of_long_waits():
    assert timing_text(12.345, 30) == "12.3 s of the 30 s budget"


def test_describe_design_counts_in_words():
    design = Design(goto="9", play=(TtsPlay("a"), TtsPlay("b")), inputs=(("1", "2"),),
                    variables=(("a", "1"),))
    assert describe_design(design) == ("The call plays 2 text-to-speech items, offers the key 1, "
                                       "goes to branch 9 and sets 1 variable.")


def test_saved_runs_hold_everything_but_the_cvv():
    request = BranchRequest(call_id="AST10-1.2", date_time="2023-07-20 11:35:35",
                            payment_info=(Payment(last_four="4444", cvv="7319", amount="57"),))
    outcome = interpret_reply(reply(text='{"echo": "7319"}'), budget_s=3.0,
                              secrets=request.cvvs())
    run = EndpointRun(sent_at="2023-07-20 11:35:36", url="http://127.0.0.1/x", budget_s=3.0,
                    request=request_payload(request, cvv="omit"), status_code=200,
                    elapsed_s=0.1, outcome=outcome)
    text = runs_to_json([run])
    assert "7319" not in text
    saved = json.loads(text)["test_runs"][0]
    assert saved["request"]["payment_info"][0] == {
        "last_four": "4444", "expiration": "", "zip": "", "phone": "", "amount": "57",
        "transaction_id": ""}
    assert saved["request"]["call_id"] == "AST10-1.2"
    assert saved["status_code"] == 200 and saved["outcome"] == "invalid"
    assert "11:35:36" in run.title() and "HTTP 200 OK" in run.title()


def test_a_redirect_that_carries_the_cvv_never_shows_it():
    reply = EndpointReply(status_code=302, elapsed_s=0.1, text="",
                          headers={"location": "https://example.com/next?cvv=987"})
    outcome = interpret_reply(reply, budget_s=3.0, secrets=("987",))
    assert "987" not in outcome.headline
    assert all("987" not in value for _, value in outcome.headers)
    assert outcome.echoed_secret


# -- walking a call, and the reply as it arrived (issue 10) --------------------------

from console.branch.request import Step  # noqa: E402
from console.branch.tester import reply_as_received, walk_steps  # noqa: E402


@pytest.mark.parametrize("steps, target, key, expected", [
    # The key goes on the branch where it was pressed; the caller is then in the target.
    ((Step("0"),), "1000", "1", (Step("0", "1"), Step("1000"))),
    ((Step("0", "1"), Step("1000")), "2100", "3",
     (Step("0", "1"), Step("1000", "3"), Step("2100"))),
    # Something was already keyed in this branch (a PIN): a second step for it.
    ((Step("0", "1"), Step("1000", "17")), "2100", "3",
     (Step("0", "1"), Step("1000", "17"), Step("1000", "3"), Step("2100"))),
    # Following "goto" presses nothing.
    ((Step("0", "1"), Step("1000")), "150", None,
     (Step("0", "1"), Step("1000"), Step("150"))),
    ((), "0", None, (Step("0"),)),
])
def test_walk_steps_records_the_key_where_it_was_pressed(steps, target, key, expected):
    assert walk_steps(steps, target, key) == expected


@pytest.mark.parametrize("text, expected", [
    ('{"play": [{"type": "file", "album": "10"}]}',
     '{\n  "play": [\n    {\n      "type": "file",\n      "album": "10"\n    }\n  ]\n}'),
    ('{"inputs": {"1": "3", "1": "4",}}',
     '{\n  "inputs": {\n    "1": "3",\n    "1": "4"\n  }\n}'),
    ('{"goto": 150, "variables": {}}', '{\n  "goto": 150,\n  "variables": {}\n}'),
    ("OK", ""),
    ("", ""),
])
def test_reply_as_received_adds_and_drops_nothing(text, expected):
    assert reply_as_received(text) == expected
