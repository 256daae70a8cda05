"""Payouts at the grade boundaries, to the fen."""

from decimal import Decimal

import pytest

from funds.policy import payout

AMOUNT = Decimal("191200.00")


@pytest.mark.parametrize(
    ("score", "pay", "withheld"),
    [
        ("100", "191200.00", "0.00"),
        ("80", "191200.00", "0.00"),
        ("80.00", "191200.00", "0.00"),
        ("79.99", "191176.10", "23.90"),  # 191200 × 79.99 ÷ 80 = 191176.10
        ("72", "172080.00", "19120.00"),
        ("60", "143400.00", "47800.00"),
        ("59.99", "0.00", "191200.00"),
        ("0", "0.00", "191200.00"),
    ],
)
def test_payout(score, pay, withheld):
    result = payout(AMOUNT, Decimal(score))
    assert (result.pay, result.withheld) == (Decimal(pay), Decimal(withheld))
    assert result.pay + result.withheld == AMOUNT


def test_advance_needs_no_score():
    result = payout(Decimal("143400.00"), None)
    assert result.pay == Decimal("143400.00") and result.withheld == 0
