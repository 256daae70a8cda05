"""The ledger read as an accountant's book: trial balance (试算平衡表) and reconciliation.

The trial balance sums each account's debits and credits over a scope (a contract, a project,
a bureau or the whole book) up to the end of a day. The reconciliation states the invariants
the book must keep and names the first entry, disbursement, milestone or contract breaking one:

1. every entry is balanced: a positive amount moved between two different accounts;
2. a settled contract (every milestone paid or forfeited) leaves its in-between accounts
   (待审批支付, 应付承接主体款, 暂缓支付) at zero;
3. paid out (已支付服务费) never exceeds the contract amount in force;
4. each disbursement's own lines say what its state says (requested, approved, paid or
   rejected = reversed), so nothing is paid twice;
5. each milestone's payment accounts hold what its disbursements' states say: a line posted
   outside its disbursement shows here (暂缓支付: the withheld part not yet released, zero once
   forfeited).

Each is checked with a fixed number of grouped queries, whatever the size of the book.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.models import (
    IN_BETWEEN_ACCOUNTS,
    Account,
    Disbursement,
    DisbursementState,
    LedgerEntry,
    Milestone,
    MilestoneState,
)
from procurement.models import Contract

ZERO = Decimal("0.00")
SETTLED = (MilestoneState.PAID, MilestoneState.FORFEITED)


@dataclass(frozen=True)
class AccountLine:
    account: str
    label: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Debit minus credit: positive is a debit balance, negative a credit balance."""
        return self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    as_of: dt.date | None
    lines: list[AccountLine]

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit

    def balance(self, account: str) -> Decimal:
        for line in self.lines:
            if line.account == account:
                return line.balance
        return ZERO


def _until(qs: QuerySet[LedgerEntry], as_of: dt.date | None) -> QuerySet[LedgerEntry]:
    if as_of is None:
        return qs
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    return qs.filter(occurred_at__lt=end)


def account_label(account: str) -> str:
    """An account's name in the reader's language (a code no longer defined, as stored)."""
    try:
        return str(Account(account).label)
    except ValueError:
        return account


def trial_balance(entries: QuerySet[LedgerEntry], *, as_of: dt.date | None = None) -> TrialBalance:
    """Per account: the debits, the credits and the balance of `entries` up to the end of `as_of`
    (local time). One grouped query."""
    qs = _until(entries, as_of).order_by()
    debits: dict[str, Decimal] = defaultdict(Decimal)
    credits: dict[str, Decimal] = defaultdict(Decimal)
    # One scan of the scope, grouped by the pair of accounts (a few dozen pairs).
    for debit, credit, amount in qs.values_list("debit", "credit").annotate(s=Sum("amount")):
        debits[debit] += Decimal(amount or 0)
        credits[credit] += Decimal(amount or 0)
    order = {value: i for i, value in enumerate(Account.values)}
    names = sorted(set(debits) | set(credits), key=lambda a: (order.get(a, len(order)), a))
    return TrialBalance(
        as_of,
        [
            AccountLine(
                account=name,
                label=account_label(name),
                debit=Decimal(debits.get(name) or 0).quantize(ZERO),
                credit=Decimal(credits.get(name) or 0).quantize(ZERO),
            )
            for name in names
        ],
    )


# --- reconciliation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    findings: list[str] = field(default_factory=list)
    # For verify_ledger: what the first finding is about, e.g. "entry #12", "contract HT-…".
    first_subject: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class Reconciliation:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def first_problem(self) -> tuple[str, str] | None:
        for check in self.checks:
            if check.findings:
                return check.first_subject, check.findings[0]
        return None


INVARIANTS = {
    "balanced": gettext_lazy("Every entry moves a positive amount between two accounts"),
    "settled_closed": gettext_lazy(
        "A settled contract leaves 待审批支付, 应付承接主体款 and 暂缓支付 at zero"
    ),
    "paid_within_amount": gettext_lazy("Paid out never exceeds the contract amount"),
    "disbursement_lines": gettext_lazy("Each disbursement's ledger lines match its state"),
    "milestone_lines": gettext_lazy(
        "Each milestone's payment accounts hold what its payments' states say (暂缓支付: the "
        "withheld part not released, zero once forfeited)"
    ),
}


Nets = dict[Any, dict[str, Decimal]]


def _nets(entries: QuerySet[LedgerEntry], by: str) -> Nets:
    """`by` id of the entries → account → debit - credit: one grouped query (by id and pair of
    accounts), kept per id so each record finds its own lines without a scan of the others."""
    qs = entries.exclude(**{f"{by}__isnull": True}).order_by()
    nets: Nets = defaultdict(lambda: defaultdict(Decimal))
    for key, debit, credit, amount in qs.values_list(by, "debit", "credit").annotate(
        s=Sum("amount")
    ):
        nets[key][debit] += Decimal(amount or 0)
        nets[key][credit] -= Decimal(amount or 0)
    return nets


def _net_of(nets: Nets, key: Any, account: str) -> Decimal:
    lines = nets.get(key)
    return lines.get(account, ZERO) if lines else ZERO


def expected_disbursement_lines(d: Disbursement) -> dict[str, Decimal]:
    """What a disbursement's own lines net to per account, by its part and state."""
    if d.state == DisbursementState.REJECTED:
        return {}
    if d.part == 1:
        expected = {Account.PROJECT_BUDGET.value: -(d.amount + d.withheld)}
        if d.withheld:
            expected[Account.WITHHELD.value] = d.withheld
    else:
        expected = {Account.WITHHELD.value: -d.amount}
    stage = {
        DisbursementState.REQUESTED: Account.PENDING_APPROVAL,
        DisbursementState.APPROVED: Account.PAYABLE,
        DisbursementState.PAID: Account.FEES_PAID,
    }[DisbursementState(d.state)]
    expected[stage.value] = d.amount
    return expected


PAYMENT_ACCOUNTS = (*IN_BETWEEN_ACCOUNTS, Account.FEES_PAID)


def expected_milestone_lines(
    milestone: Milestone, disbursements: list[Disbursement]
) -> dict[str, Decimal]:
    """What a milestone's lines net to on the payment accounts (待审批支付, 应付承接主体款,
    暂缓支付, 已支付服务费): its live disbursements' lines, and 暂缓支付 emptied once forfeited."""
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for d in disbursements:
        for account, amount in expected_disbursement_lines(d).items():
            expected[account] += amount
    if milestone.state == MilestoneState.FORFEITED:
        expected[Account.WITHHELD.value] = ZERO
    return {a.value: expected.get(a.value, ZERO) for a in PAYMENT_ACCOUNTS}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def reconcile(
    entries: QuerySet[LedgerEntry],
    contracts: QuerySet[Contract],
    *,
    limit: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> Reconciliation:
    """Check the invariants over `entries` (the whole scope, now) and `contracts` in it;
    `progress(done, total)` after each check (a background job shows how far it is)."""
    checks: list[Check] = []

    def checked() -> None:
        if progress is not None:
            progress(len(checks), len(INVARIANTS))

    bad = list(
        entries.filter(Q(amount__lte=0) | Q(debit=F("credit")) | Q(debit="") | Q(credit=""))
        .order_by("seq")
        .values_list("seq", flat=True)[:limit]
    )
    checks.append(
        Check(
            "balanced",
            str(INVARIANTS["balanced"]),
            [_("Entry #%(seq)s is not a balanced posting.") % {"seq": seq} for seq in bad],
            _("entry #%(seq)s") % {"seq": bad[0]} if bad else "",
        )
    )
    checked()

    contract_list = list(contracts.prefetch_related("amendments").order_by("id"))
    # The scope's records by subquery, never as a list of ids: a bureau holds thousands of
    # contracts and tens of thousands of payments, and a list that long costs more to send and
    # plan than the grouped scan itself.
    in_scope = contracts.order_by().values("pk")
    by_contract = _nets(entries.filter(contract_id__in=in_scope), "contract_id")
    milestones = list(Milestone.objects.filter(contract_id__in=in_scope).order_by("id"))
    disbursements = list(
        Disbursement.objects.filter(milestone__contract_id__in=in_scope).order_by("id")
    )
    per_milestone: dict[int, list[Disbursement]] = defaultdict(list)
    for d in disbursements:
        per_milestone[d.milestone_id].append(d)
    states: dict[int, list[str]] = defaultdict(list)
    for m in milestones:
        states[m.contract_id].append(m.state)

    open_findings: list[str] = []
    open_subject = ""
    over_findings: list[str] = []
    over_subject = ""
    for c in contract_list:
        settled = bool(states[c.pk]) and all(s in SETTLED for s in states[c.pk])
        if settled:
            for account in IN_BETWEEN_ACCOUNTS:
                balance = _net_of(by_contract, c.pk, account.value)
                if balance:
                    open_subject = open_subject or _("contract %(n)s") % {"n": c.number}
                    open_findings.append(
                        _("Contract %(n)s is settled but %(acc)s still holds %(b)s.")
                        % {"n": c.number, "acc": account.label, "b": _money(balance)}
                    )
        paid = _net_of(by_contract, c.pk, Account.FEES_PAID.value)
        if paid > c.current_amount:
            over_subject = over_subject or _("contract %(n)s") % {"n": c.number}
            over_findings.append(
                _("Contract %(n)s paid %(p)s, more than its amount of %(a)s.")
                % {"n": c.number, "p": _money(paid), "a": _money(c.current_amount)}
            )
    checks.append(
        Check(
            "settled_closed", str(INVARIANTS["settled_closed"]), open_findings[:limit], open_subject
        )
    )
    checked()
    checks.append(
        Check(
            "paid_within_amount",
            str(INVARIANTS["paid_within_amount"]),
            over_findings[:limit],
            over_subject,
        )
    )
    checked()

    by_disbursement = _nets(
        entries.filter(
            disbursement_id__in=Disbursement.objects.filter(
                milestone__contract_id__in=in_scope
            ).values("pk")
        ),
        "disbursement_id",
    )
    # Asked only when a payment without lines turns up (rare: the book's oldest): the query
    # walks the whole book's sequence (a quarter of a second at a million entries).
    since: dt.datetime | None = None
    line_findings: list[str] = []
    line_subject = ""
    for d in disbursements:
        if d.pk not in by_disbursement:
            since = since or _recipe_two_since()
            if d.requested_at < since:
                # Posted before lines named their disbursement (hash recipe 1): checked per
                # milestone and contract only.
                continue
        lines = expected_disbursement_lines(d)
        names: set[str] = set(by_disbursement.get(d.pk, {})) | set(lines)
        for name in sorted(names):
            actual = _net_of(by_disbursement, d.pk, name)
            if actual != lines.get(name, ZERO):
                line_subject = line_subject or _("disbursement #%(pk)s") % {"pk": d.pk}
                line_findings.append(
                    _(
                        "Disbursement #%(pk)s (%(state)s): %(acc)s nets %(actual)s, its state "
                        "says %(expected)s."
                    )
                    % {
                        "pk": d.pk,
                        "state": d.get_state_display(),
                        "acc": account_label(name),
                        "actual": _money(actual),
                        "expected": _money(lines.get(name, ZERO)),
                    }
                )
                break
    checks.append(
        Check(
            "disbursement_lines",
            str(INVARIANTS["disbursement_lines"]),
            line_findings[:limit],
            line_subject,
        )
    )
    checked()

    by_milestone = _nets(
        entries.filter(
            milestone_id__in=Milestone.objects.filter(contract_id__in=in_scope).values("pk")
        ),
        "milestone_id",
    )
    withheld_findings: list[str] = []
    withheld_subject = ""
    for m in milestones:
        for held, amount in expected_milestone_lines(m, per_milestone[m.pk]).items():
            actual = _net_of(by_milestone, m.pk, held)
            if actual == amount:
                continue
            withheld_subject = withheld_subject or _("milestone #%(pk)s") % {"pk": m.pk}
            withheld_findings.append(
                _(
                    "Milestone #%(pk)s (%(state)s): %(acc)s holds %(actual)s, its payments' "
                    "states say %(expected)s."
                )
                % {
                    "pk": m.pk,
                    "state": m.get_state_display(),
                    "acc": account_label(held),
                    "actual": _money(actual),
                    "expected": _money(amount),
                }
            )
            break
    checks.append(
        Check(
            "milestone_lines",
            str(INVARIANTS["milestone_lines"]),
            withheld_findings[:limit],
            withheld_subject,
        )
    )
    checked()
    return Reconciliation(checks)


def _recipe_two_since() -> dt.datetime:
    """When the book began linking lines to their disbursement (the first such line)."""
    first = (
        LedgerEntry.objects.filter(recipe__gte=2, disbursement__isnull=False)
        .order_by("seq")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return first or dt.datetime.max.replace(tzinfo=dt.UTC)
