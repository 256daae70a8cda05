"""Use cases that change service projects. Each is one transaction and leaves a log row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event, run_transition
from core.permissions import refuse_unless
from core.signals import money_event
from projects import checks
from projects.models import ServiceProject, TargetGroup
from projects.permissions import can_change_project, can_create_project


def _next_code(project: ServiceProject) -> str:
    return f"GM{timezone.localdate().year}{project.pk:05d}"


def _save_targets(project: ServiceProject, targets: Iterable[tuple[str, int]]) -> None:
    project.target_groups.all().delete()
    TargetGroup.objects.bulk_create(
        TargetGroup(project=project, category=category, count=count) for category, count in targets
    )


@transaction.atomic
def project_create(
    *,
    actor: User,
    title: str,
    category: str,
    region: str,
    budget: Decimal,
    fund_source: str,
    period_start: date,
    period_end: date,
    performance_targets: str,
    description: str = "",
    targets: Iterable[tuple[str, int]] = (),
) -> ServiceProject:
    """Create a draft project for the actor's own bureau."""
    decision = can_create_project(actor)
    refuse_unless(decision)
    project = ServiceProject(
        title=title,
        bureau=actor.organization,
        category=category,
        region=region,
        budget=budget,
        fund_source=fund_source,
        period_start=period_start,
        period_end=period_end,
        performance_targets=performance_targets,
        description=description,
        created_by=actor,
        code="pending",
    )
    project.full_clean(exclude=["code", "state"])
    project.save()
    project.code = _next_code(project)
    project.save(update_fields=["code"])
    _save_targets(project, targets)
    log_event(project, "create", actor=actor, created=True)
    return project


@transaction.atomic
def project_update(
    *,
    project: ServiceProject,
    actor: User,
    targets: Iterable[tuple[str, int]] | None = None,
    **fields: Any,
) -> ServiceProject:
    """Change a draft project's fields (and target groups when given)."""
    locked = ServiceProject.objects.select_for_update().get(pk=project.pk)
    decision = can_change_project(actor, locked)
    refuse_unless(decision)
    allowed = {
        "title",
        "category",
        "region",
        "budget",
        "fund_source",
        "period_start",
        "period_end",
        "performance_targets",
        "description",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["state"])
    locked.save(update_fields=[*fields, "updated_at"])
    if targets is not None:
        _save_targets(locked, targets)
    return locked


@transaction.atomic
def project_approve(*, project: ServiceProject, actor: User, note: str = "") -> ServiceProject:
    """立项: move a draft project to approved and commit its budget (a ledger event)."""
    refusals = checks.approval_refusals(project)
    if refusals:
        raise ActionRefusedError(" ".join(refusals))
    approved = run_transition(
        project, "approve", actor=actor, note=note, update_fields=["approved_at"]
    )
    money_event.send(
        sender=ServiceProject,
        kind="budget_appropriated",
        amount=approved.budget,
        project=approved,
        contract=None,
        milestone=None,
        actor=actor,
        memo=_("Budget appropriated for %(code)s") % {"code": approved.code},
        occurred_at=approved.approved_at,
    )
    return approved


@transaction.atomic
def project_terminate(*, project: ServiceProject, actor: User, reason: str) -> ServiceProject:
    """Stop a project for good, with the reason on record."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required to terminate a project.")})
    return run_transition(
        project,
        "terminate",
        actor=actor,
        note=reason,
        reason=reason.strip(),
        update_fields=["termination_reason"],
    )
