"""Read queries for the workforce pages (a fixed number of queries per page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from procurement.models import Contract
from workforce import figures
from workforce.models import SocialWorker, VolunteerService


def social_worker_list(*, organization: Any) -> QuerySet[SocialWorker]:
    return SocialWorker.objects.filter(organization=organization).order_by("left_on", "name")


def volunteer_service_list(*, organization: Any) -> QuerySet[VolunteerService]:
    return (
        VolunteerService.objects.filter(volunteer__organization=organization)
        .select_related("volunteer", "contract")
        .order_by("-date", "-id")
    )


def supplier_contracts(*, organization: Any) -> QuerySet[Contract]:
    # The project names each contract in the form's choices (Contract.__str__).
    return (
        Contract.objects.filter(supplier=organization)
        .select_related("project")
        .order_by("-start_date", "-id")
    )


def contract_figures(
    *, organization: Any, contracts: list[Contract], as_of: dt.date | None = None
) -> list[tuple[Contract, dict[str, Any]]]:
    """Each of the supplier's `contracts` (a page of them) with the certified share of its
    social workers and the contract's volunteer person-times, as on `as_of` (today by
    default). Two queries however many contracts: the share is the organisation's, the same
    for each of its contracts, and the person-times are grouped by contract."""
    day = as_of or timezone.localdate()
    share = figures.certified_share(organization.pk, day)
    times = figures.volunteer_person_times_of([c.pk for c in contracts], day)
    return [
        (c, {"as_of": day, "certified_share": share, "volunteer_times": times.get(c.pk)})
        for c in contracts
    ]
