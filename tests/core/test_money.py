from decimal import Decimal

import pytest

from core.money import amount_in_words, split_by_percentages, to_fen


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("500000", "伍拾万元整"),
        ("500000.00", "伍拾万元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("0.05", "伍分"),
        ("100005", "壹拾万零伍元整"),
        ("10000000", "壹仟万元整"),
        ("150000.00", "壹拾伍万元整"),
        ("360000.5", "叁拾陆万元伍角"),
        ("0", "零元整"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_to_fen_rounds_half_up_and_refuses_float():
    assert to_fen(Decimal("0.005")) == Decimal("0.01")
    assert to_fen("12.344") == Decimal("12.34")
    with pytest.raises(TypeError):
        to_fen(0.1)  # type: ignore[arg-type]


def test_split_adds_up_to_the_fen():
    shares = split_by_percentages(
        Decimal("480000.01"), [Decimal("30"), Decimal("40"), Decimal("30")]
    )
    assert shares == [Decimal("144000.00"), Decimal("192000.00"), Decimal("144000.01")]
    assert sum(shares) == Decimal("480000.01")
    odd = split_by_percentages(
        Decimal("100.00"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    )
    assert sum(odd) == Decimal("100.00")


def test_split_refuses_percentages_not_adding_to_100():
    with pytest.raises(ValueError, match="100"):
        split_by_percentages(Decimal("1000"), [Decimal("30"), Decimal("60")])
