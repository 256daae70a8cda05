"""Read queries for supervision pages, each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core.queries import count_of
from procurement.models import CONTRACT_SIGNED_STATES, Contract
from supervision.models import (
    ItemState,
    PeriodicReport,
    RectificationItem,
    ReportingSchedule,
    ReportState,
    SiteVisit,
    SpotCheck,
)
from supervision.permissions import can_view_supervision, visible_supervision_q


def contract_get(*, user: Any, pk: int) -> Contract:
    contract = Contract.objects.select_related("project__bureau", "supplier").filter(pk=pk).first()
    if contract is None or not can_view_supervision(user, contract):
        raise Http404
    return contract


def contract_overview(*, user: Any) -> QuerySet[Contract]:
    """Contracts the user may see, with their reports due, late and in and their open items."""
    today = timezone.localdate()
    waiting = PeriodicReport.objects.filter(state__in=[ReportState.DUE, ReportState.RETURNED])
    # Each count a subquery worked out for the page's contracts only: joined and counted, they
    # were grouped over every contract of a bureau tree before the page was cut (24 ms a view
    # for a city's 3,235 contracts).
    return (
        Contract.objects.filter(visible_supervision_q(user, ""))
        .filter(state__in=CONTRACT_SIGNED_STATES)
        .select_related("project", "supplier")
        .annotate(
            reports_due=count_of(waiting.filter(due_date__gte=today), outer="contract"),
            reports_late=count_of(waiting.filter(due_date__lt=today), outer="contract"),
            reports_in=count_of(
                PeriodicReport.objects.filter(state__in=[ReportState.SUBMITTED, ReportState.READ]),
                outer="contract",
            ),
            items_open=count_of(
                RectificationItem.objects.exclude(state=ItemState.CLOSED), outer="contract"
            ),
        )
        .order_by("-start_date", "pk")
    )


@dataclass
class ContractSupervision:
    schedule: ReportingSchedule | None
    reports: list[PeriodicReport]
    visits: list[SiteVisit]
    items: list[RectificationItem]
    today: dt.date


def contract_supervision(*, contract: Contract) -> ContractSupervision:
    return ContractSupervision(
        schedule=ReportingSchedule.objects.filter(contract=contract).first(),
        reports=list(PeriodicReport.objects.filter(contract=contract).order_by("period_start")),
        visits=list(
            SiteVisit.objects.filter(contract=contract)
            .select_related("spot_check")
            .prefetch_related("photos")
        ),
        items=list(RectificationItem.objects.filter(contract=contract).select_related("visit")),
        today=timezone.localdate(),
    )


def open_items(*, contract: Any) -> list[RectificationItem]:
    return list(RectificationItem.objects.filter(contract=contract).exclude(state=ItemState.CLOSED))


def spot_checks(*, user: Any) -> QuerySet[SpotCheck]:
    if not user.organization_id:
        return SpotCheck.objects.none()
    return (
        SpotCheck.objects.filter(bureau__path__startswith=user.organization.path)
        .prefetch_related("drawn__project")
        .order_by("-drawn_at")
    )
