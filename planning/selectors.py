"""Read queries of planning: the plan tree with each line's room, and the bureau dashboard.

Every function here costs a fixed number of queries whatever the number of projects (the
dashboard test counts them at 100 and at 10,000 projects); rolling up is done in Python over
the few rows the grouped queries return.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, OuterRef, Subquery, Sum, Window
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from accounts.credit import AnnualInspection, CreditListing, CreditProfile
from accounts.models import Organization, OrgKind
from core.cache import read_through
from evaluation.models import RESULT_CONFIRMED_STATES, Evaluation
from funds.models import (
    Acceptance,
    LedgerEntry,
    LedgerKind,
    Milestone,
    MilestoneState,
    ServiceRecord,
)
from funds.selectors import ledger_figures_cached
from planning.models import ZERO, AnnualPlan, BudgetLine, FundSource, ReportState, StatsReport
from projects.models import ServiceProject, TargetGroup

PAYMENT_DUE_DAYS = 30  # DESIGN §3: payment due within 30 days of acceptance
REPORT_DUE_DAYS = 15  # a period's statistics report is due 15 days after it ends
OVERDUE_SHOWN = 50

# --- overdue items other apps add (supervision: periodic reports, rectification items) -------

OverdueProvider = Callable[[str, dt.date], Iterable[dict[str, Any]]]
_overdue_providers: list[OverdueProvider] = []


def register_overdue(provider: OverdueProvider) -> OverdueProvider:
    """`provider(bureau_path, today)` yields dicts with kind, title, bureau, due (date), url;
    it must cost a fixed number of queries."""
    if provider not in _overdue_providers:
        _overdue_providers.append(provider)
    return provider


# --- money by line ----------------------------------------------------------------------------


@dataclass
class LineRow:
    line: BudgetLine
    allocated: Decimal = ZERO
    drawn: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def free(self) -> Decimal:
        return self.line.amount - self.allocated - self.drawn


@dataclass
class Money:
    plan: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, plan: Decimal = ZERO, committed: Decimal = ZERO, paid: Decimal = ZERO) -> None:
        self.plan += plan
        self.committed += committed
        self.paid += paid

    @property
    def rate(self) -> Decimal:
        """Paid as a percentage of plan (执行率)."""
        if not self.plan:
            return ZERO
        return (self.paid * 100 / self.plan).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# Drawn and paid per line in one statement. A project's payments are put on its lines in the
# order it drew on them: the first line pays until its draw is used up, then the next (fen-exact,
# no pro-rata rounding). The running total of earlier draws is a window sum, so no project's rows
# travel to Python: the answer is one row per line whatever the number of projects.
LINE_MONEY_SQL = """
WITH paid AS (
    SELECT project_id, SUM(amount) AS paid
    FROM funds_ledgerentry
    WHERE kind = %s AND project_id IN (
        SELECT project_id FROM planning_projectdraw WHERE line_id IN ({lines})
    )
    GROUP BY project_id
), draw AS (
    SELECT d.line_id, d.amount,
           COALESCE(p.paid, 0)
           - (SUM(d.amount) OVER (PARTITION BY d.project_id ORDER BY d.id) - d.amount) AS left_over
    FROM planning_projectdraw d LEFT JOIN paid p ON p.project_id = d.project_id
    WHERE d.line_id IN ({lines})
)
SELECT line_id, SUM(amount),
       SUM(CASE WHEN left_over <= 0 THEN 0 WHEN left_over >= amount THEN amount ELSE left_over END)
FROM draw GROUP BY line_id
"""


def _fen(value: Any) -> Decimal:
    # SQLite returns sums of decimals as floats; PostgreSQL as exact numerics. Either way: fen.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def line_rows(lines: list[BudgetLine]) -> dict[int, LineRow]:
    """Allocated, drawn and paid per line: two grouped statements whatever the size."""
    ids = [line.pk for line in lines]
    rows = {line.pk: LineRow(line) for line in lines}
    if not ids:
        return rows
    for r in (
        BudgetLine.objects.filter(source_id__in=ids).values("source_id").annotate(t=Sum("amount"))
    ):
        rows[r["source_id"]].allocated = r["t"]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            LINE_MONEY_SQL.format(lines=marks), [LedgerKind.DISBURSEMENT_PAID, *ids, *ids]
        )
        for line_id, drawn, paid in cursor.fetchall():
            rows[line_id].drawn = _fen(drawn)
            rows[line_id].paid = _fen(paid)
    return rows


def plan_detail(*, plan: AnnualPlan) -> dict[str, Any]:
    lines = list(plan.lines.select_related("source__plan__bureau").order_by("fund_source", "pk"))
    rows = line_rows(lines)
    children = list(
        BudgetLine.objects.filter(source__plan=plan)
        .select_related("plan__bureau", "source")
        .order_by("plan__bureau__name")
    )
    return {
        "rows": [rows[line.pk] for line in lines],
        "allocations": children,
        "total": Money(
            plan=sum((r.line.amount for r in rows.values()), ZERO),
            committed=sum((r.drawn for r in rows.values()), ZERO),
            paid=sum((r.paid for r in rows.values()), ZERO),
        ),
    }


# --- the dashboard ----------------------------------------------------------------------------


@dataclass
class Dashboard:
    bureau: Organization
    year: int
    years: list[int]
    by_bureau: list[dict[str, Any]] = field(default_factory=list)
    by_child: list[dict[str, Any]] = field(default_factory=list)
    by_fund: list[dict[str, Any]] = field(default_factory=list)
    by_year: list[dict[str, Any]] = field(default_factory=list)
    total: Money = field(default_factory=Money)
    grades_by_ngo: list[dict[str, Any]] = field(default_factory=list)
    grades_by_category: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    # When the grade and target statistics were summed (they are kept for STATISTICS_SECONDS).
    statistics_as_of: dt.datetime | None = None
    overdue: list[dict[str, Any]] = field(default_factory=list)
    overdue_count: int = 0
    paid_by_month: list[dict[str, Any]] = field(default_factory=list)


def default_year(*, bureau: Organization) -> int:
    """This year, or the planned year nearest to it when the tree has no plan for this year."""
    this_year = timezone.localdate().year
    years = set(
        AnnualPlan.objects.filter(bureau__path__startswith=bureau.path).values_list(
            "year", flat=True
        )
    )
    if not years or this_year in years:
        return this_year
    return min(years, key=lambda y: (abs(y - this_year), -y))


def _rows(values: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in values]


def _depth(bureau: Organization) -> int:
    return bureau.path.count("/") - 1


def dashboard(*, bureau: Organization, year: int, today: dt.date | None = None) -> Dashboard:
    """The bureau head's view of `bureau` and everything below it for `year`."""
    today = today or timezone.localdate()
    subtree = list(
        Organization.objects.filter(path__startswith=bureau.path, kind=OrgKind.BUREAU).order_by(
            "path"
        )
    )
    by_id = {b.pk: b for b in subtree}
    all_lines = list(
        BudgetLine.objects.filter(plan__bureau__path__startswith=bureau.path).select_related("plan")
    )
    years = sorted({line.plan.year for line in all_lines} | {year}, reverse=True)
    rows = line_rows(all_lines)
    line_by_id = {line.pk: line for line in all_lines}

    def top(line: BudgetLine) -> BudgetLine:
        # The line where this money entered the subtree: allocations are followed upwards.
        while line.source_id in line_by_id:
            line = line_by_id[line.source_id]  # type: ignore[index]
        return line

    data = Dashboard(bureau=bureau, year=year, years=years)
    per_year: dict[int, Money] = defaultdict(Money)
    per_fund: dict[str, Money] = defaultdict(Money)
    per_bureau: dict[int, Money] = defaultdict(Money)
    allocated_down: dict[int, Decimal] = defaultdict(Decimal)
    per_child: dict[int, Money] = defaultdict(Money)
    child_of: dict[int, int] = {}
    depth_here = len(bureau.path.strip("/").split("/"))
    for b in subtree:
        ids = [int(p) for p in b.path.strip("/").split("/")]
        # The bureau directly below the viewed one that `b` belongs to (itself for the top).
        child_of[b.pk] = ids[depth_here] if len(ids) > depth_here else b.pk
    for line in all_lines:
        row = rows[line.pk]
        origin = top(line)
        entered = line is origin
        per_year[line.plan.year].add(
            plan=line.amount if entered else ZERO, committed=row.drawn, paid=row.paid
        )
        if line.plan.year != year:
            continue
        per_fund[origin.fund_source].add(
            plan=line.amount if entered else ZERO, committed=row.drawn, paid=row.paid
        )
        own = per_bureau[line.plan.bureau_id]
        own.add(plan=line.amount, committed=row.drawn, paid=row.paid)
        allocated_down[line.plan.bureau_id] += row.allocated
        child = child_of[line.plan.bureau_id]
        # Within a child's subtree, money enters where its line comes from outside that subtree.
        src = line_by_id.get(line.source_id) if line.source_id else None
        from_outside = src is None or child_of.get(src.plan.bureau_id) != child
        entering = line.amount if from_outside else ZERO
        if child == bureau.pk:
            # The bureau's own row keeps what it did not pass down, so the rows add up to the
            # total instead of counting an allocation at both ends.
            entering -= row.allocated
        per_child[child].add(plan=entering, committed=row.drawn, paid=row.paid)
        data.total.add(plan=line.amount if entered else ZERO, committed=row.drawn, paid=row.paid)
    for b in subtree:
        own = per_bureau[b.pk]
        data.by_bureau.append(
            {
                "bureau": b,
                "depth": _depth(b) - _depth(bureau),
                "money": own,
                "allocated": allocated_down[b.pk],
                "free": own.plan - allocated_down[b.pk] - own.committed,
            }
        )
    for child_id, money in per_child.items():
        data.by_child.append({"bureau": by_id[child_id], "money": money})
    data.by_child.sort(key=lambda r: (r["bureau"].pk != bureau.pk, r["bureau"].name))
    labels = dict(FundSource.choices)
    data.by_fund = [
        {"fund_source": labels.get(k, k), "money": m} for k, m in sorted(per_fund.items())
    ]
    data.by_year = [{"year": y, "money": per_year[y]} for y in sorted(per_year)]

    stats = _statistics_cached(bureau=bureau, year=year)
    data.grades_by_ngo = stats["grades_by_ngo"]
    data.grades_by_category = stats["grades_by_category"]
    data.targets = stats["targets"]
    data.statistics_as_of = stats["as_of"]
    data.overdue, data.overdue_count = overdue_items(bureau=bureau, today=today)
    data.paid_by_month = ledger_figures_cached(
        LedgerEntry.objects.filter(
            kind=LedgerKind.DISBURSEMENT_PAID,
            project__bureau__path__startswith=bureau.path,
            occurred_at__year=year,
        ),
        _paid_by_month,
    )
    return data


# The grade and target statistics (averages over years of evaluations, a year's service
# records against its targets) read tens of thousands of rows: 50 ms of a dashboard's 60 ms of
# SQL. They are kept this long per bureau and year, and the page says as of when; the money
# and the overdue lists are read fresh on every view.
STATISTICS_SECONDS = 300


def _statistics_cached(*, bureau: Organization, year: int) -> dict[str, Any]:
    return read_through(
        f"planning-statistics:{bureau.pk}:{bureau.path}:{year}",
        lambda: _statistics(bureau=bureau, year=year),
        STATISTICS_SECONDS,
    )


def _statistics(*, bureau: Organization, year: int) -> dict[str, Any]:
    projects = ServiceProject.objects.filter(bureau__path__startswith=bureau.path)
    confirmed = Evaluation.objects.filter(
        project__bureau__path__startswith=bureau.path,
        state__in=RESULT_CONFIRMED_STATES,
        confirmed_at__isnull=False,
    ).annotate(y=ExtractYear("confirmed_at"))
    grades_by_ngo = _rows(
        confirmed.values("contract__supplier__name", "y")
        .annotate(score=Avg("total_score"), n=Count("pk"))
        .order_by("contract__supplier__name", "y")
    )
    grades_by_category = _rows(
        confirmed.values("project__category", "y")
        .annotate(score=Avg("total_score"), n=Count("pk"))
        .order_by("project__category", "y")
    )
    year_projects = projects.filter(period_start__year__lte=year, period_end__year__gte=year)
    targeted = {
        r["category"]: r["t"]
        for r in TargetGroup.objects.filter(project__in=year_projects)
        .values("category")
        .annotate(t=Sum("count"))
    }
    served = {
        r["beneficiary_category"]: r
        for r in ServiceRecord.objects.filter(
            contract__project__bureau__path__startswith=bureau.path, date__year=year
        )
        .values("beneficiary_category")
        .annotate(t=Sum("beneficiary_count"), n=Count("pk"))
    }
    targets = [
        {
            "category": c,
            "target": targeted.get(c, 0),
            "served": served[c]["t"] if c in served else 0,
            "records": served[c]["n"] if c in served else 0,
        }
        for c in sorted(set(targeted) | set(served))
    ]
    return {
        "grades_by_ngo": grades_by_ngo,
        "grades_by_category": grades_by_category,
        "targets": targets,
        "as_of": timezone.now(),
    }


def _paid_by_month(entries: Any) -> list[dict[str, Any]]:
    return _rows(
        entries.annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )


def overdue_items(*, bureau: Organization, today: dt.date) -> tuple[list[dict[str, Any]], int]:
    """Payments not made 30 days after acceptance, rectifications past their deadline, late
    statistics reports of the bureaus directly below, and what other apps register."""
    items: list[dict[str, Any]] = []
    cutoff = timezone.now() - dt.timedelta(days=PAYMENT_DUE_DAYS)
    unpaid = (
        Milestone.objects.filter(
            contract__project__bureau__path__startswith=bureau.path,
            state__in=[MilestoneState.ACCEPTED, MilestoneState.PAYABLE],
        )
        # The latest passed acceptance, probed per milestone rather than joined and grouped:
        # the bureau tree's open milestones are a few, its acceptances many.
        .annotate(
            accepted_at=Subquery(
                Acceptance.objects.filter(milestone=OuterRef("pk"), passed=True)
                .order_by("-recorded_at")
                .values("recorded_at")[:1]
            )
        )
        .filter(accepted_at__lt=cutoff)
        .select_related("contract__project__bureau")
    )
    unpaid_shown, unpaid_count = _oldest(unpaid.order_by("accepted_at", "pk"))
    items += [
        {
            "kind": "payment",
            "title": str(m),
            "bureau": m.contract.project.bureau.name,
            # accepted_at is the Subquery annotation above, which the stubs cannot see.
            "due": timezone.localdate(m.accepted_at)  # type: ignore[attr-defined]
            + dt.timedelta(days=PAYMENT_DUE_DAYS),
            "url": m.get_absolute_url(),
        }
        for m in unpaid_shown
    ]
    rectifying = Milestone.objects.filter(
        contract__project__bureau__path__startswith=bureau.path,
        state=MilestoneState.RECTIFYING,
        rectification_deadline__lt=today,
    ).select_related("contract__project__bureau")
    rect_shown, rect_count = _oldest(rectifying.order_by("rectification_deadline", "pk"))
    items += [
        {
            "kind": "rectification",
            "title": str(m),
            "bureau": m.contract.project.bureau.name,
            "due": m.rectification_deadline,
            "url": m.get_absolute_url(),
        }
        for m in rect_shown
    ]
    late = late_reports(bureau=bureau, today=today)
    items += [
        {
            "kind": "report",
            "title": r["period"],
            "bureau": r["bureau"].name,
            "due": r["due"],
            "url": "",
        }
        for r in late
    ]
    extra = 0
    for provider in _overdue_providers:
        for row in provider(bureau.path, today):
            extra += 1
            if extra <= OVERDUE_SHOWN:
                items.append(row)
    items.sort(key=lambda r: r["due"])
    return items, unpaid_count + rect_count + len(late) + extra


def _oldest(milestones: Any) -> tuple[list[Milestone], int]:
    """The first OVERDUE_SHOWN of an ordered queryset and how many there are in all, in one
    query: the count rides on each row as a window over the whole result, so a bureau tree of
    thousands of contracts is walked once instead of once for the count and once for the page,
    carrying only the columns a row shows."""
    shown = list(
        milestones.only(
            "contract__number", "sequence", "name", "contract__project__bureau__name"
        ).annotate(overdue_total=Window(Count("pk")))[:OVERDUE_SHOWN]
    )
    return shown, (shown[0].overdue_total if shown else 0)


# --- statistics reports: who submitted, who is late -------------------------------------------


def period_end(year: int, quarter: int) -> dt.date:
    if quarter == 0:
        return dt.date(year, 12, 31)
    month = quarter * 3
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def report_due(year: int, quarter: int) -> dt.date:
    return period_end(year, quarter) + dt.timedelta(days=REPORT_DUE_DAYS)


def last_due_period(today: dt.date) -> tuple[int, int]:
    """The latest quarter whose report is already due."""
    year, quarter = today.year, (today.month - 1) // 3  # the quarter before the current one
    if quarter == 0:
        year, quarter = year - 1, 4
    if report_due(year, quarter) >= today:
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return year, quarter


def submissions(*, bureau: Organization, year: int, quarter: int) -> list[dict[str, Any]]:
    """Each bureau directly below: its submitted report for the period, or when it is due."""
    children = list(
        Organization.objects.filter(parent=bureau, kind=OrgKind.BUREAU).order_by("name")
    )
    submitted: dict[int, StatsReport] = {}
    for report in StatsReport.objects.filter(
        bureau__in=children, year=year, quarter=quarter, state=ReportState.SUBMITTED
    ).order_by("version"):
        submitted[report.bureau_id] = report  # the latest version wins
    due = report_due(year, quarter)
    return [
        {"bureau": c, "report": submitted.get(c.pk), "due": due, "period": f"{year}Q{quarter}"}
        for c in children
    ]


def late_reports(*, bureau: Organization, today: dt.date) -> list[dict[str, Any]]:
    year, quarter = last_due_period(today)
    return [
        r
        for r in submissions(bureau=bureau, year=year, quarter=quarter)
        if r["report"] is None and r["due"] < today
    ]


# --- credit: the list and one supplier's Sanshe history ---------------------------------------


def credit_rows(*, ngos: Any, today: dt.date) -> list[dict[str, Any]]:
    """Each NGO with its certificate, rating, current listings and Sanshe average: 5 queries."""
    ngos = list(ngos)
    ids = [n.pk for n in ngos]
    profiles = {p.organization_id: p for p in CreditProfile.objects.filter(organization_id__in=ids)}
    listings: dict[int, list[Any]] = defaultdict(list)
    for listing in CreditListing.objects.filter(organization_id__in=ids, listed_on__lte=today):
        if listing.is_current_on(today):
            listings[listing.organization_id].append(listing)
    inspections: dict[int, Any] = {}
    for row in AnnualInspection.objects.filter(organization_id__in=ids).order_by("year"):
        inspections[row.organization_id] = row
    scores: dict[int, dict[str, Any]] = {
        r["contract__supplier_id"]: dict(r)
        for r in Evaluation.objects.filter(
            contract__supplier_id__in=ids, state__in=RESULT_CONFIRMED_STATES
        )
        .values("contract__supplier_id")
        .annotate(score=Avg("total_score"), n=Count("pk"))
        .order_by()
    }
    return [
        {
            "ngo": n,
            "profile": profiles.get(n.pk),
            "rating": profiles[n.pk].rating_on(today) if n.pk in profiles else "",
            "listings": listings.get(n.pk, []),
            "inspection": inspections.get(n.pk),
            "score": scores.get(n.pk, {}).get("score"),
            "evaluations": scores.get(n.pk, {}).get("n", 0),
        }
        for n in ngos
    ]


HISTORY_SHOWN = 20


def supplier_history(*, ngo: Organization) -> dict[str, Any]:
    """The NGO's latest confirmed Sanshe evaluations and forfeited payments, with how many
    there are and their sums over all of them: an NGO of a provincial system has hundreds of
    evaluations, which the page listed in full (0.3-0.4 s a view)."""
    confirmed = Evaluation.objects.filter(contract__supplier=ngo, state__in=RESULT_CONFIRMED_STATES)
    forfeits = LedgerEntry.objects.filter(contract__supplier=ngo, kind=LedgerKind.FORFEITED)
    return {
        "evaluations": list(
            confirmed.select_related("project").order_by("-confirmed_at", "-pk")[:HISTORY_SHOWN]
        ),
        "evaluations_count": confirmed.count(),
        "forfeited": list(
            forfeits.select_related("project", "contract").order_by("-occurred_at", "-seq")[
                :HISTORY_SHOWN
            ]
        ),
        "forfeited_count": forfeits.count(),
        "forfeited_total": forfeits.aggregate(t=Sum("amount"))["t"] or ZERO,
    }
