"""Use cases of the beneficiary register. Each is one transaction and leaves a log row.

Log rows (core.TransitionLog, append-only) never carry personal data: they name the event, the
actor and, for an update, which fields changed, because an erasure cannot reach back into them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from beneficiaries.casework import HOME_SCHOOL_FIELDS, PAIRING_FIELDS
from beneficiaries.imports import ImportResult, read_register
from beneficiaries.models import (
    PERSONAL_FIELDS,
    Beneficiary,
    CaseDocument,
    FollowUpVisit,
    GrowthRecord,
    GuardianshipConfirmation,
    HomeSchoolCard,
    MandatoryReport,
    MandatoryReportState,
    PairingCard,
)
from beneficiaries.permissions import (
    can_change_beneficiary,
    can_create_beneficiary,
    can_erase_beneficiary,
    can_export_beneficiary,
)
from beneficiaries.selectors import own_contracts
from beneficiaries.validators import normalize_id_number, normalize_phone
from core.fsm import ActionRefusedError, log_transition
from core.masking import ERASED_NAME
from core.models import TransitionLog
from core.permissions import refuse_unless

# What the NGO edits; organisation and the timestamps are never taken from input.
EDITABLE_FIELDS = (
    "contract",
    "category",
    "name",
    "gender",
    "birth_year",
    "birth_date",
    "id_number",
    "guardian_name",
    "guardian_phone",
    "village",
    "notes",
)
ACTIVE, ERASED = "active", "erased"


def _log(
    beneficiary: Beneficiary, event: str, actor: User, *, source: str, target: str, note: str = ""
) -> None:
    log_transition(beneficiary, event, source=source, target=target, actor=actor, note=note)


def _state(beneficiary: Beneficiary) -> str:
    return ERASED if beneficiary.is_erased else ACTIVE


def _normalise(beneficiary: Beneficiary) -> None:
    beneficiary.id_number = normalize_id_number(beneficiary.id_number)
    beneficiary.guardian_phone = normalize_phone(beneficiary.guardian_phone)
    beneficiary.name = beneficiary.name.strip()
    beneficiary.guardian_name = beneficiary.guardian_name.strip()
    beneficiary.village = beneficiary.village.strip()


def _check_contract(beneficiary: Beneficiary) -> None:
    contract = beneficiary.contract
    if contract is not None and contract.supplier_id != beneficiary.organization_id:
        raise ValidationError({"contract": _("Choose one of your organisation's own contracts.")})


def _prepare(beneficiary: Beneficiary, *, exclude: Iterable[str] = ()) -> None:
    """Normalise and validate a file before saving; the same checks for every way in."""
    _normalise(beneficiary)
    _check_contract(beneficiary)
    beneficiary.full_clean(exclude=list(exclude) or None)


@transaction.atomic
def beneficiary_create(*, actor: User, fields: Mapping[str, Any]) -> Beneficiary:
    """Open a case file for the actor's own NGO."""
    refuse_unless(can_create_beneficiary(actor))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    beneficiary = Beneficiary(organization=actor.organization, **fields)
    _prepare(beneficiary)
    beneficiary.save()
    _log(beneficiary, "create", actor, source="", target=ACTIVE)
    return beneficiary


@transaction.atomic
def beneficiary_update(
    *, beneficiary: Beneficiary, actor: User, fields: Mapping[str, Any]
) -> Beneficiary:
    """Change a case file; the log names the changed fields, never their values."""
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    refuse_unless(can_change_beneficiary(actor, locked))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(locked, name, value)
    _prepare(locked)
    changed = [name for name in EDITABLE_FIELDS if getattr(locked, name) != before[name]]
    if not changed:
        return locked
    locked.save(update_fields=[*changed, "updated_at"])
    labels = "、".join(_label(name) for name in changed)
    _log(locked, "update", actor, source=ACTIVE, target=ACTIVE, note=labels)
    return locked


@transaction.atomic
def beneficiary_import(*, actor: User, upload: Any) -> ImportResult:
    """Open a case file per row of an .xlsx/.csv file: all rows, or none if any row is wrong.

    One step, no stored upload: a checked-then-confirmed file would have to wait on disk, and
    this one is full of children's ID numbers.
    """
    refuse_unless(can_create_beneficiary(actor))
    contracts = {c.number: c for c in own_contracts(organization_id=actor.organization_id)}
    result = read_register(upload, contracts=contracts)
    files: list[Beneficiary] = []
    seen: dict[str, int] = {}
    for line, fields, unreadable in result.rows:
        beneficiary = Beneficiary(organization=actor.organization, **fields)
        try:
            # A cell that could not be read is reported once, not again as "required".
            _prepare(beneficiary, exclude=unreadable)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = "" if name == NON_FIELD_ERRORS else f"{_label(name)}："
                for message in messages:
                    result.add(line, f"{label}{message}")
        if beneficiary.id_number:
            first = seen.setdefault(beneficiary.id_number, line)
            if first != line:
                result.add(line, _("the ID number is already on row %(n)s") % {"n": first})
        files.append(beneficiary)
    if not result.ok:
        return result
    for beneficiary in files:
        beneficiary.save()
        _log(beneficiary, "import", actor, source="", target=ACTIVE)
    result.saved = len(files)
    return result


def _label(name: str) -> str:
    field = Beneficiary._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _rows(qs: Any, names: Iterable[str]) -> list[dict[str, Any]]:
    return [{name: _value(getattr(obj, name)) for name in names} for obj in qs]


def _case_work_export(beneficiary: Beneficiary) -> dict[str, Any]:
    """The cards, papers, reports and visits of the file, as stored (file names, not contents)."""
    home_school = HomeSchoolCard.objects.filter(beneficiary=beneficiary)
    pairing = PairingCard.objects.filter(beneficiary=beneficiary)
    return {
        "risk_classes": list(beneficiary.risk_classes.values_list("name", flat=True)),
        "home_school_card": _rows(home_school, HOME_SCHOOL_FIELDS)[:1],
        "pairing_card": _rows(pairing, PAIRING_FIELDS)[:1],
        "growth_records": _rows(
            beneficiary.growth_records.all(), ("recorded_on", "aspect", "content")
        ),
        "documents": [
            {"title": d.title, "kind": d.kind, "file": d.file.name, "at": _value(d.uploaded_at)}
            for d in beneficiary.documents.all()
        ],
        "guardianship_confirmations": [
            {
                "entrusted_guardian": c.entrusted_guardian,
                "relation": c.relation,
                "signed_on": _value(c.signed_on),
                "scan": c.scan.name,
            }
            for c in beneficiary.guardianship_confirmations.all()
        ],
        "mandatory_reports": _rows(
            beneficiary.mandatory_reports.all(),
            (
                "discovered_on",
                "harm",
                "description",
                "state",
                "reported_to",
                "reported_to_office",
                "reported_at",
                "reference",
                "outcome",
                "closed_on",
            ),
        ),
        "follow_up_visits": _rows(
            beneficiary.follow_up_visits.all(), ("visited_on", "method", "visitor", "findings")
        ),
    }


@transaction.atomic
def beneficiary_export(*, beneficiary: Beneficiary, actor: User) -> dict[str, Any]:
    """Everything Sanshe holds about one person, for a data-subject access request (PIPL art. 45).

    The export is logged first so that the history it contains includes this export.
    """
    locked = (
        # Only the person's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side
        # of the outer join to the (optional) contract.
        Beneficiary.objects.select_for_update(of=("self",))
        .select_related("organization", "contract__project__bureau")
        .get(pk=beneficiary.pk)
    )
    refuse_unless(can_export_beneficiary(actor, locked))
    _log(locked, "export", actor, source=_state(locked), target=_state(locked))
    fields = [
        f
        for f in Beneficiary._meta.concrete_fields
        if f.name not in {"id", "organization", "contract"}
    ]
    contract = locked.contract
    return {
        "exported_at": timezone.localtime().isoformat(),
        "exported_by": str(actor),
        "controller": locked.organization.name,
        "record": {"id": locked.pk, **{f.name: _value(getattr(locked, f.attname)) for f in fields}},
        "labels": {f.name: str(f.verbose_name) for f in fields},
        "choices": {
            "category": locked.get_category_display(),
            "gender": locked.get_gender_display(),
        },
        "contract": None
        if contract is None
        else {
            "number": contract.number,
            "project": contract.project.title,
            "bureau": contract.project.bureau.name,
        },
        "case_work": _case_work_export(locked),
        "history": [
            {
                "at": timezone.localtime(entry.at).isoformat(),
                "event": entry.transition,
                "actor": str(entry.actor) if entry.actor else "",
                "note": entry.note,
            }
            for entry in TransitionLog.for_object(locked)
        ],
    }


def _case_work_identifiers(beneficiary: Beneficiary) -> list[str]:
    """Names and numbers the case work holds, which an erasure reason must not repeat either."""
    found: list[str] = list(
        beneficiary.guardianship_confirmations.values_list("entrusted_guardian", flat=True)
    )
    for card in HomeSchoolCard.objects.filter(beneficiary=beneficiary):
        found += [card.parent_phone, card.head_teacher_phone]
    for pairing in PairingCard.objects.filter(beneficiary=beneficiary):
        found += [pairing.helper_phone]
    return found


def _erase_case_work(beneficiary: Beneficiary) -> None:
    """The rest of the file: cards, growth records, the 档案袋 and the guardian's scan go; the
    强制报告 and follow-up visits stay as dated events of their kind, their free text cleared,
    so that counts of reports and visits do not change. Stored files are deleted once the
    erasure is committed (a rolled-back erasure keeps them)."""
    beneficiary.risk_classes.clear()
    HomeSchoolCard.objects.filter(beneficiary=beneficiary).delete()
    PairingCard.objects.filter(beneficiary=beneficiary).delete()
    GrowthRecord.objects.filter(beneficiary=beneficiary).delete()
    stored: list[tuple[Any, str | None]] = [
        (d.file.storage, d.file.name) for d in CaseDocument.objects.filter(beneficiary=beneficiary)
    ] + [
        (c.scan.storage, c.scan.name)
        for c in GuardianshipConfirmation.objects.filter(beneficiary=beneficiary)
    ]
    CaseDocument.objects.filter(beneficiary=beneficiary).delete()
    GuardianshipConfirmation.objects.filter(beneficiary=beneficiary).delete()
    MandatoryReport.objects.filter(beneficiary=beneficiary).update(
        description="", reported_to_office="", reference="", outcome=""
    )
    FollowUpVisit.objects.filter(beneficiary=beneficiary).update(findings="")

    def delete_files() -> None:
        for storage, name in stored:
            if name:
                storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def _same_number_in(value: str, text: str) -> bool:
    """A phone or ID number written with spaces or hyphens (0728-6231234) is the same number."""
    digits = "".join(c for c in value if c.isdigit())
    return len(digits) >= 7 and digits in "".join(c for c in text if c.isdigit())


def beneficiary_erase(*, beneficiary: Beneficiary, actor: User, reason: str) -> Beneficiary:
    """删除个人数据: anonymise the file in place (PIPL art. 47).

    The row stays with its organisation, category, village and contract, so counts of people
    served and everything that refers to the contract are unchanged; nothing in the ledger or the
    service records refers to a person, so neither is touched.
    """
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    refuse_unless(can_erase_beneficiary(actor, locked))
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefusedError(_("Record which request this erasure answers."))
    # The duty to report suspected harm outlives a request to erase (PIPL art. 47 keeps data a
    # law requires): an open 强制报告 must be reported and closed first, or it could never be.
    if (
        MandatoryReport.objects.filter(beneficiary=locked)
        .exclude(state=MandatoryReportState.CLOSED)
        .exists()
    ):
        raise ActionRefusedError(
            _(
                "A mandatory report (强制报告) on this file is still open: report it and record"
                " its outcome before erasing the file."
            )
        )
    # The log is append-only: personal data written into it could never be erased again.
    for value in (
        locked.name,
        locked.id_number,
        locked.guardian_name,
        locked.guardian_phone,
        *_case_work_identifiers(locked),
    ):
        if value and (value in reason or _same_number_in(value, reason)):
            raise ActionRefusedError(
                _("The reason must not contain the person's name, ID number or phone number.")
            )
    locked.name = ERASED_NAME
    locked.gender = ""
    locked.birth_year = None
    locked.birth_date = None
    locked.id_number = ""
    locked.guardian_name = ""
    locked.guardian_phone = ""
    locked.notes = ""
    locked.erased_at = timezone.now()
    locked.save(update_fields=[*PERSONAL_FIELDS, "erased_at", "updated_at"])
    _erase_case_work(locked)
    _log(locked, "erase", actor, source=ACTIVE, target=ERASED, note=reason)
    beneficiary.refresh_from_db()
    return locked
