from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.todos import Todo, register
from core.workdays import CalendarNotCoveredError
from procurement.models import (
    Contract,
    ContractState,
    ObjectionState,
    PanelMember,
    Tender,
    TenderState,
)
from procurement.objections import open_objection_todos

# What a bureau does next with a tender in each state, in the order the 工作台 lists them.
TENDER_WORK = (
    (TenderState.PUBLISHED, _("Open the bids: %s")),
    (TenderState.AWARDED, _("Publish the award notice: %s")),
    (TenderState.AWARD_PUBLISHED, _("Draft the contract: %s")),
)


def _tender_items(bureau_id: int) -> list[Todo]:
    """Up to ten tenders of each kind of waiting work, newest first, in one query (a query per
    kind cost more to build than to run)."""
    waiting = (
        Tender.objects.filter(project__bureau_id=bureau_id)
        .filter(
            Q(state=TenderState.PUBLISHED, opening_at__lte=timezone.now())
            | Q(state=TenderState.AWARDED)
            | Q(state=TenderState.AWARD_PUBLISHED, contract__isnull=True)
        )
        .annotate(nth=Window(RowNumber(), partition_by=F("state"), order_by=F("pk").desc()))
        .filter(nth__lte=10)
        .only("pk", "title", "state")
    )
    by_state: dict[str, list[Tender]] = defaultdict(list)
    for tender in waiting:
        by_state[tender.state].append(tender)
    return [
        Todo(label % t.title, t.get_absolute_url())
        for state, label in TENDER_WORK
        for t in by_state[state]
    ]


def _bureau_items(user: Any) -> list[Todo]:
    items = _tender_items(user.organization_id)
    signing = Contract.objects.filter(
        project__bureau_id=user.organization_id, state=ContractState.SIGNED_BY_SUPPLIER
    ).only("pk", "number")
    items += [
        Todo(_("Sign the contract: %s") % c.number, c.get_absolute_url()) for c in signing[:10]
    ]
    return items + _deadline_items(user)


def _overdue(late: bool) -> Any:
    return _("OVERDUE") if late else ""


def _deadline_items(user: Any) -> list[Todo]:
    """Statutory deadlines: objection answers (7 working days), then the contract notice
    (2 working days) and filing (7 working days) after signing, each flagged when overdue."""
    items: list[Todo] = []
    for o in open_objection_todos(bureau_id=user.organization_id):
        if o.state == ObjectionState.FILED:
            items.append(
                Todo(
                    _("Answer the objection: %s") % o.tender.title,
                    o.tender.get_absolute_url(),
                    detail=_overdue(o.is_overdue()),
                    due=o.answer_due,
                )
            )
        else:
            items.append(
                Todo(
                    _("Act on the upheld objection: %s") % o.tender.title,
                    o.tender.get_absolute_url(),
                )
            )
    signed = (
        Contract.objects.filter(project__bureau_id=user.organization_id, signed_at__isnull=False)
        .filter(Q(notice_published_at__isnull=True) | Q(filed_at__isnull=True))
        .only("pk", "number", "signed_at", "notice_published_at", "filed_at")
    )
    today = timezone.localdate()
    for c in signed.order_by("signed_at")[:10]:
        due = c.due_days()  # a date, or why it cannot be counted yet (year not recorded)
        for key, done, label, late in (
            (
                "notice",
                c.notice_published_at,
                _("Publish the contract notice: %s"),
                c.notice_overdue,
            ),
            ("filing", c.filed_at, _("File the contract (备案): %s"), c.filing_overdue),
        ):
            if done is not None:
                continue
            day = due[key] if isinstance(due[key], dt.date) else None
            if day is not None:
                # Past the due day is overdue (what late() would count again, day by day).
                detail = _overdue(today > day)
            else:
                # Overdue is known from the calendar up to today, even when the due day is not.
                try:
                    detail = _overdue(late()) or due[key]
                except CalendarNotCoveredError as exc:  # today's own year is not recorded
                    detail = str(exc)
            items.append(Todo(label % c.number, c.get_absolute_url(), detail=detail, due=day))
    return items


def _panel_items(user: Any) -> list[Todo]:
    seats = (
        PanelMember.objects.filter(
            user=user, tender__state__in=[TenderState.OPENED, TenderState.EVALUATING]
        )
        .select_related("tender")
        .only("declared_at", "withdrawn", "tender__title", "tender__state")[:10]
    )
    items = []
    for m in seats:
        if m.declared_at is None:
            items.append(
                Todo(
                    _("Declare conflicts of interest: %s") % m.tender.title,
                    m.tender.get_absolute_url(),
                )
            )
        elif m.tender.state == TenderState.EVALUATING and not m.withdrawn:
            items.append(
                Todo(_("Score the bids: %s") % m.tender.title, m.tender.get_absolute_url())
            )
    return items


@register
def procurement_todos(user: Any) -> list[Todo]:
    if not user.is_authenticated:
        return []
    items: list[Todo] = []
    if user.role == Role.BUREAU_STAFF:
        items += _bureau_items(user)
    if user.role == Role.NGO:
        drafts = Contract.objects.filter(
            supplier_id=user.organization_id, state=ContractState.DRAFTED
        )[:10]
        items += [Todo(_("Sign the contract: %s") % c.number, c.get_absolute_url()) for c in drafts]
    return items + _panel_items(user)
