"""Supervision between milestones (常态化监督检查): reporting schedules and periodic reports,
spot checks drawn at random, site visits with findings and photos, and rectification items
(整改事项) tracked to closure."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import lazy_guard, refusal
from procurement.models import Contract

_guard = partial(lazy_guard, "supervision.permissions")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly (月报)")
    QUARTERLY = "quarterly", _("Quarterly (季报)")


class ReportingSchedule(models.Model):
    """How often the NGO reports on a contract and how many days after a period the report is due."""

    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    days_to_report = models.PositiveSmallIntegerField(
        _("days after the period to hand the report in"), default=10
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")

    def __str__(self) -> str:
        return f"{self.contract} {self.get_frequency_display()}"

    def periods(self) -> list[tuple[dt.date, dt.date]]:
        """The reporting periods covering the contract term, calendar months or quarters cut to
        the term."""
        start, end = self.contract.start_date, self.contract.current_end_date
        step = 1 if self.frequency == Frequency.MONTHLY else 3
        month0 = (start.month - 1) // step * step + 1
        cursor = dt.date(start.year, month0, 1)
        found: list[tuple[dt.date, dt.date]] = []
        while cursor <= end:
            month = cursor.month - 1 + step
            following = dt.date(cursor.year + month // 12, month % 12 + 1, 1)
            found.append((max(cursor, start), min(following - dt.timedelta(days=1), end)))
            cursor = following
        return found


class ReportState(models.TextChoices):
    DUE = "due", pgettext_lazy("report", "Due")
    SUBMITTED = "submitted", pgettext_lazy("report", "Submitted")
    READ = "read", pgettext_lazy("report", "Read")
    RETURNED = "returned", pgettext_lazy("report", "Returned")


class PeriodicReport(FSMModelMixin, models.Model):
    """One 月报/季报 of a contract: due after its period, handed in by the NGO, read or returned."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="periodic_reports",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"))
    summary = models.TextField(_("summary of the period's work"), blank=True)
    file = models.FileField(_("report file"), upload_to="reports/%Y/%m/", blank=True)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    response = models.TextField(_("bureau's response"), blank=True)
    state = FSMField(
        _("state"), default=ReportState.DUE, choices=ReportState.choices, protected=True
    )

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["contract", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_start"], name="report_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}~{self.period_end:%Y-%m-%d}"

    def is_late(self, today: dt.date | None = None) -> bool:
        """Not in (due or returned) after its due date, or handed in after it."""
        today = today or timezone.localdate()
        if self.state in (ReportState.DUE, ReportState.RETURNED):
            return today > self.due_date
        return bool(self.submitted_at and timezone.localdate(self.submitted_at) > self.due_date)

    @refusal(_("The reporting period has not ended yet."))
    def period_over(self) -> bool:
        return timezone.localdate() > self.period_end

    @transition(
        field=state,
        source=[ReportState.DUE, ReportState.RETURNED],
        target=ReportState.SUBMITTED,
        conditions=[period_over],
        permission=_guard("can_submit_report"),
    )
    def submit(self, summary: str, file: Any = None) -> None:
        self.summary = summary
        if file:
            self.file = file
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=ReportState.SUBMITTED,
        target=ReportState.READ,
        permission=_guard("can_review_report"),
    )
    def mark_read(self, response: str = "") -> None:
        self.response = response

    @transition(
        field=state,
        source=ReportState.SUBMITTED,
        target=ReportState.RETURNED,
        permission=_guard("can_review_report"),
    )
    def return_report(self, response: str) -> None:
        self.response = response


class SpotCheck(models.Model):
    """A random draw of contracts in service for a check (抽查), reproducible from its seed."""

    bureau = models.ForeignKey(
        Organization, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    share = models.PositiveSmallIntegerField(_("share drawn (%)"))
    seed = models.CharField(_("random seed"), max_length=64)
    population = models.JSONField(_("contracts drawn from"), default=list)
    drawn = models.ManyToManyField(Contract, verbose_name=_("contracts drawn"), related_name="+")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.year} {self.share}%"


class SiteVisit(models.Model):
    """A site visit (实地督导/检查) with what was found."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    spot_check = models.ForeignKey(
        SpotCheck,
        verbose_name=_("spot check"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("visited on"))
    place = models.CharField(_("place visited"), max_length=100)
    visitors = models.CharField(_("visited by"), max_length=200)
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="visits/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.caption or str(self.file.name)


class ItemState(models.TextChoices):
    OPEN = "open", pgettext_lazy("rectification", "Open")
    SUBMITTED = "submitted", _("Evidence submitted")
    CLOSED = "closed", pgettext_lazy("rectification", "Closed")


class RectificationItem(FSMModelMixin, models.Model):
    """One 整改事项: what must be put right, by whom and by when, and the evidence that it was."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    visit = models.ForeignKey(
        SiteVisit,
        verbose_name=_("site visit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    description = models.TextField(_("what must be rectified"))
    owner = models.CharField(_("responsible person"), max_length=50)
    deadline = models.DateField(_("deadline"))
    evidence = models.TextField(_("evidence of rectification"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="rectification/%Y/%m/", blank=True
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(
        pgettext_lazy("rectification", "closed at"), null=True, blank=True
    )
    state = FSMField(_("state"), default=ItemState.OPEN, choices=ItemState.choices, protected=True)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.description[:40]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.state != ItemState.CLOSED and (today or timezone.localdate()) > self.deadline

    @transition(
        field=state,
        source=ItemState.OPEN,
        target=ItemState.SUBMITTED,
        permission=_guard("can_answer_item"),
    )
    def submit_evidence(self, evidence: str, file: Any = None) -> None:
        self.evidence = evidence
        if file:
            self.evidence_file = file

    @transition(
        field=state,
        source=ItemState.SUBMITTED,
        target=ItemState.CLOSED,
        permission=_guard("can_manage_supervision"),
    )
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=ItemState.SUBMITTED,
        target=ItemState.OPEN,
        permission=_guard("can_manage_supervision"),
    )
    def reopen(self) -> None:
        """The evidence did not convince: back to the NGO, with the reason in the log."""
