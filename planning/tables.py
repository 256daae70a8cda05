"""The dashboard's tables: each chart is drawn from one of these, shown beside it as a table and
downloaded as Excel from the same rows, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Grade
from planning.selectors import STATISTICS_SECONDS, Dashboard
from projects.models import BeneficiaryCategory, ServiceCategory


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    # Which columns the chart draws (indexes into each row) and the label column.
    series: list[int]
    label: int = 0
    kind: str = "bar"
    # Said under the table (e.g. as of when its figures were summed).
    note: str = ""


def _money_header(first: str) -> list[str]:
    return [first, _("Plan"), _("Committed"), _("Paid"), _("Paid of plan (%)")]


def dashboard_tables(data: Dashboard) -> list[Table]:
    categories = dict(ServiceCategory.choices)
    groups = dict(BeneficiaryCategory.choices)
    kinds = {
        "payment": _("Payment overdue"),
        "rectification": _("Rectification overdue"),
        "report": _("Statistics report late"),
    }
    money = [
        Table(
            "by_county",
            _("Plan, committed and paid by bureau (rolled up)"),
            _money_header(_("Bureau")),
            [
                [
                    r["bureau"].name,
                    r["money"].plan,
                    r["money"].committed,
                    r["money"].paid,
                    r["money"].rate,
                ]
                for r in data.by_child
            ],
            [1, 2, 3],
        ),
        Table(
            "by_fund",
            _("Plan, committed and paid by fund source"),
            _money_header(_("Fund source")),
            [
                [
                    str(r["fund_source"]),
                    r["money"].plan,
                    r["money"].committed,
                    r["money"].paid,
                    r["money"].rate,
                ]
                for r in data.by_fund
            ],
            [1, 2, 3],
        ),
        Table(
            "by_year",
            _("Plan, committed and paid by year"),
            _money_header(_("Year")),
            [
                [
                    str(r["year"]),
                    r["money"].plan,
                    r["money"].committed,
                    r["money"].paid,
                    r["money"].rate,
                ]
                for r in data.by_year
            ],
            [1, 2, 3],
        ),
        Table(
            "paid_by_month",
            _("Paid by month"),
            [_("Month"), _("Paid")],
            [[r["month"].strftime("%Y-%m"), r["total"]] for r in data.paid_by_month],
            [1],
        ),
    ]
    as_of = (
        _("Figures as of %(time)s; summed again every %(minutes)s minutes.")
        % {
            "time": timezone.localtime(data.statistics_as_of).strftime("%H:%M"),
            "minutes": STATISTICS_SECONDS // 60,
        }
        if data.statistics_as_of
        else ""
    )
    grades = [
        Table(
            "grades_by_ngo",
            _("Average evaluation score by NGO and year"),
            [_("NGO"), _("Year"), _("Average score"), _("Evaluations")],
            [
                [r["contract__supplier__name"], str(r["y"]), _score(r["score"]), r["n"]]
                for r in data.grades_by_ngo
            ],
            [2],
            kind="grouped",
            note=as_of,
        ),
        Table(
            "grades_by_category",
            _("Average evaluation score by service category and year"),
            [_("Service category"), _("Year"), _("Average score"), _("Evaluations")],
            [
                [
                    str(categories.get(r["project__category"], r["project__category"])),
                    str(r["y"]),
                    _score(r["score"]),
                    r["n"],
                ]
                for r in data.grades_by_category
            ],
            [2],
            kind="grouped",
            note=as_of,
        ),
        Table(
            "targets",
            _("Targets against person-times served"),
            [
                _("Beneficiary group"),
                _("Target (people)"),
                _("Served (person-times)"),
                _("Service records"),
            ],
            [
                [
                    str(groups.get(r["category"], r["category"])),
                    r["target"],
                    r["served"],
                    r["records"],
                ]
                for r in data.targets
            ],
            [1, 2],
            note=as_of,
        ),
    ]
    overdue = Table(
        "overdue",
        _("Overdue payments, reports and rectifications"),
        [_("Kind"), _("Item"), _("Bureau"), _("Due")],
        [
            [str(kinds.get(r["kind"], r["kind"])), r["title"], r["bureau"], r["due"]]
            for r in data.overdue
        ],
        [],
        kind="list",
    )
    return [*money, *grades, overdue]


def _score(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else Decimal(0)


def grade_floor_lines() -> list[dict[str, Any]]:
    """Where 优/良/中 start, drawn as reference lines on the score charts."""
    return [
        {"value": 90, "label": str(Grade.EXCELLENT.label)},
        {"value": 80, "label": str(Grade.GOOD.label)},
        {"value": 60, "label": str(Grade.FAIR.label)},
    ]


def chart_spec(table: Table) -> dict[str, Any]:
    """What the chart script needs: labels and one series per drawn column (numbers as text:
    the script draws them, the table beside it shows them exactly)."""
    if table.kind == "grouped":
        # One bar group per name, one bar per year.
        names = sorted({str(r[0]) for r in table.rows})
        years = sorted({str(r[1]) for r in table.rows})
        values = {(str(r[0]), str(r[1])): str(r[2]) for r in table.rows}
        return {
            "labels": names,
            "series": [{"label": y, "data": [values.get((n, y)) for n in names]} for y in years],
            "max": 100,
        }
    return {
        "labels": [str(r[table.label]) for r in table.rows],
        "series": [
            {"label": table.header[i], "data": [str(r[i]) for r in table.rows]}
            for i in table.series
        ],
    }
