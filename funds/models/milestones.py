"""A contract's milestones: deliverables, acceptance (履约验收) and the disbursement that pays one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from core.fsm import refusal
from funds import gates
from funds.models.guards import _guard
from procurement.models import Contract

FULL_PAY_SCORE = Decimal("80")


PASS_SCORE = Decimal("60")


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


# The states in which a milestone's deliverables are still owed: the NGO's 工作台 lists these,
# soonest first, from the partial index `milestone_open_due`.
AWAITING_DELIVERABLES = (
    MilestoneState.PLANNED.value,
    MilestoneState.DUE.value,
    MilestoneState.RECTIFYING.value,
)


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
        # The 工作台's to-do lists ask for the few rows in one state (awaiting a signature, an
        # acceptance, a payment): an index finds them instead of scanning every milestone.
        indexes = [
            models.Index(fields=["state"], name="milestone_state"),
            # An NGO's next deliverables, soonest first: read in due order from the open ones
            # instead of sorting every open milestone of a large NGO's contracts (6 → 0.1 ms).
            models.Index(
                fields=["due_date"],
                condition=models.Q(state__in=AWAITING_DELIVERABLES, is_advance=False),
                name="milestone_open_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="milestone_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.sequence}. {self.name}"

    def get_absolute_url(self) -> str:

        return reverse("funds:milestone", args=[self.pk])

    def is_final(self) -> bool:
        """The contract's last payment node: its targets are due by this acceptance."""
        later = Milestone.objects.filter(contract_id=self.contract_id, sequence__gt=self.sequence)
        return not later.exists()

    def gating_evaluation(self) -> Any:
        return gates.confirmed_result(self)

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
        # The 工作台's to-do lists ask for the few rows in one state (awaiting a signature, an
        # acceptance, a payment): an index finds them instead of scanning every disbursement.
        indexes = [models.Index(fields=["state"], name="disbursement_state")]
        constraints = [
            # The database itself refuses a second live payment of the same milestone.
            models.UniqueConstraint(
                fields=["milestone", "part"],
                condition=~models.Q(state=DisbursementState.REJECTED),
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
