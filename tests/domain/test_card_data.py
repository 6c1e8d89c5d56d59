"""The card-data names, in one place for the log filter and the Branch tester."""
from __future__ import annotations

import re

import pytest

from console.api.branch_endpoint import carries_card_data
from console.domain.card_data import CARD_KEYS, VERIFICATION_KEYS, folded, verification_name_pattern
from console.logging_setup import redact


@pytest.mark.parametrize("written", ["cvv", "CVV2", "cvc", "Cvc2", "card_verification_value",
                                     "card-verification-code", "cardverificationvalue"])
def test_each_way_of_writing_a_verification_name_is_one_name(written):
    assert re.fullmatch(verification_name_pattern(), written, re.IGNORECASE)
    assert folded(written) in VERIFICATION_KEYS
    # the filter redacts it and the tester counts it as card data
    assert "987" not in redact(f'{{"{written}": "987"}}')
    assert carries_card_data({written: "987"})


@pytest.mark.parametrize("other", ["cvvx", "acvc", "card", "verification", "auth_keys"])
def test_other_names_are_not_verification_names(other):
    assert not re.fullmatch(verification_name_pattern(), other, re.IGNORECASE)
    assert folded(other) not in CARD_KEYS


def test_the_card_keys_hold_the_verification_names_and_the_card_itself():
    assert VERIFICATION_KEYS < CARD_KEYS
    assert {folded("payment_info"), folded("Card Number"), folded("last_four")} <= CARD_KEYS
