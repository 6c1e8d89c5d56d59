import json
import random
import re
from datetime import datetime

import pytest

from console.branch.request import (
    CVV_MASK,
    BranchRequest,
    Payment,
    RequestFormatError,
    Step,
    new_call_id,
    parse_request,
    request_payload,
    request_to_json,
    sample_request,
    scrub,
    validate_request,
)

# The documentation's request sample, verbatim.
DOC_REQUEST_SAMPLE = (
    '{ "call_id":"AST10-1689867312.264", "cid":"8459511000", "cnam":"VOITEX", '
    '"contact_info":"null", "date_time":"2023-07-20 11:35:35", "did":"8459511110", '
    '"branch_data":[ {"branch":"0","input":"1"}, {"branch":"1000","input":"17"} ], '
    '"payment_info":[{ "last_four":"4444", "expiration":"0126", "cvv":987, "zip":"10950", '
    '"phone":"8451239876", "amount":"57", "transaction_id":"875891" }], '
    '"variables":[{ "caller_pin ":"123", "var_2":"var_val" }] }'
)
MOMENT = datetime(2023, 7, 20, 11, 35, 35)


def test_call_ids_look_like_voitex_ones():
    call_id = new_call_id(1689867312.9, random.Random(1))
    assert re.fullmatch(r"AST10-1689867312\.\d{1,3}", call_id)
    assert re.fullmatch(r"AST10-\d{10}\.\d{1,3}", new_call_id())


def test_the_sample_request_is_the_documentation_sample_with_a_fresh_call_id():
    request = sample_request(now=MOMENT, rng=random.Random(7))
    payload = request_payload(request, cvv="send")
    expected = json.loads(DOC_REQUEST_SAMPLE)
    assert payload["call_id"].startswith("AST10-")
    payload["call_id"] = expected["call_id"]
    assert payload == expected
    assert list(payload) == list(expected)
    assert payload["payment_info"][0]["cvv"] == 987  # a number, as in the sample


def test_the_sample_without_payment_has_none():
    assert sample_request(with_payment=False).payment_info == ()


@pytest.mark.parametrize("cvv, sent, masked", [
    ("987", 987, CVV_MASK),
    ("0123", "0123", CVV_MASK),  # as a number its leading zero would be lost
    ("", "", ""),
])
def test_cvv_modes(cvv, sent, masked):
    request = BranchRequest(call_id="AST10-1.1", payment_info=(Payment(last_four="4444", cvv=cvv),))
    assert request_payload(request, cvv="send")["payment_info"][0]["cvv"] == sent
    assert request_payload(request, cvv="mask")["payment_info"][0]["cvv"] == masked
    omitted = request_payload(request, cvv="omit")["payment_info"][0]
    assert "cvv" not in omitted and omitted["last_four"] == "4444"


def test_json_for_screen_and_files_never_holds_the_cvv():
    request = sample_request(now=MOMENT)
    for mode in ("mask", "omit"):
        for compact in (False, True):
            text = request_to_json(request, cvv=mode, compact=compact)
            assert not re.search(r"(?<![0-9])987(?![0-9])", text)
    assert '"cvv": 987' in request_to_json(request, cvv="send")


def test_variables_are_one_object_in_a_list_and_the_last_duplicate_wins():
    request = BranchRequest(call_id="x", variables=(("a", "1"), ("b", "2"), ("a", "3")))
    assert request_payload(request, cvv="omit")["variables"] == [{"a": "3", "b": "2"}]
    assert request_payload(BranchRequest(call_id="x"), cvv="omit")["variables"] == []


@pytest.mark.parametrize("text, secrets, expected", [
    ('{"cvv": 987}', ("987",), '{"cvv": ***}'),
    ("card 987, order 49870, 9876", ("987",), "card ***, order 49870, 9876"),
    ("nothing here", ("987",), "nothing here"),
    ("x 987 y 1234", ("987", "1234", ""), "x *** y ***"),
    ("abc", (), "abc"),
])
def test_scrub_masks_whole_occurrences_only(text, secrets, expected):
    assert scrub(text, secrets) == expected


def test_with_step_and_current_branch():
    request = BranchRequest(call_id="x", branch_data=(Step("0", ""),))
    walked = request.with_step(Step("100", "1"))
    assert walked.current_branch == "100"
    assert request.current_branch == "0"
    assert BranchRequest(call_id="x").current_branch is None


def test_the_sample_has_no_problems():
    assert validate_request(sample_request()) == ()


@pytest.mark.parametrize("changes, expected", [
    ({"call_id": " "}, [(("call_id",), "error")]),
    ({"date_time": "2023-07-20"}, [(("date_time",), "error")]),
    ({"date_time": "2023-02-30 10:00:00"}, [(("date_time",), "error")]),
    ({"cid": "(845) 951-1000"}, [(("cid",), "warning")]),
    ({"branch_data": (Step("abc", ""),)}, [(("branch_data", 0, "branch"), "error")]),
    ({"branch_data": (Step("0", "1a"),)}, [(("branch_data", 0, "input"), "error")]),
    ({"payment_info": (Payment(last_four="44", expiration="1326", cvv="98", amount="5x"),)},
     [(("payment_info", 0, "last_four"), "warning"), (("payment_info", 0, "expiration"), "warning"),
      (("payment_info", 0, "cvv"), "warning"), (("payment_info", 0, "amount"), "warning")]),
    ({"variables": (("a", "1"), ("a", "2"))}, [(("variables", 1, "name"), "warning")]),
    ({"variables": (("", "1"),)}, [(("variables", 0, "name"), "error")]),
])
def test_request_checks(changes, expected):
    base = sample_request(with_payment=False)
    request = BranchRequest(**{**base.__dict__, **changes})
    assert [(f.path, f.severity) for f in validate_request(request)] == expected


def test_a_wrong_cvv_is_never_quoted_in_a_message():
    request = BranchRequest(call_id="x", date_time="2023-07-20 11:35:35",
                            payment_info=(Payment(cvv="98765"),))
    findings = validate_request(request)
    assert findings and all("98765" not in f.message for f in findings)


def test_saved_requests_read_back_without_the_cvv():
    request = sample_request(now=MOMENT)
    restored = parse_request(request_to_json(request, cvv="omit"))
    assert restored.payment_info[0].cvv == ""
    assert restored == BranchRequest(**{**request.__dict__, "payment_info": (
        Payment(**{**request.payment_info[0].__dict__, "cvv": ""}),)})


def test_the_documentation_sample_reads_as_a_request():
    request = parse_request(DOC_REQUEST_SAMPLE)
    assert request.call_id == "AST10-1689867312.264"
    assert request.branch_data == (Step("0", "1"), Step("1000", "17"))
    assert request.payment_info[0].cvv == "987"
    assert request.variables == (("caller_pin ", "123"), ("var_2", "var_val"))


@pytest.mark.parametrize("text, words", [
    ("[1]", "must be a JSON object"),
    ("{nope}", "not valid JSON"),
    ('{"branch_data": "0"}', "branch_data must be a list of objects"),
    ('{"cid": {"a": 1}}', "cid must be text"),
])
def test_unreadable_requests_are_refused(text, words):
    with pytest.raises(RequestFormatError) as caught:
        parse_request(text)
    assert words in caught.value.message
