"""Read queries for funds pages: milestones, payments, the ledger and the overview."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Organization, Role
from accounts.selectors import subtree_pks
from core.cache import read_through
from funds.ledger import head_totals
from funds.models import (
    Bond,
    BondKind,
    BondState,
    Disbursement,
    LedgerEntry,
    LedgerHead,
    LedgerKind,
    Milestone,
    ServiceRecord,
    ServiceRecordState,
    ServiceType,
)
from funds.permissions import (
    can_view_milestone,
    can_view_service_records,
    visible_contracts_for_funds_q,
)
from funds.reach import people_on_file
from procurement.models import CONTRACT_SIGNED_STATES, Contract, ContractAmendment
from projects.models import BeneficiaryCategory, ProjectState, ServiceProject, TargetGroup
from projects.permissions import visible_projects_q


def milestone_get(*, user: Any, pk: int) -> Milestone:
    milestone = get_object_or_404(
        Milestone.objects.select_related("contract__project__bureau", "contract__supplier"), pk=pk
    )
    if not can_view_milestone(user, milestone):
        raise Http404
    return milestone


def contract_for_records(*, user: Any, pk: int) -> Contract:
    contract = get_object_or_404(Contract.objects.select_related("project", "supplier"), pk=pk)
    if not can_view_service_records(user, contract):
        raise Http404
    return contract


def disbursement_list(*, user: Any) -> QuerySet[Disbursement]:
    return (
        Disbursement.objects.filter(visible_contracts_for_funds_q(user, "milestone__contract__"))
        .select_related(
            "milestone__contract__project", "milestone__contract__supplier", "requested_by"
        )
        .order_by("-id")
    )


def disbursement_count(qs: QuerySet[Disbursement]) -> int:
    """How many disbursements `qs` holds, kept until the next posting.

    A disbursement is only ever created with its ledger entry (a payment or a release
    requested) and never deleted, so the count of a fixed query moves only with the ledger
    head. The payments pager counted a province's 7,000 payments on every view (15 ms)."""
    return ledger_figures_cached(qs.order_by(), _count)


def _count(qs: QuerySet[Any]) -> int:
    return qs.count()


def service_record_summary(*, contract: Contract) -> list[dict[str, Any]]:
    rows = (
        ServiceRecord.objects.filter(contract=contract, state=ServiceRecordState.RECORDED)
        .values("service_type")
        .annotate(people=Sum("beneficiary_count"), hours=Sum("hours"))
        .order_by("service_type")
    )
    # The page shows the type's name (个案, 小组 …), never the stored code.
    labels = dict(ServiceType.choices)
    return [{**row, "label": labels.get(row["service_type"], row["service_type"])} for row in rows]


@dataclass(frozen=True)
class TargetProgress:
    """One target group of a contract's project against what the NGO recorded for it."""

    category: str
    label: str
    target: int
    registered: int  # people with a case file on this contract (服务对象档案)
    person_times: int  # the service records' beneficiary counts (服务人次)

    @property
    def reached_percent(self) -> Decimal:
        """Registered people as a share of the target, to one decimal (100.0 when met exactly)."""
        return (Decimal(100) * self.registered / self.target).quantize(Decimal("0.1"))

    @property
    def verdict(self) -> str:
        """One of met (people on file reach the target), short, or unconfirmed."""
        if self.registered >= self.target:
            return "met"
        # Every person served counts at least once among the person-times, so fewer contacts
        # than the target means fewer people too; more contacts may or may not be more people.
        if self.person_times < self.target:
            return "short"
        return "unconfirmed"


def contract_target_progress(*, contract: Contract) -> list[TargetProgress]:
    """The project's target groups (e.g. 3,123 left-behind children) against the actuals.

    Counts only, never who: people are counted from the NGO's case files (kept through an
    erasure, so the figure does not shrink), person-times from the service records."""
    registered = people_on_file(contract)
    person_times = dict(
        ServiceRecord.objects.filter(contract=contract, state=ServiceRecordState.RECORDED)
        .values_list("beneficiary_category")
        .annotate(n=Sum("beneficiary_count"))
        .order_by()
    )
    labels = dict(BeneficiaryCategory.choices)
    return [
        TargetProgress(
            category=group.category,
            label=str(labels.get(group.category, group.category)),
            target=group.count,
            registered=registered.get(group.category, 0),
            person_times=person_times.get(group.category) or 0,
        )
        for group in TargetGroup.objects.filter(project_id=contract.project_id).order_by("id")
    ]


@dataclass(frozen=True)
class LedgerBureauScope:
    """How an app that posts entries without a project (planning's allocations down the tree)
    places them in the bureau tree, so the ledger's bureau filter and visibility include them
    (a registry: funds never imports the apps that post such entries).

    `of_bureau(subtree)`: the entries of the bureaus whose ids `subtree` selects (a subquery:
    the filtered bureau and every bureau below it at any depth, the same reach as the bureau
    filter's projects); `visible(user)`: the entries `user` may read beyond their projects'
    entries."""

    of_bureau: Callable[[QuerySet[Organization, Any]], Q]
    visible: Callable[[Any], Q]


_bureau_scopes: list[LedgerBureauScope] = []


def register_ledger_bureau_scope(scope: LedgerBureauScope) -> LedgerBureauScope:
    if scope not in _bureau_scopes:
        _bureau_scopes.append(scope)
    return scope


def _any_of(parts: list[Q]) -> Q:
    combined = Q(pk__in=[])
    for part in parts:
        combined |= part
    return combined


def ledger_entries(
    *,
    user: Any,
    bureau: int | None = None,
    project: int | None = None,
    contract: int | None = None,
    supplier: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[LedgerEntry]:
    """Entries a user may read, filtered; ordered by sequence so exports show the chain order.

    Only the project comes with each entry: the ledger page shows its code; the API gives ids
    and the exports read their columns by name. Joining the bureau, contract, supplier,
    milestone and actor as well made PostgreSQL plan a seven-table join for every page
    (3.5 ms of planning for 0.3 ms of work) and built seven objects per row."""
    qs = LedgerEntry.objects.select_related("project")
    if not (user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN)):
        qs = qs.filter(
            Q(project__in=ServiceProject.objects.filter(visible_projects_q(user)).values("pk"))
            | _any_of([scope.visible(user) for scope in _bureau_scopes])
        )
    if bureau:
        # The bureau's whole subtree (a province's counties too, not only its cities), by id
        # from a subquery: at a million entries an IN over a few ids, not a LIKE per joined row.
        subtree = subtree_pks(bureau)
        qs = qs.filter(
            Q(project__bureau_id__in=subtree)
            | _any_of([scope.of_bureau(subtree) for scope in _bureau_scopes])
        )
    if project:
        qs = qs.filter(project_id=project)
    if contract:
        qs = qs.filter(contract_id=contract)
    if supplier:
        qs = qs.filter(contract__supplier_id=supplier)
    if start:
        qs = qs.filter(occurred_at__date__gte=start)
    if end:
        qs = qs.filter(occurred_at__date__lte=end)
    return qs.order_by("seq")


def ledger_totals(qs: QuerySet[LedgerEntry]) -> list[tuple[str, Decimal]]:
    """Totals per event kind, each under its name in the reader's language (never one sum
    across kinds: a payment and its approval are the same money, twice)."""
    labels = dict(LedgerKind.choices)
    return [(str(labels.get(kind, kind)), total) for kind, total in _kind_sums(qs)]


def _kind_sums(qs: QuerySet[LedgerEntry]) -> list[tuple[str, Decimal]]:
    rows = qs.order_by().values("kind").annotate(total=Sum("amount")).order_by("kind")
    return [(row["kind"], row["total"]) for row in rows]


def sees_whole_ledger(user: Any) -> bool:
    return bool(user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN))


def ledger_page_totals(
    *, user: Any, filtered: bool, qs: QuerySet[LedgerEntry], head: LedgerHead | None
) -> list[tuple[str, Decimal]]:
    """The page's totals per kind: the whole book's from the head's running totals (no scan)
    for a reader who sees it all, unfiltered; otherwise summed over the filtered entries (a
    bureau tree's share of a million entries is a scan of 0.25 s), cached under the head."""

    kept = head_totals(head) if not filtered and sees_whole_ledger(user) else None
    if kept is None:
        sums = _cached_by_head(head, qs, _kind_sums)
    else:
        sums = [(kind, kept[kind][1]) for kind in sorted(kept)]
    labels = dict(LedgerKind.choices)
    return [(str(labels.get(kind, kind)), total) for kind, total in sums]


_T = TypeVar("_T")


def ledger_figures_cached(qs: QuerySet[Any], compute: Callable[[Any], _T]) -> _T:
    """`compute(qs)` for a figure summed over ledger entries, kept until the next posting.

    For the roll-ups of the book (the funds overview's, the planning dashboard's paid per
    month): one query for the head instead of reading the entries on every view."""
    return _cached_by_head(LedgerHead.objects.filter(pk=1).first(), qs, compute)


def _cached_by_head(head: LedgerHead | None, qs: QuerySet[Any], compute: Callable[[Any], _T]) -> _T:
    """`compute(qs)` cached under the ledger head's sequence and the exact SQL of `qs`.

    Exact for sums over ledger entries: the book only grows and every entry moves the head, so
    the next view after any posting sums again. What the SQL does not pin (a project moved to
    another bureau, a changed scope) is right again within five minutes."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing by construction: no query to keep
        return compute(qs)
    seq = head.seq if head is not None else 0
    digest = hashlib.sha256(f"{seq}|{compute.__qualname__}|{sql}|{params!r}".encode())
    return read_through("ledger-by-head:" + digest.hexdigest(), lambda: compute(qs), 300)


PAGE_SIZE = 50


@dataclass(frozen=True)
class KeysetPage:
    """One page of the ledger by sequence: `next_after` / `previous_before` are the `?after=`
    and `?before=` values of the neighbouring pages (None: there is none)."""

    entries: list[LedgerEntry]
    next_after: int | None
    previous_before: int | None


def ledger_keyset_page(
    qs: QuerySet[LedgerEntry],
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """A page of `qs` (in seq order) after or before a sequence number: one indexed query of
    size + 1 rows, as fast deep in the book as on its first page (no COUNT, no OFFSET)."""
    if before is not None:
        rows = list(qs.filter(seq__lt=before).order_by("-seq")[: size + 1])
        more_before = len(rows) > size
        entries = rows[:size][::-1]
        return KeysetPage(
            entries,
            next_after=entries[-1].seq if entries else None,
            previous_before=entries[0].seq if more_before and entries else None,
        )
    if after is not None:
        qs = qs.filter(seq__gt=after)
    rows = list(qs.order_by("seq")[: size + 1])
    entries = rows[:size]
    return KeysetPage(
        entries,
        next_after=entries[-1].seq if len(rows) > size else None,
        previous_before=(entries[0].seq if entries else after + 1) if after else None,
    )


@dataclass(frozen=True)
class BookScope:
    """A trial balance's scope: its entries and the contracts whose invariants are checked."""

    label: str
    entries: QuerySet[LedgerEntry]
    contracts: QuerySet[Contract]


def book_scope(
    *,
    user: Any,
    contract: int | None = None,
    project: int | None = None,
    bureau: int | None = None,
) -> BookScope:
    """The whole book, a bureau (with every bureau below it), a project or a contract, as `user`
    may read it. A contract or project the user may not see is a 404."""
    entries = ledger_entries(user=user, bureau=bureau, project=project, contract=contract)
    contracts = Contract.objects.filter(visible_contracts_for_funds_q(user))
    label = str(_("Whole book"))
    if contract:
        found = contracts.filter(pk=contract).first()
        if found is None:
            raise Http404
        contracts = contracts.filter(pk=contract)
        label = str(_("Contract %(n)s") % {"n": found.number})
    elif project:
        found_project = ServiceProject.objects.filter(visible_projects_q(user), pk=project).first()
        if found_project is None:
            raise Http404
        contracts = contracts.filter(project_id=project)
        label = str(_("Project %(c)s") % {"c": found_project.code})
    elif bureau:
        org = get_object_or_404(Organization, pk=bureau)
        # The same reach as the entries: the bureau and every bureau below it.
        contracts = contracts.filter(project__bureau_id__in=org.subtree().values("pk"))
        label = str(_("Bureau %(n)s") % {"n": org.name})
    return BookScope(label, entries, contracts)


OVERVIEW_PAGE_SIZE = 50


# The kinds the overview sums, per project and in all (read through ledger_kind_project).
OVERVIEW_KINDS = (LedgerKind.DISBURSEMENT_PAID, LedgerKind.WITHHELD, LedgerKind.FORFEITED)


def funds_overview(*, user: Any, page: Any = None) -> dict[str, Any]:
    """Budget, contracted, paid, withheld and forfeited per project (one page of 50), their
    totals over every visible project, and paid per month.

    A fixed number of queries at any size: the page's rows are summed for its projects only,
    the totals and the months by the database over all of them."""
    visible = ServiceProject.objects.filter(visible_projects_q(user)).exclude(
        state=ProjectState.DRAFT
    )
    # The count the pager needs and the budget total in one pass over the visible projects,
    # from the (bureau, state, budget) index alone: COUNT(*), as COUNT(id) would read the table.
    counted = visible.aggregate(n=Count("*"), budget=Sum("budget"))
    paginator = Paginator(
        # By bureau in the order bureaus were registered (a city before the counties it
        # registers), then code: the index's order, so a page of a bureau tree's thousands of
        # projects is read, not sorted (ordering by the bureau's name sorted them all).
        visible.select_related("bureau").order_by("bureau_id", "code", "pk"),
        OVERVIEW_PAGE_SIZE,
    )
    paginator.count = counted["n"]
    paged = paginator.get_page(page)
    projects = list(paged.object_list)
    ids = [p.pk for p in projects]
    contracted: dict[int, Decimal] = defaultdict(Decimal)
    # Each signed contract at its amount in force (Contract.current_amount: the latest
    # amendment's, else its own), read as two columns rather than built as objects with their
    # amendments.
    for project_id, current in (
        Contract.objects.filter(project_id__in=ids, state__in=CONTRACT_SIGNED_STATES)
        .annotate(current=Coalesce(_latest_amendment_amount(), F("amount")))
        .values_list("project_id", "current")
    ):
        contracted[project_id] += current
    sums: dict[tuple[int, str], Decimal] = {}
    for row in (
        LedgerEntry.objects.filter(project_id__in=ids, kind__in=OVERVIEW_KINDS)
        .values("project_id", "kind")
        .annotate(t=Sum("amount"))
    ):
        sums[(row["project_id"], row["kind"])] = row["t"]
    table: list[dict[str, Any]] = [
        {
            "project": p,
            "budget": p.budget,
            "contracted": contracted[p.pk],
            "paid": sums.get((p.pk, LedgerKind.DISBURSEMENT_PAID), Decimal(0)),
            "withheld": sums.get((p.pk, LedgerKind.WITHHELD), Decimal(0))
            - sums.get((p.pk, LedgerKind.FORFEITED), Decimal(0)),
            "forfeited": sums.get((p.pk, LedgerKind.FORFEITED), Decimal(0)),
        }
        for p in projects
    ]
    monthly, kinds = _ledger_figures(visible)
    return {
        "rows": table,
        "page": paged,
        "monthly": monthly,
        "totals": _overview_totals(visible, kinds, budget=counted["budget"]),
    }


def _ledger_figures(visible: QuerySet[Any]) -> tuple[list[Any], dict[str, Decimal]]:
    """Paid per month and the paid, withheld and forfeited sums over the visible projects.

    Both read the payment entries of every visible project, so they are cached under the
    ledger head's sequence and the exact SQL of the visible projects (`ledger_figures_cached`);
    a draft project (the only kind left out) has no entries."""
    return ledger_figures_cached(visible.values("pk"), _overview_sums)


def _overview_sums(visible: QuerySet[Any]) -> tuple[list[Any], dict[str, Decimal]]:
    monthly: list[Any] = list(
        LedgerEntry.objects.filter(project__in=visible, kind=LedgerKind.DISBURSEMENT_PAID)
        .annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    kinds: dict[str, Decimal] = dict(
        LedgerEntry.objects.filter(project__in=visible, kind__in=OVERVIEW_KINDS)
        .values("kind")
        .annotate(t=Sum("amount"))
        .values_list("kind", "t")
    )
    return monthly, kinds


def _latest_amendment_amount() -> Subquery:
    """The amount of the outer contract's latest amendment (null when it has none)."""
    latest = ContractAmendment.objects.filter(contract=OuterRef("pk")).order_by("-version")
    return Subquery(latest.values("amount")[:1])


def _overview_totals(
    visible: QuerySet[Any], kinds: dict[str, Decimal], *, budget: Decimal | None
) -> dict[str, Decimal]:
    """The overview's totals over every visible project, summed by the database.

    Contracted: the signed amounts, then what the latest amendment changed on the few contracts
    that have one (looking up a latest amendment for every contract cost twice the sum)."""
    signed = Contract.objects.filter(project__in=visible, state__in=CONTRACT_SIGNED_STATES)
    amended = (
        signed.filter(Exists(ContractAmendment.objects.filter(contract=OuterRef("pk"))))
        .annotate(change=_latest_amendment_amount() - F("amount"))
        .aggregate(t=Sum("change"))["t"]
    )
    contracted = (signed.aggregate(t=Sum("amount"))["t"] or Decimal(0)) + (amended or Decimal(0))
    forfeited = kinds.get(LedgerKind.FORFEITED) or Decimal(0)
    return {
        "budget": budget or Decimal(0),
        "contracted": contracted,
        "paid": kinds.get(LedgerKind.DISBURSEMENT_PAID) or Decimal(0),
        "withheld": (kinds.get(LedgerKind.WITHHELD) or Decimal(0)) - forfeited,
        "forfeited": forfeited,
    }


def bonds_overdue(*, today: dt.date) -> list[Any]:
    """Bid bonds still held after their 5-working-day return limit (实施条例第三十三条)."""
    held = Bond.objects.filter(kind=BondKind.BID, state=BondState.RECEIVED).select_related(
        "tender", "payer"
    )
    return [b for b in held if (due := b.return_due_by()) is not None and due < today]


def bond_list(*, user: Any) -> QuerySet[Any]:
    return (
        Bond.objects.filter(project__in=ServiceProject.objects.filter(visible_projects_q(user)))
        .select_related("payer", "tender", "contract", "project")
        .order_by("-id")
    )


def service_record_list(*, contract: Contract, filters: dict[str, Any]) -> Any:
    """Every record of the contract matching the filters (newest first), for the page's pages
    and the export alike; withdrawn ones only when asked for."""
    records = ServiceRecord.objects.filter(contract=contract)
    state = filters.get("state") or ServiceRecordState.RECORDED
    if state != "all":
        records = records.filter(state=state)
    for name, lookup in (
        ("service_type", "service_type"),
        ("beneficiary_category", "beneficiary_category"),
        ("start", "date__gte"),
        ("end", "date__lte"),
    ):
        if filters.get(name):
            records = records.filter(**{lookup: filters[name]})
    if filters.get("social_worker"):
        records = records.filter(social_worker__icontains=filters["social_worker"])
    return records.order_by("-date", "-id")
