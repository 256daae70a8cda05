"""The audit ledger: accounts, memos, hash-chained entries and the chain's head."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.db.models.lookups import Regex
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import AppendOnlyError
from funds.models.bonds import Bond
from funds.models.milestones import Disbursement, Milestone
from procurement.models import Contract
from projects.models import ServiceProject


class LedgerKind(models.TextChoices):
    BUDGET_APPROPRIATED = "budget_appropriated", _("Budget appropriated")
    BOND_RECEIVED = "bond_received", _("Bond received")
    BOND_RETURNED = "bond_returned", _("Bond returned")
    DISBURSEMENT_REQUESTED = "disbursement_requested", _("Disbursement requested")
    DISBURSEMENT_APPROVED = "disbursement_approved", _("Disbursement approved")
    DISBURSEMENT_PAID = "disbursement_paid", _("Disbursement paid")
    WITHHELD = "withheld", _("Withheld")
    RELEASE_REQUESTED = "release_requested", _("Withheld part released")
    FORFEITED = "forfeited", _("Forfeited")
    REVERSED = "reversed", _("Reversal")
    # Posted by planning.postings: money allocated down the bureau tree, a project drawing on a line.
    BUDGET_ALLOCATED = "budget_allocated", _("Budget allocated to a lower bureau")
    BUDGET_DRAWN = "budget_drawn", _("Budget line drawn by a project")


class Account(models.TextChoices):
    """The ledger's accounts. The stored value is the Chinese account name the book has always
    used (it is hashed into the chain); the label is that name in the reader's language."""

    BUDGET_QUOTA = "预算指标", pgettext_lazy("ledger account", "Budget quota")
    PROJECT_BUDGET = "项目预算", pgettext_lazy("ledger account", "Project budget")
    PENDING_APPROVAL = "待审批支付", pgettext_lazy("ledger account", "Payments awaiting approval")
    PAYABLE = "应付承接主体款", pgettext_lazy("ledger account", "Payable to the supplier")
    FEES_PAID = "已支付服务费", pgettext_lazy("ledger account", "Service fees paid")
    WITHHELD = "暂缓支付", pgettext_lazy("ledger account", "Payments withheld")
    SURPLUS = "项目预算结余", pgettext_lazy("ledger account", "Budget surplus")
    BANK = "银行存款", pgettext_lazy("ledger account", "Bank deposits")
    BONDS_PAYABLE = "应付保证金", pgettext_lazy("ledger account", "Bonds payable")


# What core.text.printable removes (Unicode Cc but \t, \n, \r), as a regular expression both
# PostgreSQL and Python read. In memo_args' JSON text a C0 character is written escaped (\u0001,
# \b, \f; on SQLite C1 too, \u0080…), so that text is searched for the escapes as well: a
# backslash before such text in a value only makes the match wider, never narrower.
CONTROL_CLASS = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
CONTROL_IN_JSON = CONTROL_CLASS + r"|\\u00[0189]|\\[bf]"


class StringArgumentCount(models.Func):
    """How many arguments a memo_args object holds when every one is a string, else NULL: then
    its JSON text with the spaces after "," and ":" taken out is json.dumps's compact text (the
    hash's and the CSV's) up to key order (funds.ledger_csv_pg). PostgreSQL only (jsonpath);
    NULL on other databases, whose CSV is written in Python."""

    # Strict mode: lax would look inside an array value. CASE keeps the order of the tests.
    template = (
        "CASE WHEN jsonb_typeof(%(expressions)s) <> 'object' THEN NULL "
        "WHEN jsonb_path_exists(%(expressions)s, 'strict $.* ? (@.type() != \"string\")') "
        "THEN NULL ELSE jsonb_array_length(jsonb_path_query_array(%(expressions)s, 'strict $.*')) "
        "END"
    )
    output_field = models.SmallIntegerField(null=True)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return "NULL", []


# Memo keys → their text in the reader's language, filled from the entry's memo_args.
MEMOS: dict[str, Any] = {
    "budget_appropriated": _("Budget appropriated for %(code)s"),
    "advance": _("Advance: no evaluation needed; %(a)s is payable."),
    "full_pay": _("Score %(s)s ≥ %(f)s: 100%% of %(a)s = %(p)s."),
    "pro_rata": _(
        "Score %(s)s is %(p)s-%(f)s: %(a)s × %(s)s ÷ %(f)s = %(pay)s; %(w)s withheld until rectified."
    ),
    "nothing_payable": _(
        "Score %(s)s < %(p)s: nothing is paid; %(a)s withheld pending rectification."
    ),
    "withheld": _("Withheld pending rectification"),
    "approved": pgettext_lazy("payment", "Approved"),
    "paid": _("Voucher %(v)s, paid %(d)s"),
    "release": _("Withheld part released after rectification: %(a)s"),
    "forfeited": _("Not paid and given up"),
    "reversal": _("Reversal of entry #%(seq)s"),
    "bond_received": _("Received from %(payer)s"),
    "bond_returned": _("Returned to %(payer)s"),
}


# The accounts a payment passes through on its way out: a settled contract leaves none open.
IN_BETWEEN_ACCOUNTS = (Account.PENDING_APPROVAL, Account.PAYABLE, Account.WITHHELD)


def fill_memo(template: str, args: dict[str, Any]) -> str:
    """A memo template filled from its arguments; a missing one (or a conversion other than %s)
    leaves the template as it is. A JSON null argument reads as nothing, not Python's "None"
    (ledger_post stores text; a null comes only from rows written by other means), as the
    PostgreSQL CSV shows it (funds.ledger_csv_pg)."""
    if None in args.values():
        args = {name: "" if value is None else value for name, value in args.items()}
    try:
        return template % args
    except (KeyError, TypeError, ValueError):
        return template


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("ledger entries are never updated; post a reversing entry")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries are never deleted; post a reversing entry")


class LedgerEntry(models.Model):
    """One double-entry line, chained to the previous one by SHA-256 so that tampering shows."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"))
    kind = models.CharField(
        pgettext_lazy("ledger", "event"), max_length=32, choices=LedgerKind.choices
    )
    debit = models.CharField(_("debit account"), max_length=60)
    credit = models.CharField(_("credit account"), max_length=60)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    # Empty only for money that belongs to no project yet (an allocation to a lower bureau).
    project = models.ForeignKey(
        ServiceProject,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # Recipe 2 (from 2026-12): the entry also names the disbursement or bond it belongs to, the
    # entry it reverses, and its memo as a key with arguments shown in the reader's language;
    # `memo` then holds only text a person typed (a reason). Recipe 1 entries keep their hash.
    recipe = models.PositiveSmallIntegerField(_("hash recipe"), default=2)
    disbursement = models.ForeignKey(
        Disbursement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    bond = models.ForeignKey(
        Bond, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    # At most one reversal per entry: the database refuses a second.
    reverses = models.OneToOneField(
        "self",
        to_field="seq",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    memo_key = models.CharField(_("memo key"), max_length=40, blank=True)
    memo_args = models.JSONField(_("memo arguments"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Whether memo or memo_args may hold a character printable() removes: computed by the
    # database as the row is inserted (never updated, not hashed; a wider match is harmless).
    # The PostgreSQL CSV strips control characters only from the rows where this is true: the
    # regular expression was a fifth of its server time (docs/benchmarks.md).
    memo_controls = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(Regex(models.F("memo"), CONTROL_CLASS))
            | models.Q(Regex(Cast("memo_args", models.TextField()), CONTROL_IN_JSON)),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # The number of memo arguments when all are strings (StringArgumentCount), also computed
    # by the database: the CSV writes the arguments' JSON from jsonb's own text where it can
    # (the checks that proved it per row were a sixth of the export's server time).
    memo_args_strings = models.GeneratedField(
        expression=StringArgumentCount("memo_args"),
        output_field=models.SmallIntegerField(null=True),
        db_persist=True,
    )

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["project", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
            # The roll-ups of payments over a bureau tree (the funds overview, the planning
            # dashboard) read one kind's entries of thousands of projects: an index-only scan
            # of the few payment entries instead of every entry of those projects (1.1-1.5 s
            # → 25 ms at a million entries, each time a posting invalidates the cached figure).
            # Amount and time are key columns rather than INCLUDEd ones, which SQLite lacks.
            models.Index(
                fields=["kind", "project", "occurred_at", "amount"], name="ledger_kind_project"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("ledger entries are never updated; post a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger entries are never deleted; post a reversing entry")

    def canonical(self) -> str:
        """The exact text hashed: every field that carries meaning, in a fixed order.

        docs/ledger-hash.md publishes this recipe; scripts/verify_ledger_csv.py recomputes it."""
        fields: list[Any] = [
            self.seq,
            self.occurred_at.isoformat(timespec="microseconds"),
            self.kind,
            self.debit,
            self.credit,
            format(Decimal(self.amount).quantize(Decimal("0.01")), "f"),
            self.project_id,
            self.contract_id,
            self.milestone_id,
            self.actor_id,
            self.memo,
        ]
        if self.recipe >= 2:
            fields += [
                self.disbursement_id,
                self.bond_id,
                self.reverses_id,
                self.memo_key,
                json.dumps(
                    self.memo_args or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                ),
            ]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    def memo_text(self) -> str:
        """The memo in the reader's language: the keyed text, then what a person typed."""
        template = MEMOS.get(self.memo_key)
        keyed = "" if template is None else fill_memo(str(template), self.memo_args or {})
        if keyed and self.memo:
            return f"{keyed}：{self.memo}"
        return keyed or self.memo

    def debit_label(self) -> str:
        return _account_label(self.debit)

    def credit_label(self) -> str:
        return _account_label(self.credit)

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode("utf-8")).hexdigest()


def _account_label(account: str) -> str:
    try:
        return str(Account(account).label)
    except ValueError:
        return account


class LedgerHead(models.Model):
    """The single row every append locks, so the chain has exactly one head.

    It also keeps the whole book's running totals per event kind (`totals`: kind → [entries,
    amount as text]), moved by each append in the same transaction, so the ledger page never
    sums the whole book. They are current while `totals_seq == seq`; a head moved by other means
    (a bulk load) leaves them behind, and readers fall back to summing until they are rebuilt
    (`funds.ledger.ledger_totals_rebuild`)."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    totals = models.JSONField(default=dict, blank=True)
    totals_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("ledger head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


class LedgerCheckpoint(models.Model):
    """A point of the chain a full or incremental verification found sound: the entry's
    sequence number and hash. The next incremental verification checks that entry still has
    that hash and goes on from there (`funds.ledger.ledger_verify`); a full one starts over."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger checkpoint")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
