"""Service users' opinion at the 履约验收 of a public-service milestone, and its publication.

政府采购法实施条例第四十五条: for public services the purchaser invites the service users to
take part in acceptance and publishes the result. The bureau records how many users were
consulted and how many were satisfied; the result is public at once (counts only, no names).
Kept in evaluation so the funds milestone transitions stay untouched.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event
from core.permissions import refuse_unless
from evaluation.permissions import can_record_acceptance_opinion
from evaluation.records import AcceptanceOpinion


@transaction.atomic
def acceptance_opinion_record(
    *, milestone: Any, actor: User, consulted: int, satisfied: int, how: str, summary: str
) -> AcceptanceOpinion:
    decision = can_record_acceptance_opinion(actor, milestone)
    refuse_unless(decision)
    errors: dict[str, str] = {}
    if consulted < 1:
        errors["consulted"] = _("At least one service user must be consulted (实施条例第45条).")
    elif not 0 <= satisfied <= consulted:
        errors["satisfied"] = _("The satisfied users must number between 0 and those consulted.")
    if not how.strip():
        errors["how"] = _("Say how the service users were consulted.")
    if not summary.strip():
        errors["summary"] = _("Summarise the service users' opinion.")
    if AcceptanceOpinion.objects.filter(milestone=milestone).exists():
        raise ActionRefusedError(_("The service users' opinion is already recorded."))
    if errors:
        raise ValidationError(errors)
    percent = (Decimal(100) * satisfied / consulted).quantize(Decimal("0.1"), ROUND_HALF_UP)
    opinion = AcceptanceOpinion.objects.create(
        milestone=milestone,
        consulted=consulted,
        satisfied=satisfied,
        how=how.strip()[:200],
        summary=summary.strip(),
        satisfaction_percent=percent,
        recorded_by=actor,
    )
    log_event(
        milestone,
        "service_user_opinion",
        actor=actor,
        note=_("%(s)s of %(n)s service users satisfied (%(p)s%%); published")
        % {"s": satisfied, "n": consulted, "p": percent},
    )
    return opinion


def published_opinions() -> QuerySet[AcceptanceOpinion]:
    """Every recorded opinion, for the public page (counts and the summary, no persons)."""
    return AcceptanceOpinion.objects.select_related(
        "milestone__contract__project__bureau", "milestone__contract__supplier"
    ).order_by("-recorded_at", "-id")
