"""An NGO's credit profile (信用档案): registration certificate, 评估等级, annual inspections and
listings on the 活动异常名录 / 严重违法失信名单.

The civil-affairs bureau is the registration authority of social organisations (社会组织登记管理
机关), so these facts are kept by bureau staff; the eligibility rules that read them live in
`planning.eligibility`, the only place a tender's requirement is compared with them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class Rating(models.TextChoices):
    """社会组织评估等级 (民政部令第39号《社会组织评估管理办法》第二十条: 1A to 5A)."""

    A1 = "1A", "1A"
    A2 = "2A", "2A"
    A3 = "3A", "3A"
    A4 = "4A", "4A"
    A5 = "5A", "5A"


def rating_rank(rating: str) -> int:
    """0 for no rating, else the number of A's, so ratings compare as numbers."""
    return int(rating[0]) if rating else 0


class CreditProfile(models.Model):
    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="credit",
        limit_choices_to={"kind": "ngo"},
    )
    certificate_number = models.CharField(_("registration certificate number"), max_length=40)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    certificate_expires = models.DateField(_("certificate valid until"))
    rating = models.CharField(
        _("evaluation rating"), max_length=2, choices=Rating.choices, blank=True
    )
    rating_awarded_on = models.DateField(_("rating awarded on"), null=True, blank=True)
    # A rating is valid for five years (民政部令第39号第二十四条).
    rating_expires = models.DateField(_("rating valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("credit profile")
        verbose_name_plural = _("credit profiles")

    def __str__(self) -> str:
        return f"{self.organization} {self.certificate_number}"

    def certificate_valid_on(self, day: dt.date) -> bool:
        return self.certificate_expires >= day

    def rating_on(self, day: dt.date) -> str:
        """The rating in force on `day` (an expired rating counts as none)."""
        if self.rating and (self.rating_expires is None or self.rating_expires >= day):
            return self.rating
        return ""


class InspectionResult(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class AnnualInspection(models.Model):
    """年检 / 年度报告 result for one year."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="inspections",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    result = models.CharField(_("result"), max_length=24, choices=InspectionResult.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("annual inspection")
        verbose_name_plural = _("annual inspections")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_inspection_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_result_display()}"


class ListingKind(models.TextChoices):
    # 《社会组织信用信息管理办法》(民政部令第60号) 第十条、第十五条.
    ABNORMAL = "abnormal", _("List of organisations with abnormal activities")
    DISHONEST = "dishonest", _("List of seriously illegal and dishonest organisations")


class CreditListing(models.Model):
    """One entry on, and possibly removal from, a credit list."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="listings",
    )
    kind = models.CharField(_("list"), max_length=16, choices=ListingKind.choices)
    listed_on = models.DateField(_("listed on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    authority = models.CharField(_("deciding authority"), max_length=100)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("credit listing")
        verbose_name_plural = _("credit listings")
        ordering = ["organization", "-listed_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_on__isnull=True)
                | models.Q(removed_on__gte=models.F("listed_on")),
                name="listing_removed_after_listed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.listed_on}"

    def is_current_on(self, day: dt.date) -> bool:
        return self.listed_on <= day and (self.removed_on is None or self.removed_on > day)
