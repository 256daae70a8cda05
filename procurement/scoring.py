"""Scores, the legal price formula and the ranking with its tie rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procurement.models import Bid, Tender

TWO = Decimal("0.01")


def price_score(lowest: Decimal, price: Decimal, weight: Decimal) -> Decimal:
    """价格分 = (评标基准价 ÷ 投标报价) × 价格权值 × 100, in points of 100 (weight given in points)."""
    return (lowest / price * weight).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Ranked:
    bid: Bid
    technical: Decimal
    price_points: Decimal
    total: Decimal
    rank: int
    tie_broken_by: str


def _active_members(tender: Tender) -> list[int]:
    return [m.pk for m in tender.panel.all() if m.is_active]


def valid_bids(tender: Tender) -> list[Bid]:
    return [
        b for b in tender.bids.all() if b.state in ("valid", "won", "lost") and not b.invalid_reason
    ]


def scoring_complete(tender: Tender) -> bool:
    if tender.evaluation_method == "lowest_price":
        return bool(valid_bids(tender))
    members = _active_members(tender)
    criteria = [c.pk for c in tender.criteria.all()]
    bids = valid_bids(tender)
    if not bids:
        return False
    from procurement.models import Score

    have = set(
        Score.objects.filter(bid__tender=tender, member_id__in=members).values_list(
            "member_id", "bid_id", "criterion_id"
        )
    )
    return all((m, b.pk, c) in have for m in members for b in bids for c in criteria)


def technical_scores(tender: Tender) -> dict[int, Decimal]:
    """Each valid bid's technical score: the mean over active members of their criteria totals."""
    from procurement.models import Score

    members = _active_members(tender)
    per_member: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for s in Score.objects.filter(bid__tender=tender, member_id__in=members):
        per_member[(s.bid_id, s.member_id)] += s.points
    result: dict[int, Decimal] = {}
    for bid in valid_bids(tender):
        sheets = [per_member[(bid.pk, m)] for m in members]
        result[bid.pk] = (
            (sum(sheets, Decimal(0)) / len(sheets)).quantize(TWO, rounding=ROUND_HALF_UP)
            if sheets
            else Decimal(0)
        )
    return result


def rank(tender: Tender) -> list[Ranked]:
    """Valid bids in award order: higher total, then lower price, then higher technical score,
    then the panel's recorded decision (tie_break_rank)."""
    bids = valid_bids(tender)
    if not bids:
        return []
    lowest = min(b.price for b in bids)
    if tender.evaluation_method == "lowest_price":
        technical = {b.pk: Decimal(0) for b in bids}
        prices = {b.pk: Decimal(0) for b in bids}
        totals = {b.pk: Decimal(0) for b in bids}
    else:
        technical = technical_scores(tender)
        prices = {b.pk: price_score(lowest, b.price, tender.price_weight) for b in bids}
        totals = {b.pk: technical[b.pk] + prices[b.pk] for b in bids}

    def key(b: Bid) -> tuple[Decimal, Decimal, Decimal, int]:
        return (-totals[b.pk], b.price, -technical[b.pk], b.tie_break_rank or 10_000)

    ordered = sorted(bids, key=key)
    ranked: list[Ranked] = []
    for i, bid in enumerate(ordered):
        reason = ""
        if i and key(ordered[i - 1])[:1] == key(bid)[:1]:
            previous = ordered[i - 1]
            if previous.price != bid.price:
                reason = "price"
            elif technical[previous.pk] != technical[bid.pk]:
                reason = "technical"
            else:
                reason = "panel"
        ranked.append(Ranked(bid, technical[bid.pk], prices[bid.pk], totals[bid.pk], i + 1, reason))
    return ranked


def unresolved_tie(ranking: list[Ranked]) -> bool:
    """True when the first two are equal on every rule and the panel has not decided."""
    if len(ranking) < 2:
        return False
    a, b = ranking[0], ranking[1]
    return (a.total, a.bid.price, a.technical) == (b.total, b.bid.price, b.technical) and not (
        a.bid.tie_break_rank and b.bid.tie_break_rank
    )
