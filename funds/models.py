"""Milestones, deliverables, service records, acceptance, disbursements and the audit ledger.

Size: the money records of a contract are read together by the ledger, whose entries point
at milestones, disbursements and bonds.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from core.fsm import Guard, refusal
from core.models import AppendOnlyError
from procurement.models import Contract
from projects.models import BeneficiaryCategory, ServiceProject

FULL_PAY_SCORE = Decimal("80")
PASS_SCORE = Decimal("60")


def _guard(name: str) -> Guard:
    def check(user: Any, obj: Any) -> Any:
        import importlib

        # Imported late: permissions import these models.
        return getattr(importlib.import_module("funds.permissions"), name)(user, obj)

    check.__name__ = name
    return Guard(check)


class DisbursementState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", pgettext_lazy("payment", "Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class MilestoneState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DUE = "due", _("Due")
    DELIVERABLES_SUBMITTED = "deliverables_submitted", _("Deliverables submitted")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    EVALUATED = "evaluated", _("Evaluated")
    RECTIFYING = "rectifying", _("Rectifying")
    ACCEPTED = "accepted", _("Accepted")
    PAYABLE = "payable", _("Payable")
    PAID = "paid", _("Paid")
    WITHHELD = "withheld", _("Payment withheld")
    FORFEITED = "forfeited", _("Forfeited")


class Milestone(FSMModelMixin, models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="milestones"
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    name = models.CharField(_("milestone"), max_length=100)
    percentage = models.DecimalField(_("share of contract (%)"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("due date"))
    is_advance = models.BooleanField(_("advance payment"), default=False)
    requires_evaluation = models.BooleanField(_("gated by an evaluation"), default=True)
    deliverables_required = models.TextField(_("required deliverables"), blank=True)
    # Payment policy (configurable per milestone): ≥ full_pay_score pays 100%, from pass_score
    # pays score ÷ full_pay_score, below pass_score pays nothing.
    full_pay_score = models.DecimalField(
        _("score for full payment"), max_digits=5, decimal_places=2, default=FULL_PAY_SCORE
    )
    pass_score = models.DecimalField(
        _("pass score"), max_digits=5, decimal_places=2, default=PASS_SCORE
    )
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    state = FSMField(
        _("state"), default=MilestoneState.PLANNED, choices=MilestoneState.choices, protected=True
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="milestone_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.sequence}. {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("funds:milestone", args=[self.pk])

    def is_final(self) -> bool:
        """The contract's last payment node: its targets are due by this acceptance."""
        later = Milestone.objects.filter(contract_id=self.contract_id, sequence__gt=self.sequence)
        return not later.exists()

    def gating_evaluation(self) -> Any:
        from evaluation.selectors import gating_result

        return gating_result(milestone=self)

    @refusal(_("The gating evaluation of this milestone has not been confirmed."))
    def evaluation_confirmed(self) -> bool:
        return not self.requires_evaluation or self.gating_evaluation() is not None

    @refusal(_("No deliverables have been submitted for this milestone yet."))
    def deliverables_in(self) -> bool:
        # An advance is paid on signing; every other milestone is accepted on what was handed in.
        return self.is_advance or self.deliverables.exists()

    @transition(
        field=state,
        source=[MilestoneState.PLANNED, MilestoneState.DUE, MilestoneState.RECTIFYING],
        target=MilestoneState.DELIVERABLES_SUBMITTED,
        permission=_guard("can_submit_deliverables"),
    )
    def submit_deliverables(self) -> None:
        """The NGO handed in its reports and service records."""

    @transition(
        field=state,
        source=[
            MilestoneState.DELIVERABLES_SUBMITTED,
            MilestoneState.PLANNED,
            MilestoneState.DUE,
            MilestoneState.RECTIFYING,
        ],
        target=MilestoneState.UNDER_EVALUATION,
    )
    def start_evaluation(self) -> None:
        """A third-party evaluation was commissioned for this milestone."""

    @transition(
        field=state,
        source=[
            MilestoneState.PLANNED,
            MilestoneState.DUE,
            MilestoneState.DELIVERABLES_SUBMITTED,
            MilestoneState.UNDER_EVALUATION,
            MilestoneState.EVALUATED,
            MilestoneState.RECTIFYING,
        ],
        target=MilestoneState.EVALUATED,
    )
    def mark_evaluated(self) -> None:
        """Its evaluation result was confirmed by the bureau."""

    @transition(
        field=state,
        source=[
            MilestoneState.EVALUATED,
            MilestoneState.PLANNED,
            MilestoneState.DUE,
            MilestoneState.DELIVERABLES_SUBMITTED,
        ],
        target=MilestoneState.ACCEPTED,
        conditions=[evaluation_confirmed, deliverables_in],
        permission=_guard("can_accept_milestone"),
    )
    def accept(self) -> None:
        """履约验收 recorded with its checklist."""

    @transition(
        field=state,
        source=[MilestoneState.EVALUATED, MilestoneState.DELIVERABLES_SUBMITTED],
        target=MilestoneState.RECTIFYING,
        permission=_guard("can_accept_milestone"),
    )
    def require_rectification(self, *, deadline: Any) -> None:
        """整改: the NGO fixes what failed and submits again for re-evaluation."""
        self.rectification_deadline = deadline

    @transition(field=state, source=MilestoneState.ACCEPTED, target=MilestoneState.PAYABLE)
    def request_payment(self) -> None:
        """Bureau staff requested the disbursement."""

    @transition(field=state, source=MilestoneState.PAYABLE, target=MilestoneState.ACCEPTED)
    def reopen_payment(self) -> None:
        """The request was rejected; it may be requested again."""

    @transition(field=state, source=MilestoneState.PAYABLE, target=MilestoneState.PAID)
    def mark_paid(self) -> None:
        """Its payment (part 1) was made in full."""

    @transition(field=state, source=MilestoneState.PAYABLE, target=MilestoneState.WITHHELD)
    def mark_partly_withheld(self) -> None:
        """Paid pro rata; the rest is withheld until rectified or forfeited."""

    @transition(field=state, source=MilestoneState.WITHHELD, target=MilestoneState.PAID)
    def pay_remainder(self) -> None:
        """The withheld part, released after rectification, was paid (part 2)."""

    @refusal(_("A release of the withheld part is in progress; reject it before forfeiting."))
    def no_release_in_progress(self) -> bool:
        return not self.disbursements.filter(
            part=2, state__in=[DisbursementState.REQUESTED, DisbursementState.APPROVED]
        ).exists()

    @transition(
        field=state,
        source=[MilestoneState.WITHHELD, MilestoneState.RECTIFYING, MilestoneState.EVALUATED],
        target=MilestoneState.FORFEITED,
        conditions=[no_release_in_progress],
        permission=_guard("can_accept_milestone"),
    )
    def forfeit(self) -> None:
        """What was not paid of this milestone will not be paid."""


class Deliverable(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)
    report = models.TextField(_("report"), blank=True)
    file = models.FileField(_("file"), upload_to="deliverables/%Y/%m/", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return self.title


class ServiceType(models.TextChoices):
    CASE = "case", _("Casework (个案)")
    GROUP = "group", _("Group work (小组)")
    COMMUNITY = "community", _("Community activity (社区活动)")
    HOME_VISIT = "home_visit", _("Home visit (家访)")
    VIDEO_CALL = "video_call", _("Video call with parents")
    TUTORING = "tutoring", _("Homework tutoring")
    TRAINING = "training", _("Training")


class ServiceRecordImport(models.Model):
    """One imported 台账 file, by its content's SHA-256: the same file is refused a second time."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service-record import")
        verbose_name_plural = _("service-record imports")
        constraints = [
            models.UniqueConstraint(fields=["contract", "sha256"], name="import_file_once")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows})"


class ServiceRecordState(models.TextChoices):
    RECORDED = "recorded", pgettext_lazy("service record", "Recorded")
    WITHDRAWN = "withdrawn", pgettext_lazy("service record", "Withdrawn")


class ServiceRecord(FSMModelMixin, models.Model):
    """One line of the service ledger (服务台账). Counts only: no names or ID numbers of minors.

    A wrong line is corrected or withdrawn, each with a reason in the transition log; a withdrawn
    line stays (the log points at it) but counts nowhere."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="service_records")
    date = models.DateField(_("date"))
    place = models.CharField(_("village or community"), max_length=100)
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    beneficiary_category = models.CharField(
        _("beneficiary category"), max_length=32, choices=BeneficiaryCategory.choices
    )
    beneficiary_count = models.PositiveIntegerField(
        _("beneficiaries"), validators=[MinValueValidator(1)]
    )
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    social_worker = models.CharField(_("social worker"), max_length=50)
    # The worker on the NGO's register (workforce), when the register has them.
    worker = models.ForeignKey(
        "workforce.SocialWorker",
        verbose_name=_("social worker on the register"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch = models.ForeignKey(
        ServiceRecordImport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(
        _("state"),
        default=ServiceRecordState.RECORDED,
        choices=ServiceRecordState.choices,
        protected=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["contract", "date", "id"]
        indexes = [models.Index(fields=["contract", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.place} {self.get_service_type_display()}"

    @transition(
        field=state,
        source=ServiceRecordState.RECORDED,
        target=ServiceRecordState.RECORDED,
        permission=_guard("can_change_service_record"),
    )
    def correct(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @transition(
        field=state,
        source=ServiceRecordState.RECORDED,
        target=ServiceRecordState.WITHDRAWN,
        permission=_guard("can_change_service_record"),
    )
    def withdraw(self) -> None:
        """Counts nowhere from now on; the row and its log stay."""


class Acceptance(models.Model):
    """履约验收 of one milestone, with the checklist as the officer ticked it."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="acceptances")
    passed = models.BooleanField(_("passed"))
    checklist = models.JSONField(_("checklist"), default=dict)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.milestone} {'✓' if self.passed else '✗'}"


class Disbursement(FSMModelMixin, models.Model):
    """A payment of one milestone: requested by staff, approved and paid by finance (maker-checker)."""

    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    # 1: the payment after acceptance; 2: the withheld remainder, released after rectification.
    part = models.PositiveSmallIntegerField(_("part"), default=1)
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    withheld = models.DecimalField(
        _("withheld (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    calculation = models.TextField(_("calculation"))
    state = FSMField(
        _("state"),
        default=DisbursementState.REQUESTED,
        choices=DisbursementState.choices,
        protected=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(
        pgettext_lazy("payment", "approved at"), null=True, blank=True
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=40, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    accepted_on = models.DateField(_("accepted on"))
    due_by = models.DateField(_("payment due by"))

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-id"]
        constraints = [
            # The database itself refuses a second live payment of the same milestone.
            models.UniqueConstraint(
                fields=["milestone", "part"],
                condition=~models.Q(state="rejected"),
                name="one_live_disbursement_per_milestone_part",
            ),
            models.UniqueConstraint(
                fields=["voucher_number"],
                condition=~models.Q(voucher_number=""),
                name="voucher_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.amount}"

    @property
    def is_late(self) -> bool:
        paid_or_today = self.paid_on or timezone.localdate()
        return paid_or_today > self.due_by

    @transition(
        field=state,
        source=DisbursementState.REQUESTED,
        target=DisbursementState.APPROVED,
        permission=_guard("can_approve_disbursement"),
    )
    def approve(self, *, by: Any) -> None:
        self.approved_by = by
        self.approved_at = timezone.now()

    @transition(
        field=state,
        source=DisbursementState.APPROVED,
        target=DisbursementState.PAID,
        permission=_guard("can_pay_disbursement"),
    )
    def pay(self, *, by: Any, voucher_number: str, paid_on: Any) -> None:
        self.paid_by = by
        self.voucher_number = voucher_number
        self.paid_on = paid_on

    @transition(
        field=state,
        source=[DisbursementState.REQUESTED, DisbursementState.APPROVED],
        target=DisbursementState.REJECTED,
        permission=_guard("can_approve_disbursement"),
    )
    def reject(self, *, reason: str) -> None:
        self.rejection_reason = reason


class LedgerKind(models.TextChoices):
    BUDGET_APPROPRIATED = "budget_appropriated", _("Budget appropriated")
    BOND_RECEIVED = "bond_received", _("Bond received")
    BOND_RETURNED = "bond_returned", _("Bond returned")
    DISBURSEMENT_REQUESTED = "disbursement_requested", _("Disbursement requested")
    DISBURSEMENT_APPROVED = "disbursement_approved", _("Disbursement approved")
    DISBURSEMENT_PAID = "disbursement_paid", _("Disbursement paid")
    WITHHELD = "withheld", _("Withheld")
    RELEASE_REQUESTED = "release_requested", _("Withheld part released")
    FORFEITED = "forfeited", _("Forfeited")
    REVERSED = "reversed", _("Reversal")
    # Posted by planning.postings: money allocated down the bureau tree, a project drawing on a line.
    BUDGET_ALLOCATED = "budget_allocated", _("Budget allocated to a lower bureau")
    BUDGET_DRAWN = "budget_drawn", _("Budget line drawn by a project")


class Account(models.TextChoices):
    """The ledger's accounts. The stored value is the Chinese account name the book has always
    used (it is hashed into the chain); the label is that name in the reader's language."""

    BUDGET_QUOTA = "预算指标", pgettext_lazy("ledger account", "Budget quota")
    PROJECT_BUDGET = "项目预算", pgettext_lazy("ledger account", "Project budget")
    PENDING_APPROVAL = "待审批支付", pgettext_lazy("ledger account", "Payments awaiting approval")
    PAYABLE = "应付承接主体款", pgettext_lazy("ledger account", "Payable to the supplier")
    FEES_PAID = "已支付服务费", pgettext_lazy("ledger account", "Service fees paid")
    WITHHELD = "暂缓支付", pgettext_lazy("ledger account", "Payments withheld")
    SURPLUS = "项目预算结余", pgettext_lazy("ledger account", "Budget surplus")
    BANK = "银行存款", pgettext_lazy("ledger account", "Bank deposits")
    BONDS_PAYABLE = "应付保证金", pgettext_lazy("ledger account", "Bonds payable")


# Memo keys → their text in the reader's language, filled from the entry's memo_args.
MEMOS: dict[str, Any] = {
    "budget_appropriated": _("Budget appropriated for %(code)s"),
    "advance": _("Advance: no evaluation needed; %(a)s is payable."),
    "full_pay": _("Score %(s)s ≥ %(f)s: 100%% of %(a)s = %(p)s."),
    "pro_rata": _(
        "Score %(s)s is %(p)s-%(f)s: %(a)s × %(s)s ÷ %(f)s = %(pay)s; %(w)s withheld until rectified."
    ),
    "nothing_payable": _(
        "Score %(s)s < %(p)s: nothing is paid; %(a)s withheld pending rectification."
    ),
    "withheld": _("Withheld pending rectification"),
    "approved": pgettext_lazy("payment", "Approved"),
    "paid": _("Voucher %(v)s, paid %(d)s"),
    "release": _("Withheld part released after rectification: %(a)s"),
    "forfeited": _("Not paid and given up"),
    "reversal": _("Reversal of entry #%(seq)s"),
    "bond_received": _("Received from %(payer)s"),
    "bond_returned": _("Returned to %(payer)s"),
}


# The accounts a payment passes through on its way out: a settled contract leaves none open.
IN_BETWEEN_ACCOUNTS = (Account.PENDING_APPROVAL, Account.PAYABLE, Account.WITHHELD)


class BondKind(models.TextChoices):
    BID = "bid", _("Bid bond")
    PERFORMANCE = "performance", _("Performance bond")


class BondState(models.TextChoices):
    RECEIVED = "received", _("Received")
    RETURNED = "returned", _("Returned")


BID_BOND_RETURN_WORKDAYS = 5


class Bond(FSMModelMixin, models.Model):
    """A bid bond (投标保证金) or performance bond (履约保证金) held for a supplier.

    Received and returned through the ledger (银行存款 ↔ 应付保证金). A bid bond is returned
    within 5 working days: of the award notice to the other bidders, of the contract's signing
    to the winner (政府采购法实施条例第三十三条)."""

    kind = models.CharField(_("bond"), max_length=12, choices=BondKind.choices)
    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tender = models.ForeignKey(
        "procurement.Tender",
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bonds",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bonds",
    )
    payer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(
        _("state"), default=BondState.RECEIVED, choices=BondState.choices, protected=True
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bond")
        verbose_name_plural = _("bonds")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "tender", "payer"],
                condition=models.Q(kind="bid"),
                name="one_bid_bond_per_bidder",
            ),
            models.UniqueConstraint(
                fields=["kind", "contract"],
                condition=models.Q(kind="performance"),
                name="one_performance_bond_per_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.payer} {self.amount}"

    def return_due_by(self) -> Any:
        """The last day to return a bid bond, once the tender has come that far; else None."""
        from core.workdays import add_workdays

        if self.kind != BondKind.BID or self.tender is None:
            return None
        contract = Contract.objects.filter(tender=self.tender).first()
        if contract is not None and contract.supplier_id == self.payer_id:
            if contract.signed_at is None:
                return None
            return add_workdays(timezone.localdate(contract.signed_at), BID_BOND_RETURN_WORKDAYS)
        if self.tender.award_published_at is None:
            return None
        return add_workdays(
            timezone.localdate(self.tender.award_published_at), BID_BOND_RETURN_WORKDAYS
        )

    @transition(
        field=state,
        source=BondState.RECEIVED,
        target=BondState.RETURNED,
        permission=_guard("can_manage_bond"),
    )
    def return_to_payer(self, *, by: Any, on: Any) -> None:
        self.returned_by = by
        self.returned_on = on


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("ledger entries are never updated; post a reversing entry")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries are never deleted; post a reversing entry")


class LedgerEntry(models.Model):
    """One double-entry line, chained to the previous one by SHA-256 so that tampering shows."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"))
    kind = models.CharField(
        pgettext_lazy("ledger", "event"), max_length=32, choices=LedgerKind.choices
    )
    debit = models.CharField(_("debit account"), max_length=60)
    credit = models.CharField(_("credit account"), max_length=60)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    # Empty only for money that belongs to no project yet (an allocation to a lower bureau).
    project = models.ForeignKey(
        ServiceProject,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # Recipe 2 (from 2026-12): the entry also names the disbursement or bond it belongs to, the
    # entry it reverses, and its memo as a key with arguments shown in the reader's language;
    # `memo` then holds only text a person typed (a reason). Recipe 1 entries keep their hash.
    recipe = models.PositiveSmallIntegerField(_("hash recipe"), default=2)
    disbursement = models.ForeignKey(
        Disbursement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    bond = models.ForeignKey(
        Bond, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    # At most one reversal per entry: the database refuses a second.
    reverses = models.OneToOneField(
        "self",
        to_field="seq",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    memo_key = models.CharField(_("memo key"), max_length=40, blank=True)
    memo_args = models.JSONField(_("memo arguments"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["project", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("ledger entries are never updated; post a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries are never deleted; post a reversing entry")

    def canonical(self) -> str:
        """The exact text hashed: every field that carries meaning, in a fixed order.

        docs/ledger-hash.md publishes this recipe; scripts/verify_ledger_csv.py recomputes it."""
        fields: list[Any] = [
            self.seq,
            self.occurred_at.isoformat(timespec="microseconds"),
            self.kind,
            self.debit,
            self.credit,
            format(Decimal(self.amount).quantize(Decimal("0.01")), "f"),
            self.project_id,
            self.contract_id,
            self.milestone_id,
            self.actor_id,
            self.memo,
        ]
        if self.recipe >= 2:
            fields += [
                self.disbursement_id,
                self.bond_id,
                self.reverses_id,
                self.memo_key,
                json.dumps(
                    self.memo_args or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                ),
            ]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    def memo_text(self) -> str:
        """The memo in the reader's language: the keyed text, then what a person typed."""
        template = MEMOS.get(self.memo_key)
        keyed = ""
        if template is not None:
            try:
                keyed = str(template) % (self.memo_args or {})
            except (KeyError, TypeError, ValueError):
                keyed = str(template)
        if keyed and self.memo:
            return f"{keyed}：{self.memo}"
        return keyed or self.memo

    def debit_label(self) -> str:
        return _account_label(self.debit)

    def credit_label(self) -> str:
        return _account_label(self.credit)

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode("utf-8")).hexdigest()


def _account_label(account: str) -> str:
    try:
        return str(Account(account).label)
    except ValueError:
        return account


class LedgerHead(models.Model):
    """The single row every append locks, so the chain has exactly one head."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("ledger head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
