"""Supervision use cases: one function each, the acting user first checked, one transaction.

Every state change goes through `core.fsm.run_transition` (logged); each event that asks
something of someone is sent as `core.signals.notice` (delivered after commit)."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.fsm import run_transition
from core.permissions import refuse_unless
from core.signals import notice
from core.uploads import validate_upload
from procurement.models import Contract, ContractState
from supervision.models import (
    PeriodicReport,
    RectificationItem,
    ReportingSchedule,
    ReportState,
    SiteVisit,
    SpotCheck,
    VisitPhoto,
)
from supervision.permissions import can_draw_spot_check, can_manage_supervision

IN_SERVICE = (ContractState.SIGNED, ContractState.IN_SERVICE)
PHOTO_KINDS = {"jpg", "png"}
FILE_KINDS = {"pdf", "docx", "xlsx", "jpg", "png"}
MAX_BYTES = 20 * 1024 * 1024


def supplier_users(contract: Contract) -> list[User]:
    return list(
        User.objects.filter(organization_id=contract.supplier_id, role=Role.NGO, is_active=True)
    )


def bureau_users(contract: Contract) -> list[User]:
    return list(
        User.objects.filter(
            organization_id=contract.project.bureau_id, role=Role.BUREAU_STAFF, is_active=True
        )
    )


def _notify(
    recipients: Iterable[User], *, kind: str, title: str, body: str, url: str, key: str
) -> None:
    notice.send(
        sender=PeriodicReport,
        recipients=list(recipients),
        kind=kind,
        title=title,
        body=body,
        url=url,
        key=key,
    )


def contract_url(contract: Contract) -> str:
    return reverse("supervision:contract", args=[contract.pk])


@transaction.atomic
def schedule_set(
    *, user: Any, contract: Contract, frequency: str, days_to_report: int
) -> ReportingSchedule:
    """Set (or change) how often the NGO reports; the reports of every period are listed as due.

    Periods already handed in keep their report; due reports of periods that no longer exist
    under the new frequency are dropped."""
    refuse_unless(can_manage_supervision(user, contract))
    if not 1 <= days_to_report <= 60:
        raise ValidationError({"days_to_report": _("Between 1 and 60 days.")})
    schedule, _created = ReportingSchedule.objects.select_for_update().get_or_create(
        contract=contract,
        defaults={"frequency": frequency, "days_to_report": days_to_report, "set_by": user},
    )
    schedule.frequency, schedule.days_to_report, schedule.set_by = frequency, days_to_report, user
    schedule.save()
    periods = schedule.periods()
    existing = PeriodicReport.objects.filter(contract=contract)
    # Due reports of periods that no longer exist (or changed length) go; handed-in ones stay.
    for report in existing.filter(state=ReportState.DUE):
        if (report.period_start, report.period_end) not in periods:
            report.delete()
    taken = set(existing.values_list("period_start", flat=True))
    PeriodicReport.objects.bulk_create(
        PeriodicReport(
            contract=contract,
            period_start=s,
            period_end=e,
            due_date=e + dt.timedelta(days=days_to_report),
        )
        for s, e in periods
        if s not in taken
    )
    for report in existing.filter(state=ReportState.DUE):
        due = report.period_end + dt.timedelta(days=days_to_report)
        if report.due_date != due:
            PeriodicReport.objects.filter(pk=report.pk).update(due_date=due)
    return schedule


@transaction.atomic
def report_submit(
    *, user: Any, report: PeriodicReport, summary: str, file: Any = None
) -> PeriodicReport:
    if not (summary.strip() or file):
        raise ValidationError({"summary": _("Write a summary or attach the report file.")})
    if file:
        validate_upload(file, kinds=FILE_KINDS, max_bytes=MAX_BYTES)
    fields = ["summary", "submitted_at", "file"] if file else ["summary", "submitted_at"]
    # run_transition re-reads the row: the content goes in as the transition's arguments.
    locked = run_transition(
        report, "submit", actor=user, update_fields=fields, summary=summary, file=file
    )
    _notify(
        bureau_users(report.contract),
        kind="report_submitted",
        title=_("A periodic report was handed in: %(c)s") % {"c": report.contract.number},
        body=_("Period %(p)s. Read it or return it.") % {"p": str(report)},
        url=contract_url(report.contract),
        key=f"report-submitted-{report.pk}-{uuid.uuid4().hex}",
    )
    return locked


@transaction.atomic
def report_review(
    *, user: Any, report: PeriodicReport, accept: bool, response: str
) -> PeriodicReport:
    """Mark a report read (with an optional comment) or return it with what must change."""
    if not accept and not response.strip():
        raise ValidationError({"response": _("Say what must be changed when returning a report.")})
    if accept:
        locked = run_transition(
            report,
            "mark_read",
            actor=user,
            note=response,
            update_fields=["response"],
            response=response,
        )
    else:
        locked = run_transition(
            report,
            "return_report",
            actor=user,
            note=response,
            update_fields=["response"],
            response=response,
        )
        _notify(
            supplier_users(report.contract),
            kind="report_returned",
            title=_("Your periodic report was returned: %(c)s") % {"c": report.contract.number},
            body=response,
            url=contract_url(report.contract),
            key=f"report-returned-{report.pk}-{uuid.uuid4().hex}",
        )
    return locked


@transaction.atomic
def spot_check_draw(*, user: Any, bureau: Any, year: int, share: int, seed: str = "") -> SpotCheck:
    """Draw `share` per cent (rounded up) of the bureau's contracts in service during `year`.

    The seed is recorded: anyone can redo the draw (Python's `random.Random(seed).sample` over
    the sorted contract ids) and get the same contracts."""
    refuse_unless(can_draw_spot_check(user, bureau))
    if not 1 <= share <= 100:
        raise ValidationError({"share": _("The share is between 1 and 100 per cent.")})
    population = sorted(
        Contract.objects.filter(
            project__bureau__path__startswith=bureau.path,
            state__in=IN_SERVICE,
            start_date__lte=dt.date(year, 12, 31),
        )
        .exclude(end_date__lt=dt.date(year, 1, 1))
        .values_list("pk", flat=True)
    )
    if not population:
        raise ValidationError(
            {"year": _("No contract of this bureau is in service in %(y)s.") % {"y": year}}
        )
    seed = seed.strip() or secrets.token_hex(8)
    count = math.ceil(len(population) * share / 100)
    chosen = draw(population, count, seed)
    check = SpotCheck.objects.create(
        bureau=bureau, year=year, share=share, seed=seed, population=population, drawn_by=user
    )
    check.drawn.set(chosen)
    return check


def draw(population: list[int], count: int, seed: str) -> list[int]:
    """The reproducible draw: the same population, count and seed give the same contracts."""
    return sorted(random.Random(seed).sample(sorted(population), count))  # noqa: S311 - a public, reproducible draw, not a secret


@transaction.atomic
def site_visit_record(
    *,
    user: Any,
    contract: Contract,
    visited_on: dt.date,
    place: str,
    visitors: str,
    findings: str,
    photos: Iterable[Any] = (),
    spot_check: SpotCheck | None = None,
) -> SiteVisit:
    refuse_unless(can_manage_supervision(user, contract))
    if spot_check is not None and not spot_check.drawn.filter(pk=contract.pk).exists():
        raise ValidationError({"spot_check": _("This contract was not drawn in that spot check.")})
    photos = list(photos)
    for photo in photos:
        validate_upload(photo, kinds=PHOTO_KINDS, max_bytes=MAX_BYTES)
    visit = SiteVisit.objects.create(
        contract=contract,
        spot_check=spot_check,
        visited_on=visited_on,
        place=place,
        visitors=visitors,
        findings=findings,
        recorded_by=user,
    )
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, file=photo, caption=getattr(photo, "name", "")[:200])
    _notify(
        supplier_users(contract),
        kind="site_visit",
        title=_("Site visit recorded: %(c)s") % {"c": contract.number},
        body=findings[:500],
        url=contract_url(contract),
        key=f"visit-{visit.pk}",
    )
    return visit


@transaction.atomic
def item_open(
    *,
    user: Any,
    contract: Contract,
    description: str,
    owner: str,
    deadline: dt.date,
    visit: SiteVisit | None = None,
) -> RectificationItem:
    refuse_unless(can_manage_supervision(user, contract))
    if visit is not None and visit.contract_id != contract.pk:
        raise ValidationError({"visit": _("The visit belongs to another contract.")})
    item = RectificationItem.objects.create(
        contract=contract,
        visit=visit,
        description=description,
        owner=owner,
        deadline=deadline,
        opened_by=user,
    )
    _notify(
        supplier_users(contract),
        kind="rectification_opened",
        title=_("Rectification required by %(d)s: %(c)s") % {"d": deadline, "c": contract.number},
        body=description[:500],
        url=contract_url(contract),
        key=f"item-opened-{item.pk}",
    )
    return item


@transaction.atomic
def item_submit_evidence(
    *, user: Any, item: RectificationItem, evidence: str, file: Any = None
) -> RectificationItem:
    if not (evidence.strip() or file):
        raise ValidationError({"evidence": _("Describe what was done or attach the evidence.")})
    if file:
        validate_upload(file, kinds=FILE_KINDS, max_bytes=MAX_BYTES)
    fields = ["evidence", "evidence_file"] if file else ["evidence"]
    locked = run_transition(
        item, "submit_evidence", actor=user, update_fields=fields, evidence=evidence, file=file
    )
    _notify(
        bureau_users(item.contract),
        kind="rectification_submitted",
        title=_("Rectification evidence handed in: %(c)s") % {"c": item.contract.number},
        body=evidence[:500],
        url=contract_url(item.contract),
        key=f"item-evidence-{item.pk}-{uuid.uuid4().hex}",
    )
    return locked


@transaction.atomic
def item_decide(*, user: Any, item: RectificationItem, close: bool, note: str) -> RectificationItem:
    """Close the item on its evidence, or send it back (the reason is required)."""
    if not close and not note.strip():
        raise ValidationError({"note": _("Say why the evidence is not enough.")})
    if close:
        return run_transition(item, "close", actor=user, note=note, update_fields=["closed_at"])
    locked = run_transition(item, "reopen", actor=user, note=note)
    _notify(
        supplier_users(item.contract),
        kind="rectification_reopened",
        title=_("Rectification not accepted yet: %(c)s") % {"c": item.contract.number},
        body=note,
        url=contract_url(item.contract),
        key=f"item-reopened-{item.pk}-{uuid.uuid4().hex}",
    )
    return locked
