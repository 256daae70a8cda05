"""Supervision work on the 工作台: reports to hand in or read, rectification items to answer or
check."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core.todos import Todo, register
from supervision.models import ItemState, PeriodicReport, RectificationItem, ReportState
from supervision.permissions import visible_supervision_q


@register
def supervision_todos(user: Any) -> list[Todo]:
    if not user.is_authenticated or user.role not in (Role.NGO, Role.BUREAU_STAFF):
        return []
    visible = visible_supervision_q(user)
    if user.role == Role.NGO:
        report_states, item_states = [ReportState.DUE, ReportState.RETURNED], [ItemState.OPEN]
        report_title, item_title = (
            _("Hand in the periodic report"),
            _("Answer the rectification item"),
        )
    else:
        report_states, item_states = [ReportState.SUBMITTED], [ItemState.SUBMITTED]
        report_title, item_title = (
            _("Read the periodic report"),
            _("Check the rectification evidence"),
        )
    reports = (
        PeriodicReport.objects.filter(visible, state__in=report_states)
        .select_related("contract")
        .only("contract__number", "period_start", "period_end", "due_date")
    )
    if user.role == Role.NGO:
        # A due report becomes work once its period is over.
        reports = reports.filter(period_end__lt=timezone.localdate())
    items = (
        RectificationItem.objects.filter(visible, state__in=item_states)
        .select_related("contract")
        .only("contract__number", "description", "deadline")
    )
    return [
        Todo(
            title=report_title,
            url=reverse("supervision:contract", args=[r.contract_id]) + "#reports",
            detail=f"{r.contract.number} {r}",
            due=r.due_date,
        )
        for r in reports[:20]
    ] + [
        Todo(
            title=item_title,
            url=reverse("supervision:contract", args=[i.contract_id]) + "#items",
            detail=f"{i.contract.number} {i}",
            due=i.deadline,
        )
        for i in items[:20]
    ]
