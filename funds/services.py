"""Use cases where money moves. One transaction each; every money event appends to the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, run_transition
from core.models import TransitionLog
from core.permissions import Decision
from core.uploads import validate_upload
from funds.ledger import ledger_post
from funds.models import (
    Acceptance,
    Deliverable,
    Disbursement,
    DisbursementState,
    LedgerKind,
    Milestone,
    MilestoneState,
    ServiceRecord,
)
from funds.permissions import can_request_disbursement, can_submit_deliverables
from funds.policy import Payout, payout

PAY_WITHIN_DAYS = 30
DELIVERABLE_KINDS = {"pdf", "docx", "xlsx", "jpg", "png", "csv"}
DELIVERABLE_MAX = 20 * 1024 * 1024
LIVE = [DisbursementState.REQUESTED, DisbursementState.APPROVED, DisbursementState.PAID]


def _require(decision: Decision) -> None:
    if not decision:
        raise ActionRefusedError(str(decision.reason))


def milestone_payout(milestone: Milestone) -> Payout:
    """The payable amount with its calculation, from the policy and the confirmed score."""
    if not milestone.requires_evaluation:
        return payout(milestone.amount, None)
    evaluation = milestone.gating_evaluation()
    if evaluation is None or evaluation.total_score is None:
        raise ActionRefusedError(
            _("The gating evaluation of this milestone has not been confirmed.")
        )
    return payout(
        milestone.amount,
        evaluation.total_score,
        full_pay_score=milestone.full_pay_score,
        pass_score=milestone.pass_score,
    )


@transaction.atomic
def deliverables_submit(
    *, milestone: Milestone, actor: User, title: str, report: str = "", file: Any = None
) -> Deliverable:
    """The NGO hands in a report (and file) for a milestone."""
    _require(can_submit_deliverables(actor, milestone))
    if not title.strip():
        raise ValidationError({"title": _("A title is required.")})
    if file is not None:
        validate_upload(file, kinds=DELIVERABLE_KINDS, max_bytes=DELIVERABLE_MAX)
    deliverable = Deliverable.objects.create(
        milestone=milestone, title=title, report=report, file=file or "", submitted_by=actor
    )
    if milestone.state in (MilestoneState.PLANNED, MilestoneState.DUE, MilestoneState.RECTIFYING):
        run_transition(milestone, "submit_deliverables", actor=actor, note=title)
    return deliverable


@transaction.atomic
def acceptance_record(
    *,
    milestone: Milestone,
    actor: User,
    passed: bool,
    checklist: Mapping[str, bool],
    notes: str = "",
    rectification_deadline: dt.date | None = None,
) -> Acceptance:
    """履约验收: passed accepts the milestone (its evaluation must be confirmed); failed sends it to 整改."""
    if passed and not all(checklist.values()):
        raise ValidationError(_("Every checklist item must be ticked to pass the acceptance."))
    if passed:
        run_transition(milestone, "accept", actor=actor, note=notes)
    else:
        if rectification_deadline is None:
            raise ValidationError({"rectification_deadline": _("Set a rectification deadline.")})
        run_transition(
            milestone,
            "require_rectification",
            actor=actor,
            note=notes,
            deadline=rectification_deadline,
            update_fields=["rectification_deadline"],
        )
    acceptance = Acceptance.objects.create(
        milestone=milestone,
        passed=passed,
        checklist=dict(checklist),
        notes=notes,
        recorded_by=actor,
    )
    contract = milestone.contract
    project = contract.project
    if (
        passed
        and not contract.milestones.exclude(
            state__in=[
                MilestoneState.ACCEPTED,
                MilestoneState.PAYABLE,
                MilestoneState.PAID,
                MilestoneState.WITHHELD,
                MilestoneState.FORFEITED,
            ]
        ).exists()
        and project.state == "in_service"
    ):
        run_transition(project, "mark_accepted", actor=actor, note=contract.number)
    return acceptance


def _paid_or_committed(milestone: Milestone) -> Decimal:
    total = Disbursement.objects.filter(
        milestone__contract=milestone.contract, state__in=LIVE
    ).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


@transaction.atomic
def disbursement_request(*, milestone: Milestone, actor: User) -> Disbursement:
    """Bureau staff request the payment the policy allows; the rest is withheld (ledger both)."""
    _require(can_request_disbursement(actor, milestone))
    locked = (
        Milestone.objects.select_for_update()
        .select_related("contract__project")
        .get(pk=milestone.pk)
    )
    if locked.state != MilestoneState.ACCEPTED:
        raise ActionRefusedError(
            _("A milestone is paid only after its acceptance (履约验收) is recorded.")
        )
    result = milestone_payout(locked)
    contract = locked.contract
    if _paid_or_committed(locked) + result.pay > contract.current_amount:
        raise ActionRefusedError(
            _("Payments would exceed the contract amount of %(a)s yuan.")
            % {"a": contract.current_amount}
        )
    accepted = locked.acceptances.filter(passed=True).order_by("-recorded_at").first()
    accepted_on = timezone.localdate(accepted.recorded_at) if accepted else timezone.localdate()
    if result.pay <= 0:
        raise ActionRefusedError(
            _("Nothing is payable for this score; rectify or forfeit the milestone.")
        )
    try:
        with transaction.atomic():
            disbursement = Disbursement.objects.create(
                milestone=locked,
                part=1,
                amount=result.pay,
                withheld=result.withheld,
                calculation=result.explanation,
                requested_by=actor,
                accepted_on=accepted_on,
                due_by=accepted_on + dt.timedelta(days=PAY_WITHIN_DAYS),
            )
    except IntegrityError as exc:
        raise ActionRefusedError(
            _("This milestone already has a payment in progress or paid.")
        ) from exc
    run_transition(locked, "request_payment", actor=actor, note=result.explanation)
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_REQUESTED,
        amount=result.pay,
        project=contract.project,
        contract=contract,
        milestone=locked,
        actor=actor,
        memo=result.explanation,
    )
    if result.withheld > 0:
        ledger_post(
            kind=LedgerKind.WITHHELD,
            amount=result.withheld,
            project=contract.project,
            contract=contract,
            milestone=locked,
            actor=actor,
            memo=_("Withheld pending rectification"),
        )
    return disbursement


@transaction.atomic
def disbursement_approve(*, disbursement: Disbursement, actor: User) -> Disbursement:
    """Finance approves; the requester may not (maker-checker)."""
    approved = run_transition(
        disbursement, "approve", actor=actor, by=actor, update_fields=["approved_by", "approved_at"]
    )
    m = approved.milestone
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_APPROVED,
        amount=approved.amount,
        project=m.contract.project,
        contract=m.contract,
        milestone=m,
        actor=actor,
        memo=_("Approved"),
    )
    return approved


@transaction.atomic
def disbursement_pay(
    *, disbursement: Disbursement, actor: User, voucher_number: str, paid_on: dt.date
) -> Disbursement:
    """Finance records the payment. The milestone's payment is claimed once, by a conditional UPDATE."""
    if not voucher_number.strip():
        raise ValidationError({"voucher_number": _("The voucher number is required.")})
    paid = run_transition(
        disbursement,
        "pay",
        actor=actor,
        by=actor,
        voucher_number=voucher_number.strip(),
        paid_on=paid_on,
        update_fields=["paid_by", "voucher_number", "paid_on"],
    )
    m = Milestone.objects.select_related("contract__project").get(pk=paid.milestone_id)
    if paid.part == 1:
        target = MilestoneState.WITHHELD if paid.withheld > 0 else MilestoneState.PAID
        claimed = Milestone.objects.filter(pk=m.pk, state=MilestoneState.PAYABLE).update(
            state=target
        )
        if claimed != 1:
            raise ActionRefusedError(_("This milestone has already been paid."))
        TransitionLog.objects.create(
            subject=m,
            transition="pay",
            source_state=MilestoneState.PAYABLE,
            target_state=target,
            actor=actor,
            note=voucher_number,
        )
    else:
        claimed = Milestone.objects.filter(pk=m.pk, state=MilestoneState.WITHHELD).update(
            state=MilestoneState.PAID
        )
        if claimed != 1:
            raise ActionRefusedError(
                _("The withheld part of this milestone has already been paid.")
            )
        TransitionLog.objects.create(
            subject=m,
            transition="pay_remainder",
            source_state=MilestoneState.WITHHELD,
            target_state=MilestoneState.PAID,
            actor=actor,
            note=voucher_number,
        )
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=paid.amount,
        project=m.contract.project,
        contract=m.contract,
        milestone=m,
        actor=actor,
        memo=_("Voucher %(v)s, paid %(d)s") % {"v": voucher_number, "d": paid_on},
    )
    _close_if_settled(m, actor)
    return paid


@transaction.atomic
def disbursement_reject(*, disbursement: Disbursement, actor: User, reason: str) -> Disbursement:
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    rejected = run_transition(
        disbursement,
        "reject",
        actor=actor,
        note=reason,
        reason=reason,
        update_fields=["rejection_reason"],
    )
    m = rejected.milestone
    if rejected.part == 1 and m.state == MilestoneState.PAYABLE:
        run_transition(m, "reopen_payment", actor=actor, note=reason)
    # The commitment is released by reversing the request entries, never by editing them.
    for entry in m.ledger_entries.filter(
        kind__in=[LedgerKind.DISBURSEMENT_REQUESTED, LedgerKind.WITHHELD]
    ).order_by("-seq")[:2]:
        from funds.ledger import ledger_reverse

        ledger_reverse(entry=entry, actor=actor, memo=reason)
    return rejected


@transaction.atomic
def withheld_release_request(*, milestone: Milestone, actor: User) -> Disbursement:
    """After rectification and a re-evaluation at or above the full-pay score, request the remainder."""
    _require(can_request_disbursement(actor, milestone))
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.state != MilestoneState.WITHHELD:
        raise ActionRefusedError(_("Only a milestone with a withheld part can release it."))
    first = locked.disbursements.get(part=1, state=DisbursementState.PAID)
    evaluation = locked.gating_evaluation()
    if (
        evaluation is None
        or evaluation.confirmed_at is None
        or evaluation.confirmed_at <= first.approved_at
        or evaluation.total_score < locked.full_pay_score
    ):
        raise ActionRefusedError(
            _("The withheld part is released after a new confirmed evaluation at or above %(s)s.")
            % {"s": locked.full_pay_score}
        )
    remainder = locked.amount - first.amount
    try:
        with transaction.atomic():
            return Disbursement.objects.create(
                milestone=locked,
                part=2,
                amount=remainder,
                calculation=_("Withheld part released after rectification: %(a)s")
                % {"a": remainder},
                requested_by=actor,
                accepted_on=timezone.localdate(),
                due_by=timezone.localdate() + dt.timedelta(days=PAY_WITHIN_DAYS),
            )
    except IntegrityError as exc:
        raise ActionRefusedError(_("The withheld part already has a payment in progress.")) from exc


@transaction.atomic
def milestone_forfeit(*, milestone: Milestone, actor: User, reason: str) -> Milestone:
    """The withheld amount is given up (forfeited), with the reason in the ledger."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    paid = milestone.disbursements.filter(state=DisbursementState.PAID).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal(0)
    forfeited = run_transition(milestone, "forfeit", actor=actor, note=reason)
    ledger_post(
        kind=LedgerKind.FORFEITED,
        amount=forfeited.amount - paid,
        project=forfeited.contract.project,
        contract=forfeited.contract,
        milestone=forfeited,
        actor=actor,
        memo=reason,
    )
    _close_if_settled(forfeited, actor)
    return forfeited


def _close_if_settled(milestone: Milestone, actor: User) -> None:
    contract = milestone.contract
    if contract.milestones.exclude(
        state__in=[MilestoneState.PAID, MilestoneState.FORFEITED]
    ).exists():
        return
    if contract.state == "in_service":
        run_transition(contract, "complete", actor=actor)
    project = contract.project
    if project.state == "accepted":
        run_transition(project, "close", actor=actor, note=contract.number)


# --- service records (服务台账) ----------------------------------------------------------------

SERVICE_RECORD_FIELDS = (
    "date",
    "place",
    "service_type",
    "beneficiary_category",
    "beneficiary_count",
    "hours",
    "social_worker",
)


def _record_worker(contract: Any, name: str) -> Any:
    """The worker on the supplier's register by name; None while the register is empty."""
    from workforce.models import SocialWorker

    register = SocialWorker.objects.filter(organization_id=contract.supplier_id)
    if not register.exists():
        return None
    worker = register.filter(name=name).first()
    if worker is None:
        raise ValidationError(
            {"social_worker": _("“%(v)s” is not on your register of social workers.") % {"v": name}}
        )
    return worker


def _check_record_values(contract: Any, values: dict[str, Any]) -> None:
    day = values.get("date")
    if day is not None and not (contract.start_date <= day <= contract.current_end_date):
        raise ValidationError({"date": _("The date is outside the contract term.")})


@transaction.atomic
def service_record_create(*, user: User, contract: Any, **values: Any) -> ServiceRecord:
    """One record typed in by the supplier; the worker must be on its register when it keeps one."""
    from funds.permissions import can_add_service_records

    decision = can_add_service_records(user, contract)
    if not decision:
        raise ActionRefusedError(str(decision.reason))
    _check_record_values(contract, values)
    worker = _record_worker(contract, values["social_worker"])
    return ServiceRecord.objects.create(contract=contract, worker=worker, **values)


@transaction.atomic
def service_record_correct(
    *, user: User, record: ServiceRecord, reason: str, **values: Any
) -> ServiceRecord:
    """Change a record's values; the reason and each changed value (old → new) go to the log."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    _check_record_values(record.contract, values)
    changed = {
        k: v for k, v in values.items() if k in SERVICE_RECORD_FIELDS and getattr(record, k) != v
    }
    if not changed:
        raise ValidationError({"reason": _("Nothing was changed.")})
    if "social_worker" in changed:
        changed["worker"] = _record_worker(record.contract, changed["social_worker"])
    note = "；".join(
        [reason.strip()]
        + [f"{k}: {getattr(record, k)} → {v}" for k, v in changed.items() if k != "worker"]
    )
    return run_transition(
        record, "correct", actor=user, note=note, update_fields=list(changed), **changed
    )


@transaction.atomic
def service_record_withdraw(*, user: User, record: ServiceRecord, reason: str) -> ServiceRecord:
    """Withdraw a record entered in error: it stays, logged with the reason, and counts nowhere."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing the record.")})
    return run_transition(record, "withdraw", actor=user, note=reason.strip())
