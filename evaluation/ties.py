"""Independence of the assessor organisation: ties to the NGO recorded in its profile.

A tie is a same legal representative (also found by comparing the organisations' profiles),
shared staff, or paid work for the NGO in the last three years. A tied organisation cannot be
commissioned, and its assessors cannot be assigned (财预〔2020〕10号 第二十九条: third parties
must be independent of the evaluated unit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core.fsm import log_event
from core.permissions import refuse_unless
from evaluation.permissions import can_record_ties
from evaluation.records import OrganizationTie, TieKind


def ties_between(assessor_org: Organization, other: Organization, on: dt.date) -> list[str]:
    """The ties in force between the two organisations, in words (empty: independent)."""
    found = [
        str(tie.get_kind_display()) + (f"（{tie.detail}）" if tie.detail else "")
        for tie in OrganizationTie.objects.filter(organization=assessor_org, other=other)
        if tie.in_force(on)
    ]
    rep = (assessor_org.legal_representative or "").strip()
    if rep and rep == (other.legal_representative or "").strip():
        label = str(TieKind.LEGAL_REPRESENTATIVE.label)
        if not any(f.startswith(label) for f in found):
            found.append(f"{label}（{rep}）")
    return found


def independence_refusal(assessor_org: Organization, supplier: Organization) -> str:
    ties = ties_between(assessor_org, supplier, timezone.localdate())
    if not ties:
        return ""
    return _(
        "%(org)s is tied to %(ngo)s (%(ties)s) and cannot evaluate it (财预〔2020〕10号: third "
        "parties must be independent)."
    ) % {"org": assessor_org.name, "ngo": supplier.name, "ties": "；".join(ties)}


@transaction.atomic
def tie_record(
    *,
    actor: User,
    organization: Organization,
    other: Organization,
    kind: str,
    detail: str = "",
    last_date: dt.date | None = None,
) -> OrganizationTie:
    decision = can_record_ties(actor, organization)
    refuse_unless(decision)
    errors: dict[str, Any] = {}
    if kind not in TieKind.values:
        errors["kind"] = _("Choose the kind of tie.")
    if other.pk == organization.pk:
        errors["other"] = _("Choose another organisation.")
    if kind == TieKind.PAID_WORK and last_date is None:
        errors["last_date"] = _("Say when the paid work ended (or the last day of it so far).")
    if last_date is not None and last_date > timezone.localdate():
        errors["last_date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    tie = OrganizationTie.objects.create(
        organization=organization,
        other=other,
        kind=kind,
        detail=detail.strip()[:300],
        last_date=last_date,
        recorded_by=actor,
    )
    log_event(
        organization,
        "declare_tie",
        actor=actor,
        note=f"{tie.get_kind_display()}: {other.name} {detail.strip()}",
    )
    return tie
