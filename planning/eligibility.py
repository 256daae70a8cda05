"""Whether a supplier meets a tender's requirements, from its credit profile (accounts.credit).

One function answers both the bid refusal (procurement.eligibility) and the credit page, so a
panel sees exactly the reasons the system applies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.credit import (
    AnnualInspection,
    CreditListing,
    CreditProfile,
    InspectionResult,
    rating_rank,
)
from planning.models import SupplierRequirement


def requirement_of(tender: Any) -> SupplierRequirement | None:
    return SupplierRequirement.objects.filter(tender_id=tender.pk).first()


def supplier_problems(requirement: SupplierRequirement, supplier: Any, day: dt.date) -> list[str]:
    """Every way `supplier` falls short of `requirement` on `day`, each naming its rule."""
    problems: list[str] = []
    profile = CreditProfile.objects.filter(organization_id=supplier.pk).first()
    if (requirement.valid_certificate or requirement.min_rating) and profile is None:
        problems.append(
            _("%(ngo)s has no registration certificate on file with the civil-affairs bureau.")
            % {"ngo": supplier.name}
        )
    if profile is not None and requirement.valid_certificate:
        if not profile.certificate_valid_on(day):
            problems.append(
                _(
                    "The registration certificate of %(ngo)s expired on %(date)s "
                    "(政府采购法第二十二条: the supplier must be able to bear civil liability)."
                )
                % {"ngo": supplier.name, "date": profile.certificate_expires}
            )
        last = (
            AnnualInspection.objects.filter(organization_id=supplier.pk, year__lt=day.year)
            .order_by("-year")
            .first()
        )
        if last is not None and last.result == InspectionResult.UNQUALIFIED:
            problems.append(
                _("%(ngo)s failed its %(year)s annual inspection.")
                % {"ngo": supplier.name, "year": last.year}
            )
    if requirement.min_rating:
        held = profile.rating_on(day) if profile is not None else ""
        if rating_rank(held) < rating_rank(requirement.min_rating):
            problems.append(
                _(
                    "The tender requires an evaluation rating of %(min)s or above; %(ngo)s holds "
                    "%(held)s (民政部令第39号《社会组织评估管理办法》)."
                )
                % {
                    "min": requirement.min_rating,
                    "ngo": supplier.name,
                    "held": held or _("no rating"),
                }
            )
    if requirement.no_current_listing:
        current = [
            listing
            for listing in CreditListing.objects.filter(
                organization_id=supplier.pk, listed_on__lte=day
            )
            if listing.is_current_on(day)
        ]
        problems.extend(
            _(
                "%(ngo)s has been on the %(list)s since %(date)s (民政部令第60号"
                "《社会组织信用信息管理办法》; 政府采购法第二十二条)."
            )
            % {"ngo": supplier.name, "list": listing.get_kind_display(), "date": listing.listed_on}
            for listing in current
        )
    return problems


def bid_refusal(tender: Any, supplier: Any, now: dt.datetime) -> str | None:
    requirement = requirement_of(tender)
    if requirement is None:
        return None
    problems = supplier_problems(requirement, supplier, timezone.localdate(now))
    if not problems:
        return None
    return " ".join(
        [
            _("This bid cannot be accepted: the supplier does not meet the tender's requirements."),
            *problems,
        ]
    )
