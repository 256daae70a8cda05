"""Contracts with the winner: signing, notice, filing, service and amendments (变更)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import refusal
from core.workdays import CalendarNotCoveredError, add_workdays, within_workdays
from procurement.models.guards import _guard
from procurement.models.tenders import Tender
from projects.models import ServiceProject


class ContractState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SIGNED_BY_SUPPLIER = "signed_by_supplier", _("Signed by supplier")
    SIGNED = "signed", _("In force")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


# Signed by both sides and not terminated: public, kept in the service records and supervised.
CONTRACT_SIGNED_STATES = (ContractState.SIGNED, ContractState.IN_SERVICE, ContractState.COMPLETED)


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
        # The 工作台's to-do lists ask for the few rows in one state (awaiting a signature, an
        # acceptance, a payment): an index finds them instead of scanning every contract.
        indexes = [
            models.Index(fields=["state"], name="contract_state"),
            # The supervision overview's order, newest service first: a page of a bureau tree's
            # thousands of contracts read in index order instead of sorted (12 → 1 ms).
            models.Index(fields=["-start_date", "id"], name="contract_start_order"),
            # Signed contracts still owing their notice or their filing, oldest signature first
            # (the 工作台's statutory deadlines): a few at any time, read in order (3.2 → 0.4 ms).
            models.Index(
                fields=["signed_at"],
                condition=models.Q(signed_at__isnull=False)
                & (models.Q(notice_published_at__isnull=True) | models.Q(filed_at__isnull=True)),
                name="contract_owing_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:contract_detail", args=[self.pk])

    def notice_due(self) -> Any:
        """合同公告: within 2 working days of signing (实施条例第50条)."""
        # late: procurement.rules imports these models
        from procurement.rules import CONTRACT_NOTICE_WORKDAYS

        if self.signed_at is None:
            return None
        return add_workdays(timezone.localdate(self.signed_at), CONTRACT_NOTICE_WORKDAYS)

    def filing_due(self) -> Any:
        """备案: within 7 working days of signing (政府采购法第47条)."""
        # late: procurement.rules imports these models
        from procurement.rules import FILING_WORKDAYS

        if self.signed_at is None:
            return None
        return add_workdays(timezone.localdate(self.signed_at), FILING_WORKDAYS)

    def notice_overdue(self, today: Any = None) -> bool:
        # late: procurement.rules imports these models
        from procurement.rules import CONTRACT_NOTICE_WORKDAYS

        return self.notice_published_at is None and self.past_due_after_signing(
            CONTRACT_NOTICE_WORKDAYS, today
        )

    def filing_overdue(self, today: Any = None) -> bool:
        # late: procurement.rules imports these models
        from procurement.rules import FILING_WORKDAYS

        return self.filed_at is None and self.past_due_after_signing(FILING_WORKDAYS, today)

    def past_due_after_signing(self, workdays: int, today: Any) -> bool:
        """Whether `today` is past the `workdays`th working day after signing; asks the calendar
        only up to today, so the flag holds even when the due day's year is not recorded."""

        if self.signed_at is None:
            return False
        signed = timezone.localdate(self.signed_at)
        return not within_workdays(signed, workdays, today or timezone.localdate())

    def due_days(self) -> dict[str, Any]:
        """The notice's and the filing's due days for a page, each a date or, when its year has
        no recorded holiday arrangement, the refusal that says so (never a guess, never a 500)."""

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
        # late: procurement.rules imports these models
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
