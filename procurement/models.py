"""Procurement: tenders, sealed bids, panels, awards, objections and contracts.

The Contract below is the shared seam the evaluation and funds apps build on; the procurement
capability fills in the rest of this module.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from accounts.models import Organization
from projects.models import ServiceProject


class ContractState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SIGNED_BY_SUPPLIER = "signed_by_supplier", _("Signed by supplier")
    SIGNED = "signed", _("In force")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class Contract(models.Model):
    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    supplier = models.ForeignKey(
        Organization, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    amount = models.DecimalField(_("contract amount (CNY)"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("term start"))
    end_date = models.DateField(_("term end"))
    state = FSMField(
        _("state"), default=ContractState.DRAFTED, choices=ContractState.choices, protected=True
    )
    signed_at = models.DateTimeField(_("in force since"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.project}"

    @property
    def current_amount(self) -> Decimal:
        """The amount in force, amendments included; payments may never exceed it."""
        return self.amount
