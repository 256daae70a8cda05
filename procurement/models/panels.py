"""The bid-evaluation panel (评标委员会) and its scores; the expert pool and its recorded random draws."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from procurement.models.bids import Bid
from procurement.models.tenders import Criterion, Tender


class PanelMember(models.Model):
    """A member of the bid-evaluation panel (评标委员会/磋商小组)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="panels",
    )
    is_expert = models.BooleanField(_("expert"), default=True)
    is_chair = models.BooleanField(_("chair"), default=False)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    withdrawn = models.BooleanField(_("withdrawn (回避)"), default=False)
    declined = models.BooleanField(_("declined the seat"), default=False)
    declaration = models.TextField(_("declaration"), blank=True)
    draw = models.ForeignKey(
        "PanelDraw",
        verbose_name=_("random draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["tender", "-is_chair", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "user"], name="one_seat_per_member")
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_active(self) -> bool:
        return not (self.withdrawn or self.declined)


class Score(models.Model):
    """One panel member's points for one criterion of one bid."""

    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("bid", "score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "bid", "criterion"], name="one_score_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.criterion} · {self.points}"


class ExpertProfile(models.Model):
    """A bid-evaluation expert in the pool (评审专家库), with the categories and the ties declared."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.PROTECT,
        related_name="expert_profile",
    )
    categories = models.JSONField(
        _("service categories"),
        default=list,
        help_text=_("The project categories the expert may evaluate."),
    )
    employer = models.ForeignKey(
        Organization,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    conflicts = models.ManyToManyField(
        Organization,
        verbose_name=_("declared ties (organisations)"),
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        verbose_name = _("pool expert")
        verbose_name_plural = _("expert pool")

    def __str__(self) -> str:
        return str(self.user)


class PanelDraw(models.Model):
    """One random draw of experts, kept so an auditor can replay it: seed, candidates, result."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="draws")
    seed = models.CharField(_("seed"), max_length=64)
    category = models.CharField(_("category"), max_length=40)
    wanted = models.PositiveSmallIntegerField(_("experts wanted"))
    candidates = models.JSONField(_("candidates (user ids, in order)"), default=list)
    excluded = models.JSONField(_("excluded, with the reason"), default=list)
    drawn = models.JSONField(_("drawn (user ids, in order)"), default=list)
    replaces = models.ForeignKey(
        "PanelMember",
        verbose_name=_("replaces the member who declined"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("expert draw")
        verbose_name_plural = _("expert draws")
        ordering = ["drawn_at", "id"]

    def __str__(self) -> str:
        return f"{self.tender} · {self.seed[:8]}"
