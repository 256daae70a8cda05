"""What supervision adds elsewhere: the project page's panel and the open matters that an
acceptance or an evaluation of the contract shows (core.concerns)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import concerns
from procurement.models import Contract
from projects.sections import Section, register
from supervision.models import ItemState, PeriodicReport, RectificationItem, ReportState
from supervision.permissions import can_view_supervision


@concerns.register
def open_rectification_items(contract: Any) -> list[concerns.Concern]:
    today = timezone.localdate()
    url = reverse("supervision:contract", args=[contract.pk])

    def opens(user: Any) -> bool:
        return bool(user is not None and can_view_supervision(user, contract))

    found = [
        concerns.Concern(
            title=_("Rectification item open: %(d)s") % {"d": item.description[:60]},
            url=url + "#items",
            detail=_("%(owner)s, by %(deadline)s, %(state)s")
            % {"owner": item.owner, "deadline": item.deadline, "state": item.get_state_display()},
            overdue=item.is_overdue(today),
            can_open=opens,
        )
        for item in RectificationItem.objects.filter(contract=contract).exclude(
            state=ItemState.CLOSED
        )
    ]
    late = PeriodicReport.objects.filter(
        contract=contract,
        state__in=[ReportState.DUE, ReportState.RETURNED],
        due_date__lt=today,
    ).count()
    if late:
        found.append(
            concerns.Concern(
                title=_("%(n)s periodic report(s) late") % {"n": late},
                url=url + "#reports",
                overdue=True,
                can_open=opens,
            )
        )
    return found


@register
def supervision_section(user: Any, project: Any) -> Section | None:
    contracts = [
        c
        for c in Contract.objects.filter(project=project).select_related("project__bureau")
        if can_view_supervision(user, c)
    ]
    if not contracts:
        return None
    return Section(
        "supervision/_project_section.html",
        {"contracts": [(c, open_rectification_items(c)) for c in contracts]},
        order=70,
    )
