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
from core.fsm import ActionRefusedError, claim_transition, run_transition
from core.permissions import refuse_unless
from core.text import clean_text
from core.uploads import validate_upload
from funds import reach
from funds.imports import ImportResult, import_service_records
from funds.ledger import ledger_post, ledger_reverse
from funds.models import (
    Acceptance,
    Account,
    Deliverable,
    Disbursement,
    DisbursementState,
    LedgerEntry,
    LedgerKind,
    Milestone,
    MilestoneState,
    ServiceRecord,
)
from funds.permissions import (
    can_add_service_records,
    can_request_disbursement,
    can_submit_deliverables,
)
from funds.policy import Payout, payout
from procurement.models import ContractState
from projects.models import ProjectState
from workforce.models import SocialWorker

PAY_WITHIN_DAYS = 30
DELIVERABLE_KINDS = {"pdf", "docx", "xlsx", "jpg", "png", "csv"}
DELIVERABLE_MAX = 20 * 1024 * 1024
LIVE = [DisbursementState.REQUESTED, DisbursementState.APPROVED, DisbursementState.PAID]


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
    refuse_unless(can_submit_deliverables(actor, milestone))
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
    """履约验收: passed accepts the milestone (its evaluation must be confirmed); failed sends it to 整改.

    "Case files complete" is computed from the register when it holds files on the contract
    (every card filled in and the 档案袋 not empty); a tick sent for it is then ignored."""
    checklist = dict(checklist)
    files = reach.files_complete(milestone.contract)
    if files is not None:
        checklist["files_complete"] = files.ok
        if passed and not files.ok:
            raise ValidationError(
                _(
                    "Case files (四卡一袋): only %(complete)s of %(total)s files on this contract "
                    "are complete; the acceptance cannot pass."
                )
                % {"complete": files.complete, "total": files.total}
            )
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
        and project.state == ProjectState.IN_SERVICE
    ):
        run_transition(project, "mark_accepted", actor=actor, note=contract.number)
    return acceptance


def contract_committed(contract: Any) -> Decimal:
    """Paid, approved or requested on the contract: what its amount may never fall below."""
    total = Disbursement.objects.filter(milestone__contract=contract, state__in=LIVE).aggregate(
        s=Sum("amount")
    )["s"]
    return total or Decimal("0")


def _paid_or_committed(milestone: Milestone) -> Decimal:
    return contract_committed(milestone.contract)


def _post(kind: str, amount: Decimal, milestone: Milestone, actor: User, **fields: Any) -> None:
    contract = milestone.contract
    ledger_post(
        kind=kind,
        amount=amount,
        project=contract.project,
        contract=contract,
        milestone=milestone,
        actor=actor,
        **fields,
    )


@transaction.atomic
def disbursement_request(*, milestone: Milestone, actor: User) -> Disbursement:
    """Bureau staff request the payment the policy allows; the rest is withheld (ledger both)."""
    refuse_unless(can_request_disbursement(actor, milestone))
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
    _post(
        LedgerKind.DISBURSEMENT_REQUESTED,
        result.pay,
        locked,
        actor,
        disbursement=disbursement,
        memo_key=result.memo_key,
        memo_args=result.memo_args,
    )
    if result.withheld > 0:
        _post(
            LedgerKind.WITHHELD,
            result.withheld,
            locked,
            actor,
            disbursement=disbursement,
            memo_key="withheld",
        )
    return disbursement


@transaction.atomic
def disbursement_approve(*, disbursement: Disbursement, actor: User) -> Disbursement:
    """Finance approves; never the requester (不相容岗位分离)."""
    approved = run_transition(
        disbursement, "approve", actor=actor, by=actor, update_fields=["approved_by", "approved_at"]
    )
    m = Milestone.objects.select_related("contract__project").get(pk=approved.milestone_id)
    _post(
        LedgerKind.DISBURSEMENT_APPROVED,
        approved.amount,
        m,
        actor,
        disbursement=approved,
        memo_key="approved",
    )
    return approved


def _check_paid_on(disbursement: Disbursement, paid_on: dt.date) -> None:
    if paid_on > timezone.localdate():
        raise ValidationError(
            {"paid_on": _("The payment date %(d)s is in the future.") % {"d": paid_on}}
        )
    approved_at = Disbursement.objects.values_list("approved_at", flat=True).get(pk=disbursement.pk)
    if approved_at is not None and paid_on < timezone.localdate(approved_at):
        raise ValidationError(
            {
                "paid_on": _("The payment date %(d)s is before the approval on %(a)s.")
                % {"d": paid_on, "a": timezone.localdate(approved_at)}
            }
        )


@transaction.atomic
def disbursement_pay(
    *, disbursement: Disbursement, actor: User, voucher_number: str, paid_on: dt.date
) -> Disbursement:
    """Finance records the payment (not the requester, not the approver). The payment and the
    milestone's move are each claimed once by core's conditional UPDATE."""
    voucher_number = clean_text(voucher_number, one_line=True)
    if not voucher_number:
        raise ValidationError({"voucher_number": _("The voucher number is required.")})
    _check_paid_on(disbursement, paid_on)
    try:
        with transaction.atomic():
            paid = claim_transition(
                disbursement,
                "pay",
                actor=actor,
                note=voucher_number,
                by=actor,
                voucher_number=voucher_number,
                paid_on=paid_on,
                update_fields=["paid_by", "voucher_number", "paid_on"],
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"voucher_number": _("Voucher number %(v)s is already used.") % {"v": voucher_number}}
        ) from exc
    m = Milestone.objects.select_related("contract__project").get(pk=paid.milestone_id)
    if paid.part == 1:
        claim_transition(
            m,
            "mark_partly_withheld" if paid.withheld > 0 else "mark_paid",
            actor=actor,
            note=voucher_number,
            refused=_("This milestone has already been paid."),
        )
    else:
        claim_transition(
            m,
            "pay_remainder",
            actor=actor,
            note=voucher_number,
            refused=_("The withheld part of this milestone has already been paid."),
        )
    _post(
        LedgerKind.DISBURSEMENT_PAID,
        paid.amount,
        m,
        actor,
        disbursement=paid,
        memo_key="paid",
        memo_args={"v": voucher_number, "d": paid_on.isoformat()},
    )
    _close_if_settled(m, actor)
    return paid


def _own_open_lines(disbursement: Disbursement) -> list[LedgerEntry]:
    """The disbursement's own ledger lines not reversed yet, newest first.

    Entries posted before lines were linked to their disbursement (hash recipe 1) are found on
    the milestone by kind and amount, each at most once."""
    linked = list(
        disbursement.ledger_entries.filter(reverses__isnull=True, reversal__isnull=True)
        .exclude(kind=LedgerKind.REVERSED)
        .order_by("-seq")
    )
    if linked or disbursement.ledger_entries.exists():
        return linked
    wanted = {
        LedgerKind.DISBURSEMENT_REQUESTED: disbursement.amount,
        LedgerKind.DISBURSEMENT_APPROVED: disbursement.amount,
        LedgerKind.WITHHELD: disbursement.withheld,
    }
    found: list[LedgerEntry] = []
    for kind, amount in wanted.items():
        entry = (
            LedgerEntry.objects.filter(
                milestone_id=disbursement.milestone_id,
                disbursement__isnull=True,
                kind=kind,
                amount=amount,
                reversal__isnull=True,
            )
            .order_by("-seq")
            .first()
        )
        if entry is not None and amount > 0:
            found.append(entry)
    return sorted(found, key=lambda e: -e.seq)


@transaction.atomic
def disbursement_reject(*, disbursement: Disbursement, actor: User, reason: str) -> Disbursement:
    """Finance rejects a request: exactly this disbursement's own lines are reversed, once."""
    reason = clean_text(reason)
    if not reason:
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
    # The commitment is released by reversing the request's entries, never by editing them.
    for entry in _own_open_lines(rejected):
        ledger_reverse(entry=entry, actor=actor, memo=reason)
    return rejected


@transaction.atomic
def withheld_release_request(*, milestone: Milestone, actor: User) -> Disbursement:
    """After rectification and a re-evaluation at or above the full-pay score, request the
    withheld remainder: it moves from 暂缓支付 to 待审批支付 (a ledger line of its own)."""
    refuse_unless(can_request_disbursement(actor, milestone))
    locked = (
        Milestone.objects.select_for_update()
        .select_related("contract__project")
        .get(pk=milestone.pk)
    )
    if locked.state != MilestoneState.WITHHELD:
        raise ActionRefusedError(_("Only a milestone with a withheld part can release it."))
    first = locked.disbursements.get(part=1, state=DisbursementState.PAID)
    evaluation = locked.gating_evaluation()
    if (
        evaluation is None
        or evaluation.confirmed_at is None
        or first.approved_at is None
        or evaluation.confirmed_at <= first.approved_at
        or evaluation.total_score < locked.full_pay_score
    ):
        raise ActionRefusedError(
            _("The withheld part is released after a new confirmed evaluation at or above %(s)s.")
            % {"s": locked.full_pay_score}
        )
    remainder = first.withheld
    contract = locked.contract
    if _paid_or_committed(locked) + remainder > contract.current_amount:
        raise ActionRefusedError(
            _("Payments would exceed the contract amount of %(a)s yuan.")
            % {"a": contract.current_amount}
        )
    try:
        with transaction.atomic():
            released = Disbursement.objects.create(
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
    _post(
        LedgerKind.RELEASE_REQUESTED,
        remainder,
        locked,
        actor,
        disbursement=released,
        memo_key="release",
        memo_args={"a": str(remainder)},
    )
    return released


def _balance(milestone: Milestone, account: str) -> Decimal:
    entries = LedgerEntry.objects.filter(milestone=milestone)
    debit = entries.filter(debit=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    credit = entries.filter(credit=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return debit - credit


@transaction.atomic
def milestone_forfeit(*, milestone: Milestone, actor: User, reason: str) -> Milestone:
    """What was not paid is given up: the withheld balance leaves 暂缓支付, and a part never
    requested leaves 项目预算, both for 项目预算结余, with the reason in the ledger."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("A reason is required.")})
    forfeited = run_transition(milestone, "forfeit", actor=actor, note=reason)
    m = Milestone.objects.select_related("contract__project").get(pk=forfeited.pk)
    withheld = _balance(m, Account.WITHHELD)
    paid = _balance(m, Account.FEES_PAID)
    never_requested = m.amount - paid - withheld
    if withheld > 0:
        _post(LedgerKind.FORFEITED, withheld, m, actor, memo=reason, memo_key="forfeited")
    if never_requested > 0:
        _post(
            LedgerKind.FORFEITED,
            never_requested,
            m,
            actor,
            memo=reason,
            memo_key="forfeited",
            accounts=(Account.SURPLUS, Account.PROJECT_BUDGET),
        )
    _close_if_settled(m, actor)
    return forfeited


def _close_if_settled(milestone: Milestone, actor: User) -> None:
    contract = milestone.contract
    if contract.milestones.exclude(
        state__in=[MilestoneState.PAID, MilestoneState.FORFEITED]
    ).exists():
        return
    if contract.state == ContractState.IN_SERVICE:
        run_transition(contract, "complete", actor=actor)
    project = contract.project
    if project.state == ProjectState.ACCEPTED:
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
    refuse_unless(can_add_service_records(user, contract))
    _check_record_values(contract, values)
    worker = _record_worker(contract, values["social_worker"])
    return ServiceRecord.objects.create(contract=contract, worker=worker, **values)


def service_records_import(
    *, user: User, contract: Any, upload: Any, accept_warnings: bool = False
) -> ImportResult:
    """A whole file of the supplier's records: all rows or none (funds.imports), under the same
    rule as one record typed in."""
    refuse_unless(can_add_service_records(user, contract))
    return import_service_records(contract, upload, user=user, accept_warnings=accept_warnings)


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
