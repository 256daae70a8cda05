"""The legal price formula and the tie rules, against examples worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from core.models import TransitionLog
from procurement import scoring, services
from procurement.models import Score, Tender
from procurement.scoring import price_score
from tests.factories.accounts import NgoUserFactory
from tests.procurement.conftest import draw_panel, make_tender


def test_price_score_formula():
    # 评标基准价 450,000; bid 480,000; weight 20 → 450000/480000 × 20 = 18.75.
    assert price_score(Decimal("450000"), Decimal("480000"), Decimal("20")) == Decimal("18.75")
    assert price_score(Decimal("450000"), Decimal("450000"), Decimal("20")) == Decimal("20.00")
    # 300000/495000 × 30 = 18.1818… → 18.18
    assert price_score(Decimal("300000"), Decimal("495000"), Decimal("30")) == Decimal("18.18")


def _evaluating(world, prices, technical):
    """Bids at `prices`, every expert giving bid i `technical[i]` points on the first criterion
    and full marks elsewhere, so the technical score is known by hand."""
    staff = world["staff"]
    tender = make_tender(world["project"], staff)
    ngos = world["ngos"] + [NgoUserFactory() for _ in range(len(prices) - 3)]
    bids = [
        services.bid_submit(tender=tender, actor=ngo, price=p, technical_proposal="方案")
        for ngo, p in zip(ngos, prices, strict=False)
    ]
    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    tender.refresh_from_db()
    services.tender_open(tender=tender, actor=staff)
    for member in draw_panel(tender, staff, world["experts"]):
        services.panel_declare(member=member, actor=member.user, conflict=False)
    services.tender_start_evaluation(tender=tender, actor=staff)
    for bid in bids:
        services.bid_review(bid=bid, actor=world["experts"][0], valid=True)
    criteria = list(tender.criteria.all())
    for e in world["experts"]:
        points = {}
        for bid, tech in zip(bids, technical, strict=True):
            points[(bid.pk, criteria[0].pk)] = (
                Decimal(tech) - criteria[1].points - criteria[2].points
            )
            points[(bid.pk, criteria[1].pk)] = criteria[1].points
            points[(bid.pk, criteria[2].pk)] = criteria[2].points
        services.scores_save(tender=tender, actor=e, points=points)
    tender.refresh_from_db()
    return tender, bids


@pytest.mark.django_db
def test_equal_totals_go_to_the_lower_price(world):
    # A: 450,000 → price 20.00, tech 70 → 90.00; B: 500,000 → 450000/500000×20 = 18.00, tech 72 → 90.00.
    tender, (a, b, c) = _evaluating(
        world, [Decimal("450000"), Decimal("500000"), Decimal("480000")], [70, 72, 60]
    )
    ranking = scoring.rank(tender)
    assert [(r.bid.pk, r.total) for r in ranking[:2]] == [
        (a.pk, Decimal("90.00")),
        (b.pk, Decimal("90.00")),
    ]
    assert ranking[1].tie_broken_by == "price"
    assert ranking[2].bid.pk == c.pk  # 60 + 18.75 = 78.75


@pytest.mark.django_db
def test_a_full_tie_is_settled_by_a_recorded_random_draw(world):
    # Equal total and equal price: the tender's rule (default: the draw) decides, recorded.
    tender, (a, b, _c) = _evaluating(
        world, [Decimal("450000"), Decimal("450000"), Decimal("480000")], [70, 70, 60]
    )
    assert scoring.unresolved_tie(scoring.rank(tender))
    awarded = services.tender_award(tender=tender, actor=world["staff"])
    draw = TransitionLog.for_object(tender).get(transition="tie_draw")
    seed = draw.note.split(";")[0].removeprefix("seed=")
    assert f"tied={sorted([a.pk, b.pk])}" in draw.note
    assert awarded.awarded_bid_id == scoring.replay_tie_draw(seed, [a.pk, b.pk])[0]
    assert draw.actor == world["staff"]


@pytest.mark.django_db
def test_the_stated_rule_comes_before_the_draw(world):
    # Equal totals (70) and prices; the tender states "higher score on the first criterion".
    # Bid b scores more on 服务方案 and less on the rest, so b wins without any draw.
    tender, (a, b, c) = _evaluating(
        world, [Decimal("450000"), Decimal("450000"), Decimal("480000")], [70, 70, 60]
    )
    Tender.objects.filter(pk=tender.pk).update(tie_break="technical")
    criteria = list(tender.criteria.all())
    Score.objects.filter(bid=b, criterion=criteria[0]).update(points=F("points") + 2)
    Score.objects.filter(bid=b, criterion=criteria[1]).update(points=F("points") - 2)
    tender.refresh_from_db()
    ranking = scoring.rank(tender)
    assert [r.bid.pk for r in ranking] == [b.pk, a.pk, c.pk]
    assert ranking[1].tie_broken_by == "technical"
    assert not scoring.unresolved_tie(ranking)
    awarded = services.tender_award(tender=tender, actor=world["staff"])
    assert awarded.awarded_bid_id == b.pk
    assert not TransitionLog.for_object(tender).filter(transition="tie_draw").exists()


@pytest.mark.django_db
def test_a_score_above_the_criterion_is_refused(world):
    tender, bids = _evaluating(
        world, [Decimal("450000"), Decimal("460000"), Decimal("470000")], [70, 70, 70]
    )
    criterion = tender.criteria.first()
    with pytest.raises(Exception, match="0"):
        services.scores_save(
            tender=tender,
            actor=world["experts"][1],
            points={(bids[0].pk, criterion.pk): criterion.points + 1},
        )
