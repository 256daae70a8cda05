"""Money helpers: fen-exact Decimals, shares that add up, and the amount in 大写 for vouchers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import cn2an

FEN = Decimal("0.01")
HUNDRED = Decimal("100")


def to_fen(value: Decimal | int | str) -> Decimal:
    """Round to the fen (half up). Floats are refused: money never passes through binary floating point."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal, int or str")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def amount_in_words(amount: Decimal) -> str:
    """人民币大写 as written on Chinese vouchers, e.g. Decimal("500000") → 伍拾万元整."""
    value = to_fen(amount)
    if value < 0:
        return "负" + amount_in_words(-value)
    if value == 0:
        return "零元整"
    return str(cn2an.an2cn(format(value, "f"), "rmb"))


def split_by_percentages(total: Decimal, percentages: list[Decimal]) -> list[Decimal]:
    """Fen-exact shares of `total`; the last share takes the rounding remainder so the sum is exact."""
    if sum(percentages, Decimal(0)) != HUNDRED:
        raise ValueError(f"percentages must add up to 100, not {sum(percentages, Decimal(0))}")
    total = to_fen(total)
    shares = [to_fen(total * p / HUNDRED) for p in percentages[:-1]]
    shares.append(total - sum(shares, Decimal(0)))
    return shares
