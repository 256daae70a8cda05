"""磋商/谈判 rounds and the bidders' offers in them (最后报价 in the final one)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.models.bids import Bid
from procurement.models.tenders import Tender


class NegotiationRound(models.Model):
    """A round of 磋商/谈判 with every qualified bidder; the final round collects the 最后报价
    that the ranking then uses (财政部令第74号第33条; 财库〔2014〕214号)."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    is_final = models.BooleanField(_("final offers (最后报价)"), default=False)
    topics = models.TextField(_("what the panel negotiated"))
    closes_at = models.DateTimeField(_("offers close"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("negotiation round")
        verbose_name_plural = _("negotiation rounds")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="one_round_number")
        ]

    def __str__(self) -> str:
        return f"{self.tender} · {self.number}"


class RoundOffer(models.Model):
    """One bidder's offer in a round; in the final round, its 最后报价."""

    round = models.ForeignKey(NegotiationRound, on_delete=models.PROTECT, related_name="offers")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="offers")
    price = models.DecimalField(
        _("offer (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.TextField(_("changes to the proposal"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("round offer")
        verbose_name_plural = _("round offers")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "bid"], name="one_offer_per_round")]

    def __str__(self) -> str:
        return f"{self.round} · {self.bid_id}"
