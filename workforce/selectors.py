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
    return Contract.objects.filter(supplier=organization).order_by("-start_date")


def contract_figures(*, contract: Any, as_of: dt.date | None = None) -> dict[str, Any]:
    """The certified share of the supplier's social workers and the contract's volunteer
    person-times, as on `as_of` (today by default)."""
    day = as_of or timezone.localdate()
    return {
        "as_of": day,
        "certified_share": figures.certified_share(contract.supplier_id, day),
        "volunteer_times": figures.volunteer_person_times(contract, day),
    }
