"""Milestones, deliverables, service records, acceptance, disbursements and the ledger.

The Milestone below is the seam procurement (which plans milestones when drafting a contract)
and evaluation (which may evaluate one milestone) share; the funds capability fills in the rest.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from procurement.models import Contract


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


class Milestone(models.Model):
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
