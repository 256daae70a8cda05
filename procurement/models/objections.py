"""质疑 against a tender and the 投诉 that may follow an answer."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from procurement.models.guards import _guard
from procurement.models.tenders import Tender


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
