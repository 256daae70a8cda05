"""Bid and performance bonds: received and returned."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from core.workdays import add_workdays
from funds.models.guards import _guard
from procurement.models import Contract
from projects.models import ServiceProject


class BondKind(models.TextChoices):
    BID = "bid", _("Bid bond")
    PERFORMANCE = "performance", _("Performance bond")


class BondState(models.TextChoices):
    RECEIVED = "received", _("Received")
    RETURNED = "returned", _("Returned")


BID_BOND_RETURN_WORKDAYS = 5


class Bond(FSMModelMixin, models.Model):
    """A bid bond (投标保证金) or performance bond (履约保证金) held for a supplier.

    Received and returned through the ledger (银行存款 ↔ 应付保证金). A bid bond is returned
    within 5 working days: of the award notice to the other bidders, of the contract's signing
    to the winner (政府采购法实施条例第三十三条)."""

    kind = models.CharField(_("bond"), max_length=12, choices=BondKind.choices)
    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tender = models.ForeignKey(
        "procurement.Tender",
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bonds",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bonds",
    )
    payer = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(
        _("state"), default=BondState.RECEIVED, choices=BondState.choices, protected=True
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bond")
        verbose_name_plural = _("bonds")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "tender", "payer"],
                condition=models.Q(kind="bid"),
                name="one_bid_bond_per_bidder",
            ),
            models.UniqueConstraint(
                fields=["kind", "contract"],
                condition=models.Q(kind="performance"),
                name="one_performance_bond_per_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.payer} {self.amount}"

    def return_due_by(self) -> Any:
        """The last day to return a bid bond, once the tender has come that far; else None."""

        if self.kind != BondKind.BID or self.tender is None:
            return None
        contract = Contract.objects.filter(tender=self.tender).first()
        if contract is not None and contract.supplier_id == self.payer_id:
            if contract.signed_at is None:
                return None
            return add_workdays(timezone.localdate(contract.signed_at), BID_BOND_RETURN_WORKDAYS)
        if self.tender.award_published_at is None:
            return None
        return add_workdays(
            timezone.localdate(self.tender.award_published_at), BID_BOND_RETURN_WORKDAYS
        )

    @transition(
        field=state,
        source=BondState.RECEIVED,
        target=BondState.RETURNED,
        permission=_guard("can_manage_bond"),
    )
    def return_to_payer(self, *, by: Any, on: Any) -> None:
        self.returned_by = by
        self.returned_on = on
