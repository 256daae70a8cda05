"""Procurement: tenders, sealed bids, the bid-evaluation panel, award, objections and contracts.

Over 600 lines on purpose: one purchase's records (intention, tender, bids, the expert pool and
its draws, panel, objections and complaints, contract) are read together, and their transitions
refer to each other's states.

Legal numbers (财政部令第87号, 财库〔2014〕214号, 财政部令第74号, 政府采购法) live in rules.py;
transitions here only name the condition that checks them.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import Guard, refusal
from projects.models import ServiceProject


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


def _guard(name: str) -> Guard:
    def check(user: Any, obj: Any) -> Any:
        import importlib

        # Imported late: permissions import these models.
        return getattr(importlib.import_module("procurement.permissions"), name)(user, obj)

    check.__name__ = name
    return Guard(check)


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
        indexes = [models.Index(fields=["-publish_at", "-id"], name="tender_notice_order")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

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
        from procurement.rules import tender_problems

        return not tender_problems(self)

    @refusal(_("Bids cannot be opened before the opening time."))
    def opening_time_reached(self) -> bool:
        return timezone.now() >= self.opening_at

    @refusal(_("The panel does not meet the legal composition, or a member has not declared."))
    def panel_ready(self) -> bool:
        from procurement.rules import panel_problems

        return not panel_problems(self)

    @refusal(
        _(
            "Every valid bid needs a score from every panel member first, and in 磋商/谈判 "
            "a 最后报价 from the closed final round (财政部令第74号第33条)."
        )
    )
    def scoring_complete(self) -> bool:
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


class ObjectionKind(models.TextChoices):
    DOCUMENTS = "documents", _("Against the procurement documents")
    PROCESS = "process", _("Against the procurement process")
    RESULT = "result", _("Against the result")


class ObjectionState(models.TextChoices):
    FILED = "filed", _("Awaiting the answer")
    DISMISSED = "dismissed", _("Answered: not upheld")
    UPHELD = "upheld", _("Answered: upheld, action pending")
    REMEDIED = "remedied", _("Upheld and acted on")


class Remedy(models.TextChoices):
    """What the law gives for an upheld objection (财政部令第94号第16条)."""

    CORRECT_DOCUMENTS = "correct_documents", _("Correct the documents and extend the deadline")
    REEVALUATE = "reevaluate", _("Evaluate again")
    REAWARD = "reaward", _("Award to the next qualified bidder")
    RETENDER = "retender", _("Tender again")


class Objection(FSMModelMixin, models.Model):
    """质疑: a bidder's objection to the documents, the process or the result."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="objections")
    bidder = models.ForeignKey(
        Organization, verbose_name=_("objecting bidder"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("objection against"),
        max_length=12,
        choices=ObjectionKind.choices,
        default=ObjectionKind.RESULT,
    )
    known_on = models.DateField(
        _("day the window starts"),
        null=True,
        blank=True,
        help_text=_("For the process: the day the step objected to ended (实施条例第53条)."),
    )
    text = models.TextField(_("objection"))
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    suspends_award = models.BooleanField(_("suspends the award"), default=True)
    state = FSMField(
        _("state"), default=ObjectionState.FILED, choices=ObjectionState.choices, protected=True
    )
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    remedy = models.CharField(_("action taken"), max_length=20, choices=Remedy.choices, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at"]

    def __str__(self) -> str:
        return f"{self.bidder}: {self.text[:30]}"

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.state == ObjectionState.FILED
            and self.answer_due is not None
            and today > self.answer_due
        )

    @transition(
        field=state,
        source=ObjectionState.FILED,
        target=ObjectionState.DISMISSED,
        permission=_guard("can_answer_objection"),
    )
    def dismiss(self, *, answer: str, at: Any) -> None:
        self.answer, self.upheld, self.answered_at = answer, False, at

    @transition(
        field=state,
        source=ObjectionState.FILED,
        target=ObjectionState.UPHELD,
        permission=_guard("can_answer_objection"),
    )
    def uphold(self, *, answer: str, at: Any) -> None:
        self.answer, self.upheld, self.answered_at = answer, True, at

    @transition(
        field=state,
        source=ObjectionState.UPHELD,
        target=ObjectionState.REMEDIED,
        permission=_guard("can_answer_objection"),
    )
    def remedied(self, *, remedy: str) -> None:
        self.remedy = remedy


class ComplaintState(models.TextChoices):
    FILED = "filed", _("With the finance department")
    DECIDED = "decided", _("Decided")


class Complaint(FSMModelMixin, models.Model):
    """投诉: a bidder unsatisfied with the answer (or given none) turns to the finance department."""

    objection = models.OneToOneField(
        Objection, verbose_name=_("objection"), on_delete=models.PROTECT, related_name="complaint"
    )
    finance_department = models.CharField(_("finance department"), max_length=100)
    text = models.TextField(_("complaint"))
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    suspends = models.BooleanField(
        _("procurement suspended by the finance department"),
        default=False,
        help_text=_("政府采购法第57条: the finance department may suspend for up to 30 days."),
    )
    state = FSMField(
        _("state"), default=ComplaintState.FILED, choices=ComplaintState.choices, protected=True
    )
    upheld = models.BooleanField(_("complaint upheld"), default=False)
    decision = models.TextField(_("decision"), blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["filed_at"]

    def __str__(self) -> str:
        return f"{self.finance_department}: {self.text[:30]}"

    @transition(
        field=state,
        source=ComplaintState.FILED,
        target=ComplaintState.DECIDED,
        permission=_guard("can_record_complaint_decision"),
    )
    def decide(self, *, upheld: bool, decision: str, reference: str, on: Any) -> None:
        self.upheld, self.decision, self.decision_reference = upheld, decision, reference
        self.decided_on = on
        self.suspends = False


class ContractState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SIGNED_BY_SUPPLIER = "signed_by_supplier", _("Signed by supplier")
    SIGNED = "signed", _("In force")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class Contract(FSMModelMixin, models.Model):
    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    supplier = models.ForeignKey(
        Organization, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="contracts"
    )
    tender = models.OneToOneField(
        Tender,
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract",
    )
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    amount = models.DecimalField(_("contract amount (CNY)"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("term start"))
    end_date = models.DateField(_("term end"))
    term_reason = models.TextField(_("reason for a term over one year"), blank=True)
    performance_bond = models.DecimalField(
        _("performance bond (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    service_content = models.TextField(_("service content and targets"), blank=True)
    advance_reason = models.TextField(_("reason for an advance under 30% (SME)"), blank=True)
    document = models.TextField(_("contract text (HTML)"), blank=True)
    state = FSMField(
        _("state"), default=ContractState.DRAFTED, choices=ContractState.choices, protected=True
    )
    supplier_signed_at = models.DateTimeField(_("signed by supplier"), null=True, blank=True)
    signed_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    notice_published_at = models.DateTimeField(
        _("contract notice published"), null=True, blank=True
    )
    filed_at = models.DateTimeField(_("filed (备案) at"), null=True, blank=True)
    filing_reference = models.CharField(_("filing reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.project}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("procurement:contract_detail", args=[self.pk])

    def notice_due(self) -> Any:
        """合同公告: within 2 working days of signing (实施条例第50条)."""
        from core.workdays import add_workdays
        from procurement.rules import CONTRACT_NOTICE_WORKDAYS

        if self.signed_at is None:
            return None
        return add_workdays(timezone.localdate(self.signed_at), CONTRACT_NOTICE_WORKDAYS)

    def filing_due(self) -> Any:
        """备案: within 7 working days of signing (政府采购法第47条)."""
        from core.workdays import add_workdays
        from procurement.rules import FILING_WORKDAYS

        if self.signed_at is None:
            return None
        return add_workdays(timezone.localdate(self.signed_at), FILING_WORKDAYS)

    def notice_overdue(self, today: Any = None) -> bool:
        from procurement.rules import CONTRACT_NOTICE_WORKDAYS

        return self.notice_published_at is None and self.past_due_after_signing(
            CONTRACT_NOTICE_WORKDAYS, today
        )

    def filing_overdue(self, today: Any = None) -> bool:
        from procurement.rules import FILING_WORKDAYS

        return self.filed_at is None and self.past_due_after_signing(FILING_WORKDAYS, today)

    def past_due_after_signing(self, workdays: int, today: Any) -> bool:
        """Whether `today` is past the `workdays`th working day after signing; asks the calendar
        only up to today, so the flag holds even when the due day's year is not recorded."""
        from core.workdays import within_workdays

        if self.signed_at is None:
            return False
        signed = timezone.localdate(self.signed_at)
        return not within_workdays(signed, workdays, today or timezone.localdate())

    def due_days(self) -> dict[str, Any]:
        """The notice's and the filing's due days for a page, each a date or, when its year has
        no recorded holiday arrangement, the refusal that says so (never a guess, never a 500)."""
        from core.workdays import CalendarNotCoveredError

        days: dict[str, Any] = {}
        for key, compute in (("notice", self.notice_due), ("filing", self.filing_due)):
            try:
                days[key] = compute()
            except CalendarNotCoveredError as exc:
                days[key] = str(exc)
        return days

    def latest_amendment(self) -> ContractAmendment | None:
        # Lists prefetch "amendments": reading the cache keeps them at a fixed number of queries
        # (a fresh ORDER BY per row made the funds overview cost one query per contract).
        cached = getattr(self, "_prefetched_objects_cache", {}).get("amendments")
        if cached is not None:
            return max(cached, key=lambda a: a.version, default=None)
        return self.amendments.order_by("-version").first()

    @property
    def current_amount(self) -> Decimal:
        """The amount in force, amendments included; payments may never exceed it."""
        latest = self.latest_amendment()
        return latest.amount if latest else self.amount

    @property
    def current_end_date(self) -> Any:
        latest = self.latest_amendment()
        return latest.end_date if latest else self.end_date

    @refusal(
        _(
            "The contract must be signed within 30 days of the award notice "
            "(政府采购法第46条); that period has ended."
        )
    )
    def within_signing_period(self) -> bool:
        from procurement.rules import sign_deadline

        tender = self.tender
        if tender is None or tender.award_published_at is None:
            return True
        return timezone.localdate() <= sign_deadline(tender)

    @transition(
        field=state,
        source=ContractState.DRAFTED,
        target=ContractState.SIGNED_BY_SUPPLIER,
        conditions=[within_signing_period],
        permission=_guard("can_sign_as_supplier"),
    )
    def sign_by_supplier(self) -> None:
        self.supplier_signed_at = timezone.now()

    @transition(
        field=state,
        source=ContractState.SIGNED_BY_SUPPLIER,
        target=ContractState.SIGNED,
        conditions=[within_signing_period],
        permission=_guard("can_sign_as_bureau"),
    )
    def sign_by_bureau(self) -> None:
        """Both parties signed: the contract is in force."""
        self.signed_at = timezone.now()

    @transition(
        field=state,
        source=ContractState.SIGNED,
        target=ContractState.IN_SERVICE,
        permission=_guard("can_manage_contract"),
    )
    def start_service(self) -> None:
        """The supplier began delivering."""

    @transition(field=state, source=ContractState.IN_SERVICE, target=ContractState.COMPLETED)
    def complete(self) -> None:
        """Every milestone settled."""

    @transition(
        field=state,
        source=[
            ContractState.DRAFTED,
            ContractState.SIGNED_BY_SUPPLIER,
            ContractState.SIGNED,
            ContractState.IN_SERVICE,
        ],
        target=ContractState.TERMINATED,
        permission=_guard("can_manage_contract"),
    )
    def terminate(self) -> None:
        """Ended early; the reason is in the transition log."""


class ContractAmendment(models.Model):
    """变更: a new version of the amount and term; the contract row itself is never edited."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    version = models.PositiveSmallIntegerField(_("version"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    end_date = models.DateField(_("term end"))
    reason = models.TextField(_("reason"))
    diff = models.TextField(_("changes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract amendment")
        verbose_name_plural = _("contract amendments")
        ordering = ["contract", "version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="one_amendment_version")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} v{self.version}"


class ProcurementIntent(models.Model):
    """采购意向公开: the project's purchase announced at least 30 days before it starts."""

    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="procurement_intents",
    )
    published_on = models.DateField(_("published on"))
    summary = models.TextField(_("what is to be purchased"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2)
    planned_month = models.CharField(_("planned purchase month"), max_length=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procurement intention")
        verbose_name_plural = _("procurement intentions")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.published_on}"


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
