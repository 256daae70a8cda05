"""Periodic check: payments later than 30 days after acceptance are reported."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.ticks import register
from funds.anchor import anchor_due, anchor_write
from funds.models import Disbursement, DisbursementState
from funds.selectors import bonds_overdue


@register
def late_payments(now: dt.datetime) -> str:
    late = Disbursement.objects.filter(
        state__in=[DisbursementState.REQUESTED, DisbursementState.APPROVED],
        due_by__lt=timezone.localdate(now),
    ).count()
    return f"funds: {late} payment(s) past the 30-day limit" if late else ""


@register
def ledger_anchor(now: dt.datetime) -> str:
    """Once a day, the chain head is written (signed) to the anchor file outside the database."""
    if not anchor_due(now):
        return ""
    anchor = anchor_write(now=now)
    return f"funds: ledger head #{anchor.seq} anchored"


@register
def bid_bonds_overdue(now: dt.datetime) -> str:
    """Bid bonds not returned within 5 working days (政府采购法实施条例第三十三条)."""
    late = len(bonds_overdue(today=timezone.localdate(now)))
    return f"funds: {late} bid bond(s) past the 5-working-day return limit" if late else ""
