"""Service records (counts only, no personal data) and the imports that bring them in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from funds.models.guards import _guard
from procurement.models import Contract
from projects.models import BeneficiaryCategory


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
