"""Periodic check: payments later than 30 days after acceptance are reported."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.ticks import register
from funds.models import Disbursement


@register
def late_payments(now: dt.datetime) -> str:
    late = Disbursement.objects.filter(
        state__in=["requested", "approved"], due_by__lt=timezone.localdate(now)
    ).count()
    return f"funds: {late} payment(s) past the 30-day limit" if late else ""
