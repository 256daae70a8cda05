"""Read queries for procurement pages and the seams other apps use."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from procurement.models import (
    CONTRACT_SIGNED_STATES,
    Bid,
    BidState,
    Contract,
    PanelMember,
    Tender,
    TenderState,
)
from procurement.permissions import (
    can_view_bid_content,
    can_view_bidders,
    can_view_contract,
    can_view_panel,
    can_view_tender,
    visible_contracts_q,
    visible_tenders_q,
)
from projects.models import ServiceProject

PUBLIC_NOTICE_STATES = [
    TenderState.PUBLISHED,
    TenderState.OPENED,
    TenderState.EVALUATING,
    TenderState.AWARDED,
    TenderState.AWARD_PUBLISHED,
    TenderState.CONTRACTED,
    TenderState.FAILED,
    TenderState.CANCELLED,
]


def organizations_involved(*, project: ServiceProject) -> set[int]:
    """Every organisation that bid for (any round) or holds a contract of the project."""
    bidders = Bid.objects.filter(tender__project=project).values_list("supplier_id", flat=True)
    holders = Contract.objects.filter(project=project).values_list("supplier_id", flat=True)
    return set(bidders) | set(holders)


def contract_for_project(*, project: ServiceProject) -> Contract | None:
    """The contract in force or in service (the latest one if several)."""
    return (
        Contract.objects.filter(project=project, state__in=CONTRACT_SIGNED_STATES)
        .select_related("supplier", "project")
        .order_by("-id")
        .first()
    )


def tender_list(*, user: Any, search: str = "", state: str = "") -> QuerySet[Tender]:
    qs = (
        Tender.objects.filter(visible_tenders_q(user))
        .select_related("project", "project__bureau")
        # A correlated count, not a join with GROUP BY: the paginator's COUNT then reads the
        # tenders alone, and the bids are counted for the page's 25 rows only.
        .annotate(
            bid_count=Coalesce(
                Subquery(
                    Bid.objects.filter(tender=OuterRef("pk"))
                    .exclude(state=BidState.WITHDRAWN)
                    .order_by()
                    .values("tender")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        .order_by("-id")
    )
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(project__bureau__name__icontains=search))
    return qs


def public_notices(
    *, region: str = "", category: str = "", year: int | None = None, search: str = ""
) -> QuerySet[Tender]:
    """Published tender and award notices, for everyone, without login."""
    qs = (
        Tender.objects.filter(state__in=PUBLIC_NOTICE_STATES)
        .select_related("project", "project__bureau", "awarded_bid__supplier")
        .order_by("-publish_at", "-id")
    )
    if region:
        qs = qs.filter(
            Q(project__region__icontains=region) | Q(project__bureau__region__icontains=region)
        )
    if category:
        qs = qs.filter(project__category=category)
    if year and 1900 <= year <= 2200:
        qs = qs.filter(publish_at__year=year)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(project__title__icontains=search))
    return qs


def tender_get(*, user: Any, pk: int) -> Tender:
    tender = get_object_or_404(
        Tender.objects.select_related(
            "project", "project__bureau", "awarded_bid__supplier"
        ).prefetch_related("criteria", "panel__user"),
        pk=pk,
    )
    if not can_view_tender(user, tender):
        raise Http404
    return tender


@dataclass(frozen=True)
class BidView:
    """A bid as a page may show it: contents only where the viewer may see them."""

    bid: Bid
    sealed: bool

    @property
    def price(self) -> Decimal | None:
        return None if self.sealed else self.bid.price


def visible_bids(*, user: Any, tender: Tender) -> QuerySet[Bid]:
    """The bids `user` may know exist: all once the tender is opened (or for the bureau and
    auditors); before that a bidder's own bid only, nobody else's (count and names hidden)."""
    bids = tender.bids.exclude(state=BidState.WITHDRAWN).select_related("supplier", "tender")
    if can_view_bidders(user, tender):
        return bids
    organization = getattr(user, "organization_id", None) if user.is_authenticated else None
    if organization is None or getattr(user, "role", "") != "ngo":
        return bids.none()
    return bids.filter(supplier_id=organization)


def bids_for(*, user: Any, tender: Tender) -> list[BidView]:
    bids = visible_bids(user=user, tender=tender)
    return [BidView(bid=b, sealed=not can_view_bid_content(user, b)) for b in bids]


def panel_for(*, user: Any, tender: Tender) -> list[PanelMember]:
    """The panel, to those who may know it (confidential until the result notice)."""
    if not can_view_panel(user, tender):
        return []
    return list(tender.panel.select_related("user").order_by("-is_chair", "id"))


def contract_get(*, user: Any, pk: int) -> Contract:
    contract = get_object_or_404(
        Contract.objects.select_related(
            "project", "project__bureau", "supplier", "tender"
        ).prefetch_related("milestones", "amendments"),
        pk=pk,
    )
    if not can_view_contract(user, contract):
        raise Http404
    return contract


def contract_list(*, user: Any) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(visible_contracts_q(user))
        .select_related("project", "supplier", "project__bureau")
        .order_by("-id")
    )
