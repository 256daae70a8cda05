"""Keeping the workforce register: one function per use case, the acting user checked first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.fsm import ActionRefusedError
from core.permissions import refuse_unless
from workforce.models import CertificateLevel, SocialWorker, Volunteer, VolunteerService
from workforce.permissions import can_manage_workforce


@transaction.atomic
def social_worker_save(
    *,
    user: Any,
    organization: Any,
    name: str,
    certificate_level: str,
    certificate_number: str,
    employment: str,
    joined_on: dt.date,
    left_on: dt.date | None = None,
    worker: SocialWorker | None = None,
) -> SocialWorker:
    """Add a social worker to the register, or correct one already on it."""
    refuse_unless(can_manage_workforce(user, organization))
    name, certificate_number = name.strip(), certificate_number.strip()
    if certificate_level == CertificateLevel.NONE and certificate_number:
        raise ValidationError({"certificate_number": _("An uncertified worker has no number.")})
    if certificate_level != CertificateLevel.NONE and not certificate_number:
        raise ValidationError(
            {"certificate_number": _("A certified worker's certificate number is required.")}
        )
    if left_on and left_on < joined_on:
        raise ValidationError({"left_on": _("The leaving date is before the joining date.")})
    if worker is None:
        worker = SocialWorker(organization=organization)
    elif worker.organization_id != organization.pk:
        raise ActionRefusedError(_("This worker belongs to another organisation."))
    worker.name = name
    worker.certificate_level = certificate_level
    worker.certificate_number = certificate_number
    worker.employment = employment
    worker.joined_on = joined_on
    worker.left_on = left_on
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("“%(name)s” is already on the register.") % {"name": name}}
        ) from exc
    return worker


@transaction.atomic
def volunteer_service_record(
    *,
    user: Any,
    contract: Any,
    volunteer_name: str,
    date: dt.date,
    activity: str,
    hours: Decimal,
    registration_number: str = "",
) -> VolunteerService:
    """One volunteer at one activity of the NGO's contract; the volunteer is registered on first
    sight (by name within the organisation)."""
    refuse_unless(can_manage_workforce(user, contract.supplier))
    if not (contract.start_date <= date <= contract.current_end_date):
        raise ValidationError({"date": _("The date is outside the contract term.")})
    if not (Decimal("0") < hours <= Decimal("24")):
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    volunteer, _created = Volunteer.objects.get_or_create(
        organization=contract.supplier,
        name=volunteer_name.strip(),
        defaults={"registration_number": registration_number.strip()},
    )
    try:
        with transaction.atomic():
            return VolunteerService.objects.create(
                volunteer=volunteer,
                contract=contract,
                date=date,
                activity=activity.strip(),
                hours=hours,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"activity": _("This volunteer is already recorded at this activity on this day.")}
        ) from exc
