"""Figures computed from the workforce register, for the evaluation and acceptance pages.

Counts and shares only. Evaluation (above this app) reads them by calling these functions or
registering them as its data-driven measures; nothing here knows who reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from workforce.models import CertificateLevel, SocialWorker, VolunteerService


@dataclass(frozen=True)
class Figure:
    value: Decimal
    how: str  # in words, for the page that shows it


def _employed_q(as_of: dt.date) -> Q:
    return Q(joined_on__lte=as_of) & (Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def certified_share(organization: Any, as_of: dt.date) -> Figure | None:
    """Certified social workers among those employed on `as_of`, per cent to one decimal
    (持证社工占比); None when the register has nobody employed that day."""
    counts = SocialWorker.objects.filter(_employed_q(as_of), organization=organization).aggregate(
        total=Count("id"), certified=Count("id", filter=~Q(certificate_level=CertificateLevel.NONE))
    )
    total, certified = counts["total"], counts["certified"]
    if not total:
        return None
    value = (Decimal(100) * certified / total).quantize(Decimal("0.1"))
    return Figure(
        value,
        _("%(c)s certified of %(t)s social workers employed on %(d)s")
        % {"c": certified, "t": total, "d": as_of},
    )


def volunteer_person_times(contract: Any, as_of: dt.date) -> Figure | None:
    """Volunteer person-times (志愿者人次) on the contract up to `as_of`: one per volunteer per
    activity; None when none are recorded."""
    return volunteer_person_times_of([contract.pk], as_of).get(contract.pk)


def volunteer_person_times_of(contract_ids: list[int], as_of: dt.date) -> dict[int, Figure]:
    """`volunteer_person_times` of several contracts in one grouped query; a contract with
    none recorded is absent."""
    rows = (
        VolunteerService.objects.filter(contract_id__in=contract_ids, date__lte=as_of)
        .values("contract_id")
        .annotate(n=Count("id"), hours=Sum("hours"), people=Count("volunteer", distinct=True))
        .order_by()
    )
    return {
        row["contract_id"]: Figure(
            Decimal(row["n"]),
            _("%(n)s person-times by %(p)s volunteers, %(h)s hours, up to %(d)s")
            % {"n": row["n"], "p": row["people"], "h": row["hours"], "d": as_of},
        )
        for row in rows
    }
