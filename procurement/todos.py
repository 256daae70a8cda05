from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
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


def _bureau_items(user: Any) -> list[Todo]:
    mine = Tender.objects.filter(project__bureau_id=user.organization_id)
    now = timezone.now()
    items = [
        Todo(_("Open the bids: %s") % t.title, t.get_absolute_url())
        for t in mine.filter(state=TenderState.PUBLISHED, opening_at__lte=now)[:10]
    ]
    items += [
        Todo(_("Publish the award notice: %s") % t.title, t.get_absolute_url())
        for t in mine.filter(state=TenderState.AWARDED)[:10]
    ]
    items += [
        Todo(_("Draft the contract: %s") % t.title, t.get_absolute_url())
        for t in mine.filter(state=TenderState.AWARD_PUBLISHED, contract__isnull=True)[:10]
    ]
    signing = Contract.objects.filter(
        project__bureau_id=user.organization_id, state=ContractState.SIGNED_BY_SUPPLIER
    )
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
    signed = Contract.objects.filter(
        project__bureau_id=user.organization_id, signed_at__isnull=False
    ).filter(Q(notice_published_at__isnull=True) | Q(filed_at__isnull=True))
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
    seats = PanelMember.objects.filter(
        user=user, tender__state__in=[TenderState.OPENED, TenderState.EVALUATING]
    ).select_related("tender")[:10]
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
