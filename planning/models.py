"""Annual plans and budget lines, allocations down the bureau tree, projects' draws on lines,
the purchase catalogue (指导性目录), tenders' supplier requirements and the periodic statistics
report (统计报表) a bureau submits to its parent."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.credit import Rating
from accounts.models import Organization
from core.fsm import lazy_guard
from procurement.models import Tender
from projects.models import ServiceProject

ZERO = Decimal("0.00")


class FundSource(models.TextChoices):
    """Where a line's money comes from (资金来源), as budgets name it."""

    OWN_BUDGET = "own_budget", _("Own-level fiscal budget")
    SUPERIOR_SUBSIDY = "superior_subsidy", _("Special subsidy from a higher level")
    WELFARE_LOTTERY = "welfare_lottery", _("Welfare lottery public-welfare fund")
    CENTRAL_TRANSFER = "central_transfer", _("Central transfer payment")
    OTHER = "other", _("Other funds")


class AnnualPlan(models.Model):
    """A bureau's budget envelope for one year (年度购买服务计划)."""

    bureau = models.ForeignKey(
        Organization,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="annual_plans",
        limit_choices_to={"kind": "bureau"},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["-year", "bureau__path"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="one_plan_per_bureau_year")
        ]

    def __str__(self) -> str:
        return f"{self.bureau} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("planning:plan", args=[self.pk])


class BudgetLine(models.Model):
    """An amount of one fund source in a plan. A line received from the parent bureau points at
    the parent's line it came from (`source`); lines of the bureau's own money have none."""

    plan = models.ForeignKey(
        AnnualPlan, verbose_name=_("annual plan"), on_delete=models.PROTECT, related_name="lines"
    )
    fund_source = models.CharField(_("fund source"), max_length=24, choices=FundSource.choices)
    name = models.CharField(_("line"), max_length=120)
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    source = models.ForeignKey(
        "self",
        verbose_name=_("allocated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    # The ledger line an allocation posted (it has no project): how the ledger's bureau filter
    # finds it (planning.hooks registers the scope with funds).
    ledger_entry = models.OneToOneField(
        "funds.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_line",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["plan", "fund_source", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.bureau} {self.plan.year} {self.name}"

    @property
    def is_allocation(self) -> bool:
        return self.source_id is not None


class ProjectDraw(models.Model):
    """How much of a project's budget one line pays for."""

    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="draws",
    )
    line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="draws"
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # The ledger line this draw posted; releasing the draw reverses exactly that line.
    ledger_entry = models.ForeignKey(
        "funds.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("project draw")
        verbose_name_plural = _("project draws")
        ordering = ["project", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "line"], name="one_draw_per_line"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="draw_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} ← {self.line.name} {self.amount}"


class CatalogueItem(models.Model):
    """An entry of a 政府购买服务指导性目录. A province keeps the catalogue; every bureau below it
    picks from it (a city or county may add finer entries of its own under a province code)."""

    owner = models.ForeignKey(
        Organization,
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="catalogue_items",
        limit_choices_to={"kind": "bureau"},
    )
    code = models.CharField(_("catalogue code"), max_length=20)
    name = models.CharField(_("catalogue entry"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("in force"), default=True)

    class Meta:
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("purchase catalogue")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="catalogue_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectCatalogue(models.Model):
    """The catalogue entry a project is bought under."""

    project = models.OneToOneField(
        ServiceProject, on_delete=models.CASCADE, related_name="catalogue_entry"
    )
    item = models.ForeignKey(
        CatalogueItem,
        verbose_name=_("catalogue entry"),
        on_delete=models.PROTECT,
        related_name="projects",
    )

    class Meta:
        verbose_name = _("project catalogue entry")
        verbose_name_plural = _("project catalogue entries")

    def __str__(self) -> str:
        return f"{self.project.code} {self.item.code}"


class SupplierRequirement(models.Model):
    """What a bidder must meet beyond the law's minimum (资格条件): checked when the bid is
    submitted (政府采购法第二十二条: the purchaser may set specific conditions)."""

    tender = models.OneToOneField(
        Tender, on_delete=models.CASCADE, related_name="supplier_requirement"
    )
    min_rating = models.CharField(
        _("minimum evaluation rating"), max_length=2, choices=Rating.choices, blank=True
    )
    no_current_listing = models.BooleanField(
        _("not on the abnormal or dishonest list"), default=True
    )
    valid_certificate = models.BooleanField(_("registration certificate in force"), default=True)

    class Meta:
        verbose_name = _("supplier requirement")
        verbose_name_plural = _("supplier requirements")

    def __str__(self) -> str:
        return f"{self.tender} ≥{self.min_rating or '-'}"


# --- periodic statistics report ----------------------------------------------------------------


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    SUBMITTED = "submitted", _("Submitted")


_guard = partial(lazy_guard, "planning.permissions")


class StatsReport(FSMModelMixin, models.Model):
    """统计报表: one bureau's figures for one period, generated from the data, reviewed by a
    second person and submitted to the parent bureau. A submitted version is frozen; a correction
    is the next version."""

    bureau = models.ForeignKey(
        Organization,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="stats_reports",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), help_text=_("1 to 4; 0 for the whole year.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    data = models.JSONField(_("figures"))
    state = FSMField(
        _("state"), default=ReportState.DRAFT, choices=ReportState.choices, protected=True
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(_("generated at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics report")
        verbose_name_plural = _("statistics reports")
        ordering = ["-year", "-quarter", "bureau__path", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "year", "quarter", "version"], name="stats_report_version"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=0, quarter__lte=4), name="stats_report_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bureau} {self.period_label} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("planning:report", args=[self.pk])

    @property
    def period_label(self) -> str:
        return f"{self.year}" + (f"Q{self.quarter}" if self.quarter else "")

    @property
    def is_locked(self) -> bool:
        return self.state == ReportState.SUBMITTED

    @transition(
        field=state,
        source=ReportState.DRAFT,
        target=ReportState.REVIEWED,
        permission=_guard("can_review_report"),
    )
    def review(self, *, by: Any) -> None:
        self.reviewed_by = by

    @transition(
        field=state,
        source=ReportState.REVIEWED,
        target=ReportState.SUBMITTED,
        permission=_guard("can_submit_report"),
    )
    def submit(self, *, by: Any, at: Any) -> None:
        self.submitted_by = by
        self.submitted_at = at

    @transition(
        field=state,
        source=ReportState.REVIEWED,
        target=ReportState.DRAFT,
        permission=_guard("can_review_report"),
    )
    def return_to_draft(self) -> None:
        """The reviewer sends it back to be generated again."""
