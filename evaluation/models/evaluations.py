"""An evaluation and what belongs to it: grades, assessors' assignments, score sheets and
their entries, the consolidated result and appeals. One aggregate: its transitions read the
states of the others."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import lazy_guard, refusal
from evaluation.models.indicator_systems import Indicator, IndicatorSystem
from procurement.models import Contract
from projects.models import ServiceProject


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优)")
    GOOD = "good", _("Good (良)")
    FAIR = "fair", _("Fair (中)")
    POOR = "poor", _("Poor (差)")


GRADE_FLOORS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("90"), Grade.EXCELLENT),
    (Decimal("80"), Grade.GOOD),
    (Decimal("60"), Grade.FAIR),
)


def grade_for(score: Decimal) -> str:
    """The grade of a total score: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below (Decimal, exact)."""
    for floor, grade in GRADE_FLOORS:
        if score >= floor:
            return str(grade)
    return str(Grade.POOR)


class EvaluationKind(models.TextChoices):
    MID_TERM = "mid_term", _("Mid-term evaluation")
    FINAL = "final", _("Final evaluation")


class EvaluationState(models.TextChoices):
    COMMISSIONED = "commissioned", _("Commissioned")
    SCORING = "scoring", _("Scoring")
    SUBMITTED = "submitted", _("All sheets submitted")
    CONSOLIDATED = "consolidated", _("Consolidated")
    CONFIRMED = "confirmed", _("Confirmed")
    APPEALED = "appealed", _("Under appeal")
    RE_REVIEWED = "re_reviewed", _("Re-reviewed")
    PUBLISHED = "published", _("Published")


# States in which a confirmed result exists (the NGO may see it; the funds app may rely on it).
RESULT_CONFIRMED_STATES = (
    EvaluationState.CONFIRMED,
    EvaluationState.PUBLISHED,
)


# States in which every score sheet is in and assessors may see each other's sheets.
SHEETS_OPEN_STATES = (
    EvaluationState.SUBMITTED,
    EvaluationState.CONSOLIDATED,
    EvaluationState.CONFIRMED,
    EvaluationState.APPEALED,
    EvaluationState.RE_REVIEWED,
    EvaluationState.PUBLISHED,
)


# States in which a consolidated result exists.
RESULT_STATES = (
    EvaluationState.CONSOLIDATED,
    EvaluationState.CONFIRMED,
    EvaluationState.APPEALED,
    EvaluationState.RE_REVIEWED,
    EvaluationState.PUBLISHED,
)


NGO_RESULT_STATES = (
    EvaluationState.CONFIRMED,
    EvaluationState.APPEALED,
    EvaluationState.RE_REVIEWED,
    EvaluationState.PUBLISHED,
)


_guard = partial(lazy_guard, "evaluation.permissions")


class Evaluation(FSMModelMixin, models.Model):
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
        verbose_name=pgettext_lazy("performance", "milestone"),
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

    kind = models.CharField(
        _("evaluation type"),
        max_length=16,
        choices=EvaluationKind.choices,
        default=EvaluationKind.MID_TERM,
    )
    system = models.ForeignKey(
        IndicatorSystem,
        verbose_name=_("indicator system"),
        null=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    min_assessors = models.PositiveSmallIntegerField(_("minimum assessors"), default=3)
    spread_threshold = models.DecimalField(
        _("spread threshold (per cent of the leaf's points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30.00"),
    )
    commissioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commissioned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commissioned_at = models.DateTimeField(_("commissioned at"), default=timezone.now)
    appeal_deadline = models.DateField(_("appeal deadline"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Figures computed from Sanshe's records count what happened up to this day.
    cutoff_date = models.DateField(
        _("cut-off date"),
        null=True,
        blank=True,
        help_text=_("Records up to this day count; empty: the milestone's due date or today."),
    )

    class Meta:
        verbose_name = _("performance evaluation")
        verbose_name_plural = _("performance evaluations")
        ordering = ["-id"]
        # The 工作台's to-do lists ask for the few evaluations in a state that waits for someone
        # (a lead's work, a result to confirm): an index finds them instead of a scan.
        indexes = [models.Index(fields=["state"], name="evaluation_state")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:

        return reverse("evaluation:detail", args=[self.pk])

    @property
    def result_confirmed(self) -> bool:
        """A confirmed result exists (possibly under appeal): the NGO may see the scores."""
        return self.state in NGO_RESULT_STATES

    def current_result(self) -> EvaluationResult | None:
        return self.results.filter(is_current=True).first()

    def as_of(self) -> Any:
        """The cut-off date of the figures computed from Sanshe's records."""
        if self.cutoff_date is not None:
            return self.cutoff_date
        if self.milestone is not None:
            return self.milestone.due_date
        return timezone.localdate(self.commissioned_at)

    # --- conditions -------------------------------------------------------------------------

    @refusal(_("Not enough assessors have cleared their conflict-of-interest declaration."))
    def has_enough_assessors(self) -> bool:
        cleared = self.assignments.filter(state=AssignmentState.CLEARED).count()
        return cleared >= self.min_assessors

    @refusal(_("An assessor has not yet declared conflicts of interest."))
    def no_pending_declarations(self) -> bool:
        return not self.assignments.filter(state=AssignmentState.PENDING).exists()

    @refusal(_("Not every assessor has submitted a score sheet."))
    def all_sheets_submitted(self) -> bool:
        sheets = self.sheets.all()
        return sheets.exists() and not sheets.exclude(state=SheetState.SUBMITTED).exists()

    @refusal(_("The appeal period has ended."))
    def within_appeal_period(self) -> bool:
        return self.appeal_deadline is not None and timezone.localdate() <= self.appeal_deadline

    @refusal(_("This result has already been appealed once."))
    def not_appealed_before(self) -> bool:
        return not Appeal.objects.filter(evaluation=self).exists()

    @refusal(_("The appeal period has not ended yet."))
    def appeal_settled(self) -> bool:
        return (
            Appeal.objects.filter(evaluation=self).exists()
            or self.appeal_deadline is None
            or timezone.localdate() > self.appeal_deadline
        )

    # --- transitions ------------------------------------------------------------------------

    @transition(
        field=state,
        source=EvaluationState.COMMISSIONED,
        target=EvaluationState.SCORING,
        conditions=[no_pending_declarations, has_enough_assessors],
        permission=_guard("can_lead_evaluation"),
    )
    def start_scoring(self) -> None:
        """Every cleared assessor receives a blank score sheet."""

    @transition(
        field=state,
        source=EvaluationState.SCORING,
        target=EvaluationState.SUBMITTED,
        conditions=[all_sheets_submitted],
    )
    def close_scoring(self) -> None:
        """The last sheet came in; sheets are now visible to the lead and each other."""

    @transition(
        field=state,
        source=[EvaluationState.SUBMITTED, EvaluationState.CONSOLIDATED],
        target=EvaluationState.CONSOLIDATED,
        permission=_guard("can_lead_evaluation"),
    )
    def consolidate(self, *, total: Decimal) -> None:
        self.total_score = total
        self.grade = grade_for(total)

    @transition(
        field=state,
        source=EvaluationState.CONSOLIDATED,
        target=EvaluationState.SUBMITTED,
        permission=_guard("can_confirm_evaluation"),
    )
    def return_for_review(self) -> None:
        """The bureau sends the consolidated result back to the lead with a note."""

    @transition(
        field=state,
        source=[EvaluationState.CONSOLIDATED, EvaluationState.RE_REVIEWED],
        target=EvaluationState.CONFIRMED,
        permission=_guard("can_confirm_evaluation"),
    )
    def confirm(self, *, appeal_deadline: Any) -> None:
        self.confirmed_at = timezone.now()
        self.appeal_deadline = appeal_deadline

    @transition(
        field=state,
        source=EvaluationState.CONFIRMED,
        target=EvaluationState.APPEALED,
        conditions=[within_appeal_period, not_appealed_before],
        permission=_guard("can_appeal_evaluation"),
    )
    def appeal(self) -> None:
        """申诉: the NGO disputes the confirmed result (once)."""

    @transition(
        field=state,
        source=EvaluationState.APPEALED,
        target=EvaluationState.RE_REVIEWED,
        permission=_guard("can_lead_evaluation"),
    )
    def re_review(self, *, total: Decimal) -> None:
        self.total_score = total
        self.grade = grade_for(total)

    @transition(
        field=state,
        source=EvaluationState.CONFIRMED,
        target=EvaluationState.PUBLISHED,
        conditions=[appeal_settled],
        permission=_guard("can_confirm_evaluation"),
    )
    def publish(self) -> None:
        """公开: the confirmed result is published after the appeal window."""
        self.published_at = timezone.now()


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Awaiting declaration")
    CLEARED = "cleared", _("No conflict declared")
    CONFLICTED = "conflicted", _("Withdrawn: conflict of interest")


class AssessorAssignment(FSMModelMixin, models.Model):
    """An assessor on an evaluation and their conflict-of-interest declaration (回避声明)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="assignments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="evaluation_assignments",
    )
    state = FSMField(
        _("state"),
        default=AssignmentState.PENDING,
        choices=AssignmentState.choices,
        protected=True,
    )
    declaration = models.TextField(_("declaration"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessor assignment")
        verbose_name_plural = _("assessor assignments")
        ordering = ["evaluation", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "assessor"], name="one_assignment_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessor} · {self.evaluation_id}"

    @transition(
        field=state,
        source=AssignmentState.PENDING,
        target=AssignmentState.CLEARED,
        permission=_guard("can_declare_interests"),
    )
    def declare_no_conflict(self, *, statement: str) -> None:
        self.declaration = statement
        self.declared_at = timezone.now()

    @transition(
        field=state,
        source=AssignmentState.PENDING,
        target=AssignmentState.CONFLICTED,
        permission=_guard("can_declare_interests"),
    )
    def declare_conflict(self, *, statement: str) -> None:
        self.declaration = statement
        self.declared_at = timezone.now()


class SheetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class ScoreSheet(FSMModelMixin, models.Model):
    """One assessor's independent scores for every leaf of the evaluation's system."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="sheets")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="score_sheets",
    )
    state = FSMField(
        _("state"), default=SheetState.DRAFT, choices=SheetState.choices, protected=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "assessor"], name="one_sheet_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessor} · {self.evaluation_id}"

    @refusal(_("Score every indicator before submitting."))
    def is_complete(self) -> bool:
        return not self.entries.filter(score__isnull=True).exists() and (
            self.entries.count() == self.evaluation.system.indicators.filter(level=3).count()  # type: ignore[union-attr]
        )

    @transition(
        field=state,
        source=SheetState.DRAFT,
        target=SheetState.SUBMITTED,
        conditions=[is_complete],
        permission=_guard("can_edit_sheet"),
    )
    def submit(self) -> None:
        self.submitted_at = timezone.now()


def evidence_path(instance: ScoreEntry, filename: str) -> str:
    return f"evaluation/{instance.sheet.evaluation_id}/{instance.sheet_id}/{filename}"


class ScoreEntry(models.Model):
    """The score of one leaf on one sheet: the method's inputs, the computed score, a comment."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    # Why the assessor departs from the figure Sanshe computed (data-driven leaves only).
    adjust_reason = models.TextField(_("reason for adjusting the computed figure"), blank=True)

    class Meta:
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "indicator"], name="one_entry_per_leaf"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0),
                name="score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} = {self.score}"


class ConsolidationMethod(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (a fifth dropped at each end)")


class EvaluationResult(models.Model):
    """A consolidated result; a re-review adds a new one and keeps the first in history."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    total = models.DecimalField(_("total score"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    method = models.CharField(
        _("consolidation method"), max_length=16, choices=ConsolidationMethod.choices
    )
    assessor_count = models.PositiveSmallIntegerField(_("assessors"))
    agreement_alpha = models.DecimalField(
        _("Krippendorff's alpha"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    summary = models.TextField(_("overall comment"), blank=True)
    consolidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consolidated by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consolidated_at = models.DateTimeField(_("consolidated at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["evaluation", "round"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "round"], name="one_result_per_round"),
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=models.Q(is_current=True),
                name="one_current_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} r{self.round}: {self.total}"


class LeafResult(models.Model):
    """The consolidated score of one leaf, with the assessors' spread and any override."""

    result = models.ForeignKey(EvaluationResult, on_delete=models.CASCADE, related_name="leaves")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    computed = models.DecimalField(_("computed score"), max_digits=5, decimal_places=2)
    spread = models.DecimalField(_("spread"), max_digits=5, decimal_places=2)
    flagged = models.BooleanField(_("flagged for discussion"), default=False)
    overridden = models.BooleanField(_("overridden"), default=False)
    note = models.TextField(_("justification or discussion note"), blank=True)

    class Meta:
        verbose_name = _("leaf result")
        verbose_name_plural = _("leaf results")
        constraints = [
            models.UniqueConstraint(fields=["result", "indicator"], name="one_leaf_result")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} = {self.score}"


class Appeal(models.Model):
    """申诉: the NGO's one appeal against a confirmed result, and the lead's answer."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="appeal_record"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("grounds of appeal"))
    # The indicators the NGO disputes: a re-review changes only these (others need a reason).
    disputed = models.ManyToManyField(
        Indicator, verbose_name=_("disputed indicators"), blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    response = models.TextField(_("re-review response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.reason[:30]}"
