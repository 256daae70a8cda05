"""An NGO's register of its social workers (持证 level, number, employment) and volunteers, with
the hours each volunteer gave to a contract's activities (志愿服务时长).

Staff and volunteer names are not the personal data of service users: they appear on service
records and the NGO's own pages, never in public outputs (which carry counts only).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from procurement.models import Contract


class CertificateLevel(models.TextChoices):
    NONE = "none", _("Not certified")
    ASSISTANT = "assistant", _("Assistant social worker (助理社会工作师)")
    SOCIAL_WORKER = "social_worker", _("Social worker (社会工作师)")
    SENIOR = "senior", _("Senior social worker (高级社会工作师)")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    SECONDED = "seconded", _("Seconded or contracted")


class SocialWorker(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="social_workers",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    certificate_level = models.CharField(
        _("certificate level"),
        max_length=16,
        choices=CertificateLevel.choices,
        default=CertificateLevel.NONE,
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    employment = models.CharField(
        _("employment"), max_length=16, choices=Employment.choices, default=Employment.FULL_TIME
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")
        ordering = ["organization", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="worker_unique_name"),
            # A certified worker has a certificate number; an uncertified one has none.
            models.CheckConstraint(
                condition=Q(certificate_level="none", certificate_number="")
                | (~Q(certificate_level="none") & ~Q(certificate_number="")),
                name="worker_certificate_number_iff_certified",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_certified(self) -> bool:
        return self.certificate_level != CertificateLevel.NONE

    def employed_on(self, day: object) -> bool:
        return bool(self.joined_on <= day and (self.left_on is None or day <= self.left_on))  # type: ignore[operator]


class Volunteer(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    registration_number = models.CharField(
        _("volunteer registration number (志愿中国)"), max_length=40, blank=True
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["organization", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="volunteer_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerService(models.Model):
    """One volunteer at one activity of a contract: one person-time (人次) and its hours."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="services"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    activity = models.CharField(_("activity"), max_length=100)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer services")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=Decimal("0")) & Q(hours__lte=Decimal("24")),
                name="volunteer_hours_in_a_day",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "contract", "date", "activity"],
                name="volunteer_once_per_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.activity}"
