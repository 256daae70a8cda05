"""Sealed bids: submitted, revised, withdrawn, opened and reviewed."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from procurement.models.guards import _guard
from procurement.models.tenders import Tender


class BidState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted (sealed)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OPENED = "opened", _("Opened")
    # "Qualified" alone is also an annual inspection's 合格 (accounts); a bid that passed the
    # chair's review is 有效.
    VALID = "valid", pgettext_lazy("bid", "Qualified")
    INVALID = "invalid", _("Disqualified")
    WON = "won", _("Won")
    LOST = "lost", _("Not awarded")


def bid_upload_to(instance: Bid, filename: str) -> str:
    return f"bids/{instance.tender_id}/{instance.supplier_id}/{filename}"


class Bid(FSMModelMixin, models.Model):
    """A sealed bid. Its content is readable by its author only until the tender's opening time."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("tender"), on_delete=models.PROTECT, related_name="bids"
    )
    supplier = models.ForeignKey(
        Organization, verbose_name=_("bidder"), on_delete=models.PROTECT, related_name="bids"
    )
    price = models.DecimalField(
        _("bid price (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    technical_proposal = models.TextField(_("technical proposal"))
    proposal_file = models.FileField(_("proposal file"), upload_to=bid_upload_to, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    receipt = models.CharField(_("SHA-256 receipt"), max_length=64)
    submitted_at = models.DateTimeField(_("submitted at"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    state = FSMField(
        _("state"), default=BidState.SUBMITTED, choices=BidState.choices, protected=True
    )
    invalid_reason = models.TextField(_("reason for disqualification"), blank=True)
    tie_break_rank = models.PositiveSmallIntegerField(
        _("place drawn in a tie"),
        null=True,
        blank=True,
        help_text=_("Set by the recorded random draw when the tender's tie rules leave a tie."),
    )
    final_price = models.DecimalField(
        _("final offer (最后报价, CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    final_offer_at = models.DateTimeField(_("final offer received"), null=True, blank=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["tender", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "supplier"], name="one_bid_per_bidder")
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.tender}"

    def canonical(self) -> bytes:
        """Exactly what the receipt covers: price to the fen, the proposal text, the file's hash."""
        parts = [
            f"tender={self.tender_id}",
            f"supplier={self.supplier_id}",
            f"price={self.price.quantize(Decimal('0.01'))}",
            f"proposal_sha256={hashlib.sha256(self.technical_proposal.encode('utf-8')).hexdigest()}",
            f"file_sha256={self.file_sha256}",
            f"revision={self.revision}",
        ]
        return "\n".join(parts).encode("utf-8")

    def compute_receipt(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    @transition(field=state, source=BidState.SUBMITTED, target=BidState.WITHDRAWN)
    def withdraw(self) -> None:
        """Withdrawn by the bidder before the deadline."""

    @transition(field=state, source=BidState.SUBMITTED, target=BidState.OPENED)
    def open(self) -> None:
        """Opened at the opening time."""

    @transition(
        field=state,
        source=[BidState.OPENED, BidState.INVALID],
        target=BidState.VALID,
        permission=_guard("can_review_bid"),
    )
    def qualify(self) -> None:
        """资格/符合性审查 passed."""
        self.invalid_reason = ""

    @transition(
        field=state,
        source=[BidState.OPENED, BidState.VALID],
        target=BidState.INVALID,
        permission=_guard("can_review_bid"),
    )
    def disqualify(self, *, reason: str) -> None:
        self.invalid_reason = reason

    @transition(field=state, source=BidState.VALID, target=BidState.WON)
    def win(self) -> None:
        """Awarded."""

    @transition(
        field=state,
        source=[BidState.VALID, BidState.INVALID, BidState.OPENED, BidState.WON],
        target=BidState.LOST,
    )
    def lose(self) -> None:
        """Another bid was awarded."""

    @transition(field=state, source=[BidState.WON, BidState.LOST], target=BidState.OPENED)
    def reopen_review(self) -> None:
        """重新评审: back to qualification review, the earlier decision set aside."""
        self.tie_break_rank = None

    @transition(field=state, source=BidState.LOST, target=BidState.WON)
    def win_instead(self) -> None:
        """另行确定: the next-ranked qualified bid is awarded after the winner's fell."""

    def evaluated_price(self) -> Decimal:
        """The price the ranking uses: the 最后报价 of the final round where there was one."""
        return self.final_price if self.final_price is not None else self.price
