"""Time-driven supervision notices: a report coming due or late, a rectification item overdue.

Each notice has a key per report/item and stage, so running the tick again sends nothing new."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from core.ticks import register
from supervision.models import ItemState, PeriodicReport, RectificationItem, ReportState
from supervision.services import _notify, contract_url, supplier_users

REMIND_DAYS = 3


@register
def supervision_reminders(now: dt.datetime) -> str:
    today = timezone.localdate(now)
    sent = 0
    waiting = PeriodicReport.objects.filter(
        state__in=[ReportState.DUE, ReportState.RETURNED],
        period_end__lt=today,
        due_date__lte=today + dt.timedelta(days=REMIND_DAYS),
    ).select_related("contract")
    for report in waiting:
        late = report.due_date < today
        _notify(
            supplier_users(report.contract),
            kind="report_late" if late else "report_due",
            title=(_("Periodic report late: %(c)s") if late else _("Periodic report due: %(c)s"))
            % {"c": report.contract.number},
            body=_("Period %(p)s, due %(d)s.") % {"p": str(report), "d": report.due_date},
            url=contract_url(report.contract),
            key=f"report-{'late' if late else 'due'}-{report.pk}",
        )
        sent += 1
    overdue = RectificationItem.objects.filter(
        state=ItemState.OPEN, deadline__lt=today
    ).select_related("contract")
    for item in overdue:
        _notify(
            supplier_users(item.contract),
            kind="rectification_overdue",
            title=_("Rectification item overdue: %(c)s") % {"c": item.contract.number},
            body=item.description[:500],
            url=contract_url(item.contract),
            key=f"item-overdue-{item.pk}",
        )
        sent += 1
    return f"supervision: {sent} reminder(s) considered" if sent else ""
