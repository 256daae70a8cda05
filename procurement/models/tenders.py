"""A tender (招标/磋商/谈判/询价/单一来源) with its scoring criteria and clarifications."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import refusal
from procurement.models.guards import _guard
from projects.models import ServiceProject

if TYPE_CHECKING:
    from procurement.models.bids import Bid


class Method(models.TextChoices):
    OPEN = "open", _("Open tender (公开招标)")
    CONSULTATION = "consultation", _("Competitive consultation (竞争性磋商)")
    NEGOTIATION = "negotiation", _("Competitive negotiation (竞争性谈判)")
    INQUIRY = "inquiry", _("Request for quotation (询价)")
    SINGLE_SOURCE = "single_source", _("Single source (单一来源)")


class EvaluationMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive scoring (综合评分法)")
    LOWEST_PRICE = "lowest_price", _("Lowest evaluated price (最低评标价法)")


class TieBreak(models.TextChoices):
    DRAW = "draw", _("Random draw (随机抽取)")
    TECHNICAL = "technical", _("Higher score on the first criterion, then a random draw")


def documents_upload_to(instance: Tender, filename: str) -> str:
    return f"tenders/{instance.project_id}/{instance.round}/{filename}"


class TenderState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published, accepting bids")
    OPENED = "opened", _("Bids opened")
    EVALUATING = "evaluating", pgettext_lazy("tender", "Under evaluation")
    AWARDED = "awarded", _("Awarded")
    AWARD_PUBLISHED = "award_published", _("Award published")
    CONTRACTED = "contracted", _("Contract signed")
    FAILED = "failed", _("Failed (流标)")
    CANCELLED = "cancelled", _("Cancelled")


class Tender(FSMModelMixin, models.Model):
    """One procurement round for a project; a failed round is followed by a new Tender."""

    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    title = models.CharField(_("tender title"), max_length=200)
    method = models.CharField(_("procurement method"), max_length=20, choices=Method.choices)
    evaluation_method = models.CharField(
        _("evaluation method"),
        max_length=20,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    ceiling_price = models.DecimalField(
        _("ceiling price (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    bid_bond = models.DecimalField(
        _("bid bond (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    price_weight = models.DecimalField(
        _("price weight (points of 100)"), max_digits=5, decimal_places=2, default=Decimal("20")
    )
    qualification_requirements = models.TextField(_("qualification requirements"))
    service_requirements = models.TextField(_("service requirements"))
    is_complex = models.BooleanField(
        _("technically complex or of great social impact"),
        default=False,
        help_text=_("A 公开招标 panel then has at least 7 members (财政部令第87号第47条)."),
    )
    tie_break = models.CharField(
        _("tie-break rule"),
        max_length=20,
        choices=TieBreak.choices,
        default=TieBreak.DRAW,
        help_text=_(
            "Stated in the documents; applied after the higher total and the lower price "
            "(财政部令第87号第55条、第68条). A recorded random draw is always the last step."
        ),
    )
    documents_file = models.FileField(
        _("procurement documents (PDF)"), upload_to=documents_upload_to, blank=True
    )
    documents_sha256 = models.CharField(max_length=64, blank=True)
    publish_at = models.DateTimeField(_("notice published"), null=True, blank=True)
    clarification_deadline = models.DateTimeField(_("clarification deadline"))
    bid_deadline = models.DateTimeField(_("bid deadline"))
    opening_at = models.DateTimeField(_("opening time"))
    state = FSMField(
        _("state"), default=TenderState.DRAFT, choices=TenderState.choices, protected=True
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    awarded_bid = models.OneToOneField(
        "Bid",
        verbose_name=_("winning bid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    award_published_at = models.DateTimeField(_("award notice published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "round"], name="one_tender_per_round")
        ]
        # The public notices list, newest first: its first pages walk this index instead of
        # sorting every tender's wide row (117 ms at 10,000 tenders).
        indexes = [
            models.Index(fields=["-publish_at", "-id"], name="tender_notice_order"),
            # The 工作台's to-do lists ask for the few rows in one state (awaiting a signature, an
            # acceptance, a payment): an index finds them instead of scanning every tender.
            models.Index(fields=["state"], name="tender_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:

        return reverse("procurement:tender_detail", args=[self.pk])

    # --- questions the pages and rules ask ---------------------------------------------------

    def is_open_for_bids(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.state == TenderState.PUBLISHED and now < self.bid_deadline

    def is_sealed(self, now: Any = None) -> bool:
        """Bid contents stay hidden from everyone but their author until the opening time."""
        now = now or timezone.now()
        return self.state in (TenderState.DRAFT, TenderState.PUBLISHED) or now < self.opening_at

    def technical_points(self) -> Decimal:
        return sum((c.points for c in self.criteria.all()), Decimal(0))

    # --- conditions --------------------------------------------------------------------------

    @refusal(_("The tender breaks a procurement rule; see the messages on the tender page."))
    def rules_hold(self) -> bool:
        # late: procurement.rules imports these models
        from procurement.rules import tender_problems

        return not tender_problems(self)

    @refusal(_("Bids cannot be opened before the opening time."))
    def opening_time_reached(self) -> bool:
        return timezone.now() >= self.opening_at

    @refusal(_("The panel does not meet the legal composition, or a member has not declared."))
    def panel_ready(self) -> bool:
        # late: procurement.rules imports these models
        from procurement.rules import panel_problems

        return not panel_problems(self)

    @refusal(
        _(
            "Every valid bid needs a score from every panel member first, and in 磋商/谈判 "
            "a 最后报价 from the closed final round (财政部令第74号第33条)."
        )
    )
    def scoring_complete(self) -> bool:
        # late: procurement.rounds and procurement.scoring import these models
        from procurement.rounds import final_offers_complete
        from procurement.scoring import scoring_complete

        return final_offers_complete(self) and scoring_complete(self)

    @refusal(
        _(
            "An objection or complaint that suspends the award is still open "
            "(财政部令第94号第16条, 政府采购法第57条)."
        )
    )
    def no_suspending_objection(self) -> bool:
        # Imported here: objections refer to tenders.
        # late: the complaint models refer to tenders
        from procurement.models.objections import Complaint, ComplaintState, ObjectionState

        open_objection = self.objections.filter(
            suspends_award=True, state__in=[ObjectionState.FILED, ObjectionState.UPHELD]
        ).exists()
        open_complaint = Complaint.objects.filter(
            objection__tender=self, state=ComplaintState.FILED, suspends=True
        ).exists()
        return not (open_objection or open_complaint)

    # --- transitions -------------------------------------------------------------------------

    @transition(
        field=state,
        source=TenderState.DRAFT,
        target=TenderState.PUBLISHED,
        conditions=[rules_hold],
        permission=_guard("can_manage_tender"),
    )
    def publish(self) -> None:
        """招标公告: the notice is public and bids are accepted until the deadline."""
        self.publish_at = self.publish_at or timezone.now()

    @transition(
        field=state,
        source=[TenderState.DRAFT, TenderState.PUBLISHED],
        target=TenderState.CANCELLED,
        permission=_guard("can_manage_tender"),
    )
    def cancel(self, *, reason: str) -> None:
        self.cancel_reason = reason

    @transition(
        field=state,
        source=TenderState.PUBLISHED,
        target=TenderState.OPENED,
        conditions=[opening_time_reached],
        permission=_guard("can_open_tender"),
    )
    def open_bids(self) -> None:
        """开标: the seal is broken; bid contents become visible to the panel and the bureau."""

    @transition(
        field=state,
        source=[TenderState.OPENED, TenderState.EVALUATING],
        target=TenderState.FAILED,
        permission=_guard("can_open_tender"),
    )
    def fail(self, *, reason: str) -> None:
        """流标/废标 with the reason; the project may open a new round."""
        self.failure_reason = reason

    # --- what an upheld objection leads to (财政部令第94号第16条) --------------------------------

    @transition(
        field=state,
        source=TenderState.PUBLISHED,
        target=TenderState.PUBLISHED,
        permission=_guard("can_manage_tender"),
    )
    def correct_documents(self, *, bid_deadline: Any, opening_at: Any) -> None:
        """The documents are corrected (更正公告) and the deadline extended as the rule asks."""
        self.bid_deadline = bid_deadline
        self.opening_at = opening_at

    @transition(
        field=state,
        source=[TenderState.AWARDED, TenderState.AWARD_PUBLISHED],
        target=TenderState.EVALUATING,
        permission=_guard("can_manage_tender"),
    )
    def reevaluate(self) -> None:
        """重新评审: the award is set aside and the panel reviews and scores again."""
        self.awarded_bid = None
        self.awarded_at = None
        self.award_published_at = None

    @transition(
        field=state,
        source=[
            TenderState.PUBLISHED,
            TenderState.OPENED,
            TenderState.EVALUATING,
            TenderState.AWARDED,
            TenderState.AWARD_PUBLISHED,
        ],
        target=TenderState.FAILED,
        permission=_guard("can_manage_tender"),
    )
    def retender(self, *, reason: str) -> None:
        """重新开展采购活动: this round ends; the project opens a new round."""
        self.failure_reason = reason

    @transition(
        field=state,
        source=TenderState.OPENED,
        target=TenderState.EVALUATING,
        conditions=[panel_ready],
        permission=_guard("can_manage_tender"),
    )
    def start_evaluation(self) -> None:
        """The panel is formed and declared; qualification review and scoring begin."""

    @transition(
        field=state,
        source=[TenderState.EVALUATING, TenderState.AWARDED, TenderState.AWARD_PUBLISHED],
        target=TenderState.AWARDED,
        conditions=[scoring_complete, no_suspending_objection],
        permission=_guard("can_manage_tender"),
    )
    def award(self, *, bid: Bid) -> None:
        """定标: bureau staff confirm the panel's first-ranked bid (again, 另行确定, after an
        upheld objection against the winner)."""
        self.awarded_bid = bid
        self.awarded_at = timezone.now()
        self.award_published_at = None

    @transition(
        field=state,
        source=TenderState.AWARDED,
        target=TenderState.AWARD_PUBLISHED,
        permission=_guard("can_manage_tender"),
    )
    def publish_award(self) -> None:
        """中标（成交）公告: published; the objection window starts."""
        self.award_published_at = timezone.now()

    @transition(
        field=state,
        source=TenderState.AWARD_PUBLISHED,
        target=TenderState.CONTRACTED,
        conditions=[no_suspending_objection],
    )
    def mark_contracted(self) -> None:
        """The contract with the winner took effect."""


class Criterion(models.Model):
    """A technical or business scoring criterion of 综合评分法, with its points."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    guidance = models.TextField(_("scoring guidance"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class Clarification(models.Model):
    """A bidder's question and the bureau's public answer (答疑澄清)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self) -> str:
        return self.question[:40]
