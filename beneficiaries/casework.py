"""Use cases of the case work around a file: the other three cards, the 档案袋, the guardian's
confirmation, 强制报告 and follow-up visits. Each is one transaction under the file's own rules.

Kept beside `services.py` (the file itself, import, export, erasure) so neither grows past a
screenful of use cases. Log rows name the event and which fields changed, never their values:
the log is append-only and an erasure could not reach back into it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from beneficiaries.models import (
    CHILD_CATEGORIES,
    Beneficiary,
    CaseDocument,
    FollowUpVisit,
    GrowthRecord,
    GuardianshipConfirmation,
    HomeSchoolCard,
    MandatoryReport,
    PairingCard,
    RiskClass,
)
from beneficiaries.permissions import can_change_case_work
from beneficiaries.validators import normalize_phone
from core.fsm import ActionRefusedError, log_transition, run_transition
from core.permissions import refuse_unless
from core.uploads import validate_upload

DOCUMENT_KINDS = {"pdf", "jpg", "png", "docx", "xlsx"}
SCAN_KINDS = {"pdf", "jpg", "png"}
MAX_BYTES = 10 * 1024 * 1024
HOME_SCHOOL_FIELDS = (
    "school",
    "grade_class",
    "head_teacher",
    "head_teacher_phone",
    "parents_whereabouts",
    "parent_phone",
    "contact_plan",
)
PAIRING_FIELDS = ("helper_name", "helper_unit", "helper_phone", "paired_on", "help_plan")


def _locked_file(beneficiary: Beneficiary, actor: User) -> Beneficiary:
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    decision = can_change_case_work(actor, locked)
    refuse_unless(decision)
    return locked


def _log(subject: Any, event: str, actor: User, note: str = "") -> None:
    log_transition(subject, event, source="active", target="active", actor=actor, note=note)


def _label(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _not_in_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("The date is in the future.")})


@transaction.atomic
def risk_classes_set(
    *, beneficiary: Beneficiary, actor: User, risk_classes: Iterable[RiskClass]
) -> Beneficiary:
    """Set the person's risk classes; they decide how often the person is visited."""
    locked = _locked_file(beneficiary, actor)
    wanted = {r.pk for r in risk_classes}
    if wanted == set(locked.risk_classes.values_list("pk", flat=True)):
        return locked
    locked.risk_classes.set(wanted)
    _log(locked, "risk_classes", actor, note=_label(Beneficiary, "risk_classes"))
    return locked


def _save_card(
    model: Any,
    *,
    beneficiary: Beneficiary,
    actor: User,
    fields: Mapping[str, Any],
    names: tuple[str, ...],
    phones: tuple[str, ...],
    event: str,
) -> Any:
    locked = _locked_file(beneficiary, actor)
    unknown = set(fields) - set(names)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    card = model.objects.filter(beneficiary=locked).first() or model(beneficiary=locked)
    before = {name: getattr(card, name) for name in names}
    for name, value in fields.items():
        if isinstance(value, str):
            value = normalize_phone(value) if name in phones else value.strip()
        setattr(card, name, value)
    card.full_clean()
    changed = [name for name in names if getattr(card, name) != before[name]]
    if card.pk and not changed:
        return card
    card.save()
    _log(locked, event, actor, note="、".join(_label(model, n) for n in changed))
    return card


@transaction.atomic
def home_school_card_save(
    *, beneficiary: Beneficiary, actor: User, fields: Mapping[str, Any]
) -> HomeSchoolCard:
    """家校联系卡, for a child only."""
    if beneficiary.category not in CHILD_CATEGORIES:
        raise ActionRefusedError(_("The home-school contact card is kept for children only."))
    card: HomeSchoolCard = _save_card(
        HomeSchoolCard,
        beneficiary=beneficiary,
        actor=actor,
        fields=fields,
        names=HOME_SCHOOL_FIELDS,
        phones=("head_teacher_phone", "parent_phone"),
        event="home_school_card",
    )
    return card


@transaction.atomic
def pairing_card_save(
    *, beneficiary: Beneficiary, actor: User, fields: Mapping[str, Any]
) -> PairingCard:
    """结对帮扶卡."""
    _not_in_future(fields.get("paired_on"), "paired_on")
    card: PairingCard = _save_card(
        PairingCard,
        beneficiary=beneficiary,
        actor=actor,
        fields=fields,
        names=PAIRING_FIELDS,
        phones=("helper_phone",),
        event="pairing_card",
    )
    return card


@transaction.atomic
def growth_record_add(
    *, beneficiary: Beneficiary, actor: User, recorded_on: dt.date, aspect: str, content: str
) -> GrowthRecord:
    """An entry of the 成长记录卡."""
    locked = _locked_file(beneficiary, actor)
    _not_in_future(recorded_on, "recorded_on")
    record = GrowthRecord(
        beneficiary=locked,
        recorded_on=recorded_on,
        aspect=aspect,
        content=content.strip(),
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    _log(locked, "growth_record", actor)
    return record


@transaction.atomic
def document_add(
    *, beneficiary: Beneficiary, actor: User, title: str, kind: str, file: Any
) -> CaseDocument:
    """A paper into the 档案袋: PDF, image, Word or Excel, checked by content."""
    locked = _locked_file(beneficiary, actor)
    # Stored under the kind found in its content, not the typed extension: a PDF named .html
    # is kept and served as what it is.
    file.name = f"upload.{validate_upload(file, kinds=DOCUMENT_KINDS, max_bytes=MAX_BYTES)}"
    document = CaseDocument(
        beneficiary=locked, title=title.strip(), kind=kind, file=file, uploaded_by=actor
    )
    document.full_clean(exclude=["file"])
    document.save()
    _log(locked, "document", actor, note=document.get_kind_display())
    return document


@transaction.atomic
def guardianship_confirm(
    *,
    beneficiary: Beneficiary,
    actor: User,
    entrusted_guardian: str,
    relation: str,
    signed_on: dt.date,
    scan: Any,
) -> GuardianshipConfirmation:
    """委托监护责任确认书: the signed scan (PDF or image) and the date it was signed."""
    locked = _locked_file(beneficiary, actor)
    if locked.category not in CHILD_CATEGORIES:
        raise ActionRefusedError(_("A guardianship confirmation is kept for children only."))
    _not_in_future(signed_on, "signed_on")
    if scan is None:
        raise ValidationError({"scan": _("Upload the signed confirmation (PDF or image).")})
    scan.name = f"upload.{validate_upload(scan, kinds=SCAN_KINDS, max_bytes=MAX_BYTES)}"
    confirmation = GuardianshipConfirmation(
        beneficiary=locked,
        entrusted_guardian=entrusted_guardian.strip(),
        relation=relation.strip(),
        signed_on=signed_on,
        scan=scan,
        uploaded_by=actor,
    )
    confirmation.full_clean(exclude=["scan"])
    confirmation.save()
    _log(locked, "guardianship", actor)
    return confirmation


@transaction.atomic
def mandatory_report_record(
    *,
    beneficiary: Beneficiary,
    actor: User,
    discovered_on: dt.date,
    harm: str,
    description: str,
) -> MandatoryReport:
    """强制报告, first step: what was noticed and when. Reporting it onwards is the next step."""
    locked = _locked_file(beneficiary, actor)
    _not_in_future(discovered_on, "discovered_on")
    report = MandatoryReport(
        beneficiary=locked,
        discovered_on=discovered_on,
        harm=harm,
        description=description.strip(),
        recorded_by=actor,
    )
    report.full_clean(exclude=["state"])  # protected FSM field: full_clean would assign it
    report.save()
    log_transition(
        report,
        "record",
        source="",
        target=report.state,
        actor=actor,
        note=report.get_harm_display(),
    )
    return report


@transaction.atomic
def mandatory_report_send(
    *,
    report: MandatoryReport,
    actor: User,
    reported_to: str,
    office: str,
    reported_at: dt.datetime,
    reference: str = "",
) -> MandatoryReport:
    """Recorded → reported: to whom (the authority and its office) and when."""
    if not reported_to:
        raise ValidationError({"reported_to": _("Choose the authority it was reported to.")})
    if not office.strip():
        raise ValidationError({"office": _("Name the office (e.g. 城关派出所).")})
    if reported_at > timezone.now():
        raise ValidationError({"reported_at": _("The time is in the future.")})
    if reported_at.date() < report.discovered_on:
        raise ValidationError(
            {"reported_at": _("It cannot have been reported before it was noticed.")}
        )
    return run_transition(
        report,
        "report",
        actor=actor,
        note=str(dict(MandatoryReport._meta.get_field("reported_to").flatchoices)[reported_to]),
        update_fields=["reported_to", "reported_to_office", "reported_at", "reference"],
        reported_to=reported_to,
        office=office.strip(),
        at=reported_at,
        reference=reference.strip(),
    )


@transaction.atomic
def mandatory_report_close(
    *, report: MandatoryReport, actor: User, outcome: str, closed_on: dt.date
) -> MandatoryReport:
    """Reported → closed with the outcome the authority gave."""
    if not outcome.strip():
        raise ValidationError({"outcome": _("Record the outcome.")})
    _not_in_future(closed_on, "closed_on")
    if report.reported_at and closed_on < timezone.localdate(report.reported_at):
        raise ValidationError({"closed_on": _("It cannot be closed before it was reported.")})
    return run_transition(
        report,
        "close",
        actor=actor,
        update_fields=["outcome", "closed_on"],
        outcome=outcome.strip(),
        on=closed_on,
    )


@transaction.atomic
def follow_up_record(
    *,
    beneficiary: Beneficiary,
    actor: User,
    visited_on: dt.date,
    method: str,
    visitor: str,
    findings: str = "",
) -> FollowUpVisit:
    """A follow-up visit; the next one falls due after the person's shortest risk cadence."""
    locked = _locked_file(beneficiary, actor)
    _not_in_future(visited_on, "visited_on")
    visit = FollowUpVisit(
        beneficiary=locked,
        visited_on=visited_on,
        method=method,
        visitor=visitor.strip(),
        findings=findings.strip(),
        recorded_by=actor,
    )
    visit.full_clean()
    visit.save()
    _log(locked, "follow_up", actor, note=visit.get_method_display())
    return visit
