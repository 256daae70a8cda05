"""How much of a milestone is paid for an evaluated score (DESIGN §3, configurable per milestone)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Payout:
    pay: Decimal
    withheld: Decimal
    explanation: str


def payout(
    amount: Decimal,
    score: Decimal | None,
    *,
    full_pay_score: Decimal = Decimal("80"),
    pass_score: Decimal = Decimal("60"),
) -> Payout:
    """≥ full_pay_score pays all; from pass_score pays score ÷ full_pay_score; below pays nothing."""
    if score is None:
        return Payout(
            amount,
            Decimal("0.00"),
            _("Advance: no evaluation needed; %(a)s is payable.") % {"a": amount},
        )
    if score >= full_pay_score:
        return Payout(
            amount,
            Decimal("0.00"),
            _("Score %(s)s ≥ %(f)s: 100%% of %(a)s = %(p)s.")
            % {"s": score, "f": full_pay_score, "a": amount, "p": amount},
        )
    if score >= pass_score:
        pay = (amount * score / full_pay_score).quantize(FEN, rounding=ROUND_HALF_UP)
        return Payout(
            pay,
            amount - pay,
            _(
                "Score %(s)s is %(p)s-%(f)s: %(a)s × %(s)s ÷ %(f)s = %(pay)s; %(w)s withheld until rectified."
            )
            % {
                "s": score,
                "p": pass_score,
                "f": full_pay_score,
                "a": amount,
                "pay": pay,
                "w": amount - pay,
            },
        )
    return Payout(
        Decimal("0.00"),
        amount,
        _("Score %(s)s < %(p)s: nothing is paid; %(a)s withheld pending rectification.")
        % {"s": score, "p": pass_score, "a": amount},
    )
