"""Performance evaluation: indicator systems, commissions, assessors, score sheets, results.

The Evaluation fields below are the seam the funds app reads (state, total_score, grade,
confirmed_at); the evaluation capability fills in the rest of this module.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from accounts.models import Organization
from procurement.models import Contract
from projects.models import ServiceProject


class EvaluationState(models.TextChoices):
    COMMISSIONED = "commissioned", _("Commissioned")
    ASSESSORS_ASSIGNED = "assessors_assigned", _("Assessors assigned")
    SCORING = "scoring", _("Scoring")
    SUBMITTED = "submitted", _("All sheets submitted")
    CONSOLIDATED = "consolidated", _("Consolidated")
    CONFIRMED = "confirmed", _("Confirmed")
    APPEALED = "appealed", _("Under appeal")
    PUBLISHED = "published", _("Published")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优)")
    GOOD = "good", _("Good (良)")
    FAIR = "fair", _("Fair (中)")
    POOR = "poor", _("Poor (差)")


class Evaluation(models.Model):
    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="evaluations"
    )
    # A milestone evaluation gates that milestone's payment; blank means the whole contract.
    milestone = models.ForeignKey(
        "funds.Milestone",
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    assessor_org = models.ForeignKey(
        Organization,
        verbose_name=_("assessor organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = FSMField(
        _("state"),
        default=EvaluationState.COMMISSIONED,
        choices=EvaluationState.choices,
        protected=True,
    )
    total_score = models.DecimalField(
        _("total score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("performance evaluation")
        verbose_name_plural = _("performance evaluations")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.project} #{self.pk}"
