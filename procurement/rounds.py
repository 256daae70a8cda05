"""磋商/谈判 rounds: the panel negotiates with every qualified bidder, round by round; in the final
round each bidder submits its 最后报价, and only then are the bids scored on those prices
(财政部令第74号第33条; 财库〔2014〕214号). At least the legal number of final offers is needed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event
from core.permissions import refuse_unless
from procurement import rules
from procurement.models import Bid, BidState, NegotiationRound, RoundOffer, Tender, TenderState
from procurement.permissions import can_manage_tender

ROUND_METHODS = ("consultation", "negotiation")
FINAL_OFFER_SOURCE = "财政部令第74号第33条、财库〔2014〕214号"


def needs_final_offers(tender: Tender) -> bool:
    return tender.method in ROUND_METHODS


def final_offers_complete(tender: Tender) -> bool:
    """A closed final round with an offer from every qualified bid (scoring waits for it)."""
    if not needs_final_offers(tender):
        return True
    final = tender.rounds.filter(is_final=True, closed_at__isnull=False).first()
    if final is None:
        return False
    qualified = tender.bids.filter(state=BidState.VALID, invalid_reason="")
    return not qualified.filter(final_price__isnull=True).exists()


@transaction.atomic
def round_open(
    *, tender: Tender, actor: User, topics: str, closes_at: dt.datetime, is_final: bool
) -> NegotiationRound:
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    decision = can_manage_tender(actor, locked)
    refuse_unless(decision)
    if not needs_final_offers(locked):
        raise ActionRefusedError(_("Only 竞争性磋商 and 竞争性谈判 negotiate in rounds."))
    if locked.state != TenderState.EVALUATING:
        raise ActionRefusedError(_("Rounds are held while the panel evaluates."))
    if locked.rounds.filter(closed_at__isnull=True).exists():
        raise ActionRefusedError(_("Close the open round first."))
    if locked.rounds.filter(is_final=True).exists():
        raise ActionRefusedError(_("The final offers have been collected; no more rounds."))
    if not topics.strip():
        raise ValidationError({"topics": _("Record what the panel negotiated.")})
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("Offers close in the future.")})
    number = (locked.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    created = NegotiationRound.objects.create(
        tender=locked,
        number=number,
        is_final=is_final,
        topics=topics,
        closes_at=closes_at,
        opened_by=actor,
    )
    log_event(
        locked,
        "round_open",
        actor=actor,
        note=f"{number}{' final' if is_final else ''}: {topics[:150]}",
    )
    return created


@transaction.atomic
def offer_submit(
    *,
    round: NegotiationRound,
    actor: User,
    price: Decimal,
    note: str = "",
    now: dt.datetime | None = None,
) -> RoundOffer:
    """A bidder's offer in the open round, judged by its arrival time like a bid."""
    now = now or timezone.now()
    locked = NegotiationRound.objects.select_for_update().get(pk=round.pk)
    if locked.closed_at is not None or now >= locked.closes_at:
        raise ActionRefusedError(_("This round's offers have closed."))
    bid = Bid.objects.filter(
        tender_id=locked.tender_id,
        supplier_id=actor.organization_id,
        state=BidState.VALID,
        invalid_reason="",
    ).first()
    if bid is None or actor.role != "ngo":
        raise ActionRefusedError(_("Only a qualified bidder of this tender makes an offer."))
    ceiling = locked.tender.ceiling_price
    if price > ceiling:
        raise ValidationError(
            {
                "price": _("The price may not exceed the ceiling price of %(c)s yuan.")
                % {"c": ceiling}
            }
        )
    offer, _created = RoundOffer.objects.update_or_create(
        round=locked, bid=bid, defaults={"price": price, "note": note, "submitted_at": now}
    )
    # Like a sealed bid, the log records that an offer came, never its price.
    log_event(bid, "offer", actor=actor, note=str(locked.number))
    return offer


@transaction.atomic
def round_close(
    *, round: NegotiationRound, actor: User, now: dt.datetime | None = None
) -> NegotiationRound:
    """Close the round; the final round's offers become the bids' 最后报价."""
    now = now or timezone.now()
    locked = NegotiationRound.objects.select_for_update().get(pk=round.pk)
    tender = locked.tender
    decision = can_manage_tender(actor, tender)
    refuse_unless(decision)
    if locked.closed_at is not None:
        raise ActionRefusedError(_("This round is already closed."))
    offers = list(locked.offers.select_related("bid"))
    if now < locked.closes_at and len(offers) < tender.bids.filter(state=BidState.VALID).count():
        raise ActionRefusedError(_("Offers are still open and not every bidder has made one."))
    if locked.is_final:
        minimum = rules.MIN_VALID_BIDS[tender.method]
        if len(offers) < minimum:
            raise ActionRefusedError(
                _("At least %(min)s final offers are needed; %(n)s came (%(source)s).")
                % {"min": minimum, "n": len(offers), "source": FINAL_OFFER_SOURCE}
            )
        for offer in offers:
            Bid.objects.filter(pk=offer.bid_id).update(
                final_price=offer.price, final_offer_at=offer.submitted_at
            )
        # A qualified bidder that gave no final offer does not continue (不再参加).
        silent = tender.bids.filter(state=BidState.VALID, invalid_reason="").exclude(
            pk__in=[o.bid_id for o in offers]
        )
        silent.update(invalid_reason=_("No final offer in the final round."))
    locked.closed_at = now
    locked.save(update_fields=["closed_at"])
    log_event(tender, "round_close", actor=actor, note=f"{locked.number}: {len(offers)}")
    return locked
