"""Scores, the legal price formula and the ranking with its tie rules."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.fsm import log_event
from procurement.models import Bid, BidState, Score, Tender

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
        b
        for b in tender.bids.all()
        if b.state in (BidState.VALID, BidState.WON, BidState.LOST) and not b.invalid_reason
    ]


def scoring_complete(tender: Tender) -> bool:
    if tender.evaluation_method == "lowest_price":
        return bool(valid_bids(tender))
    members = _active_members(tender)
    criteria = [c.pk for c in tender.criteria.all()]
    bids = valid_bids(tender)
    if not bids:
        return False
    have = set(
        Score.objects.filter(bid__tender=tender, member_id__in=members).values_list(
            "member_id", "bid_id", "criterion_id"
        )
    )
    return all((m, b.pk, c) in have for m in members for b in bids for c in criteria)


def technical_scores(tender: Tender) -> dict[int, Decimal]:
    """Each valid bid's technical score: the mean over active members of their criteria totals."""
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
    """Valid bids in award order (财政部令第87号第55条、第68条): higher total, then lower price,
    then the rule the tender states (tie_break: the higher technical score, or straight to the
    draw), then the place the recorded random draw gave (tie_break_rank)."""
    bids = valid_bids(tender)
    if not bids:
        return []
    prices_paid = {b.pk: b.evaluated_price() for b in bids}
    lowest = min(prices_paid.values())
    if tender.evaluation_method == "lowest_price":
        technical = {b.pk: Decimal(0) for b in bids}
        prices = {b.pk: Decimal(0) for b in bids}
        totals = {b.pk: Decimal(0) for b in bids}
    else:
        technical = technical_scores(tender)
        prices = {b.pk: price_score(lowest, prices_paid[b.pk], tender.price_weight) for b in bids}
        totals = {b.pk: technical[b.pk] + prices[b.pk] for b in bids}
    use_technical = tender.tie_break == "technical"
    first = first_criterion_scores(tender) if use_technical else {}

    def key(b: Bid) -> tuple[Decimal, Decimal, Decimal, int]:
        tech = -first.get(b.pk, Decimal(0)) if use_technical else Decimal(0)
        return (-totals[b.pk], prices_paid[b.pk], tech, b.tie_break_rank or 10_000)

    ordered = sorted(bids, key=key)
    ranked: list[Ranked] = []
    for i, bid in enumerate(ordered):
        reason = ""
        if i and key(ordered[i - 1])[:1] == key(bid)[:1]:
            previous = ordered[i - 1]
            if prices_paid[previous.pk] != prices_paid[bid.pk]:
                reason = "price"
            elif use_technical and first.get(previous.pk) != first.get(bid.pk):
                reason = "technical"
            else:
                reason = "draw"
        ranked.append(Ranked(bid, technical[bid.pk], prices[bid.pk], totals[bid.pk], i + 1, reason))
    return ranked


def first_criterion_scores(tender: Tender) -> dict[int, Decimal]:
    """Each valid bid's mean points on the tender's first criterion (its main technical one):
    the stated rule "higher score on the first criterion" compares these."""
    criterion = tender.criteria.order_by("order", "id").first()
    members = _active_members(tender)
    if criterion is None or not members:
        return {}
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for s in Score.objects.filter(criterion=criterion, member_id__in=members):
        sums[s.bid_id] += s.points
    return {
        bid_id: (total / len(members)).quantize(TWO, rounding=ROUND_HALF_UP)
        for bid_id, total in sums.items()
    }


def _tie_key(tender: Tender, r: Ranked, first: dict[int, Decimal]) -> tuple[Decimal, ...]:
    tech = first.get(r.bid.pk, Decimal(0)) if tender.tie_break == "technical" else Decimal(0)
    return (r.total, r.bid.evaluated_price(), tech)


def unresolved_tie(ranking: list[Ranked]) -> bool:
    """True when the first two are equal on every stated rule and no draw has placed them."""
    if len(ranking) < 2:
        return False
    a, b = ranking[0], ranking[1]
    tender = a.bid.tender
    first = first_criterion_scores(tender) if tender.tie_break == "technical" else {}
    return _tie_key(tender, a, first) == _tie_key(tender, b, first) and not (
        a.bid.tie_break_rank and b.bid.tie_break_rank
    )


def draw_tie(tender: Tender, ranking: list[Ranked], *, actor: Any) -> list[int]:
    """The last step of the tie rules: a random draw among the bids tied for first place,
    recorded with its seed so that anyone can replay it (87号令第68条: 随机抽取)."""
    scores = first_criterion_scores(tender) if tender.tie_break == "technical" else {}
    top = _tie_key(tender, ranking[0], scores)
    tied = sorted(r.bid.pk for r in ranking if _tie_key(tender, r, scores) == top)
    seed = secrets.token_hex(16)
    order = list(tied)
    random.Random(seed).shuffle(order)  # noqa: S311 - replayable by design
    for place, bid_id in enumerate(order, start=1):
        Bid.objects.filter(pk=bid_id).update(tie_break_rank=place)
    log_event(
        tender,
        "tie_draw",
        actor=actor,
        note=f"seed={seed}; tied={tied}; order={order}",
    )
    return order


def replay_tie_draw(seed: str, tied: list[int]) -> list[int]:
    order = sorted(tied)
    random.Random(seed).shuffle(order)  # noqa: S311
    return order
