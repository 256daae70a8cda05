"""What an evaluation stands on besides the sheets: contract targets, figures computed from
Sanshe's own records, the NGO's self-evaluation, the service users' survey, the change history,
organisation ties and the service users' opinion at acceptance.

Kept apart from the models/ package, whose `__init__` imports this module so Django registers
the models under the evaluation app.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from core.models import AppendOnlyError
from procurement.models import Contract

__all__ = [
    "SATISFIED_ANSWERS",
    "AcceptanceOpinion",
    "ChangeKind",
    "ChangeRecord",
    "ComputedIndicator",
    "ContractTarget",
    "MeasureKey",
    "OrganizationTie",
    "Satisfaction",
    "SatisfactionSurvey",
    "SelfEvaluation",
    "SelfScore",
    "SurveyHousehold",
    "SurveyMode",
    "TieKind",
]


class MeasureKey(models.TextChoices):
    SERVICE_PERSON_TIMES = "service_person_times", _("Service person-times (服务人次)")
    CASE_COUNT = "case_count", _("Cases (个案数)")
    FILE_COMPLETENESS = "file_completeness", _("Case-file completeness, per cent (建档完整率)")
    VOLUNTEER_TIMES = "volunteer_times", _("Volunteer person-times (志愿者人次)")
    CERTIFIED_SHARE = "certified_share", _("Certified social workers, per cent (持证社工占比)")
    SATISFACTION = "satisfaction", _("Service-user satisfaction, per cent (满意度)")


class ContractTarget(models.Model):
    """A quantity the contract commits the NGO to (合同约定指标), e.g. 服务人次 6000."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="evaluation_targets",
    )
    measure = models.CharField(_("indicator"), max_length=32, choices=MeasureKey.choices)
    value = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    basis = models.CharField(_("contract clause"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("contract target")
        verbose_name_plural = _("contract targets")
        ordering = ["contract", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "measure"], name="one_target_per_measure")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.measure}={self.value}"


def _plain(value: Any) -> str:
    """24.00 → "24", 91.50 → "91.5": the same text whether read from the row or just computed."""
    return format(Decimal(value).normalize(), "f")


class ComputedIndicator(models.Model):
    """A data-driven leaf's figure as at the evaluation's cut-off, frozen when scoring opens."""

    evaluation = models.ForeignKey(
        "evaluation.Evaluation", on_delete=models.CASCADE, related_name="computed"
    )
    indicator = models.ForeignKey(
        "evaluation.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    measure = models.CharField(_("indicator"), max_length=32, choices=MeasureKey.choices)
    value = models.DecimalField(
        _("computed value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True)
    target_source = models.CharField(_("target from"), max_length=200, blank=True)
    how = models.TextField(_("how it was computed"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("computed indicator")
        verbose_name_plural = _("computed indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="one_computed_value_per_leaf"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"

    @property
    def has_data(self) -> bool:
        return self.value is not None

    def inputs(self, method: str) -> dict[str, str]:
        """The sheet inputs this figure fills in (empty when there is no data)."""
        if self.value is None:
            return {}
        inputs = {"actual": _plain(self.value)}
        if method == "ratio" and self.target is not None:
            inputs["target"] = _plain(self.target)
        return inputs


class ChangeKind(models.TextChoices):
    SHEET_ENTRY = "sheet_entry", _("Score sheet entry")
    LEAF_DECISION = "leaf_decision", _("Note or override")
    SELF_SCORE = "self_score", _("Self-evaluation entry")


class ChangeRecordQuerySet(models.QuerySet["ChangeRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("history rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("history rows are append-only")


class ChangeRecord(models.Model):
    """One version of one entry, note or override: what it was, what it became, who and why.

    Append-only: the history of an evaluation is read from here, never rebuilt."""

    evaluation = models.ForeignKey(
        "evaluation.Evaluation", on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    sheet = models.ForeignKey(
        "evaluation.ScoreSheet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        "evaluation.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("round"), null=True, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["evaluation", "at", "id"]
        indexes = [models.Index(fields=["evaluation", "kind"])]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.kind} {self.indicator_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("history rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("history rows are append-only")


class SelfEvaluation(models.Model):
    """自评: the NGO scores itself against the same system before the assessors start."""

    evaluation = models.OneToOneField(
        "evaluation.Evaluation", on_delete=models.CASCADE, related_name="self_evaluation"
    )
    summary = models.TextField(_("self-assessment summary"), blank=True)
    total = models.DecimalField(
        _("self-assessed total"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.total}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class SelfScore(models.Model):
    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        "evaluation.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("self-evaluation score")
        verbose_name_plural = _("self-evaluation scores")
        constraints = [
            models.UniqueConstraint(
                fields=["self_evaluation", "indicator"], name="one_self_score_per_leaf"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} = {self.score}"


class TieKind(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Same legal representative")
    SHARED_STAFF = "shared_staff", _("Shared staff")
    PAID_WORK = "paid_work", _("Paid work for the organisation")


# Paid work this recent ties an assessor organisation to the NGO (the three years).
PAID_WORK_YEARS = 3


class OrganizationTie(models.Model):
    """A declared tie between an assessor organisation and another organisation (its profile)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("assessor organisation"),
        on_delete=models.PROTECT,
        related_name="evaluation_ties",
    )
    other = models.ForeignKey(
        Organization,
        verbose_name=_("tied organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("tie"), max_length=24, choices=TieKind.choices)
    detail = models.CharField(_("details"), max_length=300, blank=True)
    last_date = models.DateField(
        _("last paid work on"),
        null=True,
        blank=True,
        help_text=_("For paid work: when it ended (ties older than three years lapse)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation tie")
        verbose_name_plural = _("organisation ties")
        ordering = ["organization", "other", "kind"]

    def __str__(self) -> str:
        return f"{self.organization_id}-{self.other_id} {self.kind}"

    def in_force(self, on: Any) -> bool:
        if self.kind != TieKind.PAID_WORK or self.last_date is None:
            return True
        return self.last_date >= on.replace(year=on.year - PAID_WORK_YEARS)


class SurveyMode(models.TextChoices):
    PAPER = "paper", _("Paper questionnaire")
    PHONE = "phone", pgettext_lazy("survey mode", "Phone")
    VISIT = "visit", _("Home visit")


class SatisfactionSurvey(models.Model):
    """The lead's random sample of served households, drawn from the register (counts only)."""

    evaluation = models.OneToOneField(
        "evaluation.Evaluation", on_delete=models.CASCADE, related_name="survey"
    )
    population = models.PositiveIntegerField(_("households served"))
    seed = models.CharField(_("random seed"), max_length=64)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.population}"


class Satisfaction(models.TextChoices):
    VERY = "very", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


SATISFIED_ANSWERS = (Satisfaction.VERY, Satisfaction.SATISFIED)


class SurveyHousehold(models.Model):
    """One sampled household: a masked reference and its village, and the answer once given."""

    survey = models.ForeignKey(
        SatisfactionSurvey, on_delete=models.CASCADE, related_name="households"
    )
    position = models.PositiveIntegerField(_("number"))
    reference = models.CharField(_("household (masked)"), max_length=60)
    village = models.CharField(_("village or community"), max_length=100, blank=True)
    mode = models.CharField(_("how asked"), max_length=8, choices=SurveyMode.choices, blank=True)
    reached = models.BooleanField(_("reached"), null=True)
    overall = models.CharField(
        _("overall satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    would_recommend = models.BooleanField(_("would recommend the service"), null=True)
    improvement = models.CharField(_("what should improve"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sampled household")
        verbose_name_plural = _("sampled households")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="one_household_position")
        ]

    def __str__(self) -> str:
        return self.reference


class AcceptanceOpinion(models.Model):
    """Service users' opinion taken at the 履约验收 of a public-service milestone (实施条例第45条).

    Kept here rather than in funds (whose milestone transitions are being reworked); the result
    is published on the public results page once recorded."""

    milestone = models.OneToOneField(
        "funds.Milestone", on_delete=models.PROTECT, related_name="service_user_opinion"
    )
    consulted = models.PositiveIntegerField(
        _("service users consulted"), validators=[MinValueValidator(1)]
    )
    satisfied = models.PositiveIntegerField(_("of whom satisfied"))
    how = models.CharField(_("how they were consulted"), max_length=200)
    summary = models.TextField(_("their opinion"))
    satisfaction_percent = models.DecimalField(
        _("satisfied (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("service users' opinion at acceptance")
        verbose_name_plural = _("service users' opinions at acceptance")

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.satisfaction_percent}%"
