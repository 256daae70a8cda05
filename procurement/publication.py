"""What the bureau publishes around a purchase, each with its legal timing: the 采购意向 before
the tender, the 采购文件 with the notice, the 合同公告 after signing and the 备案 of the contract."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event
from core.permissions import Decision, refuse_unless
from core.uploads import validate_upload
from procurement import rules
from procurement.models import (
    Contract,
    ContractState,
    ObjectionState,
    ProcurementIntent,
    Remedy,
    Tender,
    TenderState,
)
from procurement.permissions import can_manage_contract, can_manage_tender, can_view_tender
from projects.models import ServiceProject

DOCUMENTS_MAX = 30 * 1024 * 1024


@transaction.atomic
def intent_publish(
    *,
    project: ServiceProject,
    actor: User,
    summary: str,
    budget: Decimal,
    planned_month: str,
    published_on: dt.date | None = None,
) -> ProcurementIntent:
    """采购意向公开 for a project: at least 30 days later its tender may be published."""
    if not (
        actor.is_authenticated
        and actor.role == "bureau_staff"
        and actor.organization_id == project.bureau_id
    ):
        raise ActionRefusedError(_("Only staff of the purchasing bureau may do this."))
    errors: dict[str, str] = {}
    if not summary.strip():
        errors["summary"] = _("Say what is to be purchased.")
    if budget <= 0 or budget > project.budget:
        errors["budget"] = _("The budget lies between 0 and the project budget %(b)s.") % {
            "b": project.budget
        }
    try:
        dt.date.fromisoformat(f"{planned_month}-01")
    except ValueError:
        errors["planned_month"] = _("The planned month reads YYYY-MM.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    published_on = published_on or today
    if published_on > today:
        raise ValidationError({"published_on": _("An intention cannot be dated in the future.")})
    intent = ProcurementIntent.objects.create(
        project=project,
        published_on=published_on,
        summary=summary,
        budget=budget,
        planned_month=planned_month,
        created_by=actor,
    )
    log_event(project, "intent_published", actor=actor, note=summary[:200])
    return intent


def _check_pdf(upload: Any) -> str:
    validate_upload(upload, kinds={"pdf"}, max_bytes=DOCUMENTS_MAX)
    digest = hashlib.sha256()
    tail = b""
    for chunk in upload.chunks():
        digest.update(chunk)
        tail = (tail + chunk)[-2048:]
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise ValidationError(
            {
                "documents_file": _("“%(name)s” is a truncated PDF (no end-of-file marker).")
                % {"name": getattr(upload, "name", "")}
            }
        )
    return digest.hexdigest()


@transaction.atomic
def tender_documents_upload(*, tender: Tender, actor: User, upload: Any) -> Tender:
    """The 采购文件 (PDF) of a draft tender; once published it is public and never replaced
    except by a correction (更正) after an upheld objection."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    refuse_unless(can_manage_tender(actor, locked))
    if locked.state != TenderState.DRAFT:
        corrected = locked.objections.filter(
            remedy=Remedy.CORRECT_DOCUMENTS, state=ObjectionState.REMEDIED
        ).exists()
        if not (locked.state == TenderState.PUBLISHED and corrected):
            raise ActionRefusedError(
                _("Published documents change only by a correction after an upheld objection.")
            )
    sha = _check_pdf(upload)
    locked.documents_file = upload
    locked.documents_sha256 = sha
    locked.save(update_fields=["documents_file", "documents_sha256"])
    log_event(locked, "documents", actor=actor, note=f"sha256 {sha}")
    return locked


def can_download_documents(user: Any, tender: Tender) -> Decision:
    """Anyone, once the notice is published; before that, whoever may see the draft."""
    return can_view_tender(user, tender)


# --- contract notice and filing ----------------------------------------------------------------


@transaction.atomic
def contract_publish_notice(
    *, contract: Contract, actor: User, now: dt.datetime | None = None
) -> Contract:
    """合同公告: public from now; later than 2 working days after signing is flagged in the log."""
    now = now or timezone.now()
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    refuse_unless(can_manage_contract(actor, locked))
    if locked.signed_at is None or locked.state not in (
        ContractState.SIGNED,
        ContractState.IN_SERVICE,
        ContractState.COMPLETED,
    ):
        raise ActionRefusedError(_("The contract notice follows the signing."))
    if locked.notice_published_at is not None:
        raise ActionRefusedError(_("The contract notice is already published."))
    locked.notice_published_at = now
    locked.save(update_fields=["notice_published_at"])
    note = ""
    if locked.past_due_after_signing(rules.CONTRACT_NOTICE_WORKDAYS, timezone.localdate(now)):
        due = locked.notice_due()
        note = _("Published after the due day %(due)s (%(source)s).") % {
            "due": due,
            "source": rules.CONTRACT_NOTICE_SOURCE,
        }
    log_event(locked, "contract_notice", actor=actor, note=note)
    return locked


@transaction.atomic
def contract_record_filing(
    *, contract: Contract, actor: User, reference: str, now: dt.datetime | None = None
) -> Contract:
    """备案 of the signed contract with the finance department (政府采购法第47条)."""
    now = now or timezone.now()
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    refuse_unless(can_manage_contract(actor, locked))
    if locked.signed_at is None:
        raise ActionRefusedError(_("A contract is filed after it is signed."))
    if locked.filed_at is not None:
        raise ActionRefusedError(_("The contract is already filed."))
    if not reference.strip():
        raise ValidationError({"reference": _("Record the filing reference.")})
    locked.filed_at = now
    locked.filing_reference = reference.strip()
    locked.save(update_fields=["filed_at", "filing_reference"])
    note = reference
    if locked.past_due_after_signing(rules.FILING_WORKDAYS, timezone.localdate(now)):
        due = locked.filing_due()
        note += " · " + _("Filed after the due day %(due)s (%(source)s).") % {
            "due": due,
            "source": rules.FILING_SOURCE,
        }
    log_event(locked, "filing", actor=actor, note=note)
    return locked
