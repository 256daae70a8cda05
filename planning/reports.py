"""The figures of a statistics report (统计报表), computed from the data at generation time and
stored as they were (a submitted version never changes), and its Excel and PDF forms.

Numbers are kept as strings of Decimals in the JSON so that money stays exact to the fen."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db.models import Avg, Count, Sum
from django.utils.translation import gettext as _

from accounts.models import Organization
from core.exports import write_xlsx
from documents.rendering import render_pdf
from documents.selectors import template_source
from evaluation.models import RESULT_CONFIRMED_STATES, Evaluation, Grade
from funds.models import ServiceRecord
from planning.models import ProjectCatalogue, ReportState, StatsReport
from planning.selectors import dashboard, period_end
from projects.models import BeneficiaryCategory, ProjectState, ServiceProject

TEMPLATES = Path(__file__).resolve().parent / "document_templates"

# Other apps that keep workforce figures (volunteers, social workers on staff) add a provider:
# provider(bureau, start, end) -> {"volunteers": n, ...}; without one the figure is "not kept".
FigureProvider = Callable[[Organization, dt.date, dt.date], Mapping[str, int]]
_figure_providers: list[FigureProvider] = []


def register_figures(provider: FigureProvider) -> FigureProvider:
    if provider not in _figure_providers:
        _figure_providers.append(provider)
    return provider


def period_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 1 if quarter == 0 else quarter * 3 - 2, 1)


def report_figures(*, bureau: Organization, year: int, quarter: int) -> dict[str, Any]:
    start, end = period_start(year, quarter), period_end(year, quarter)
    projects = ServiceProject.objects.filter(bureau__path__startswith=bureau.path)
    live = projects.filter(period_start__lte=end, period_end__gte=start).exclude(
        state__in=[ProjectState.DRAFT]
    )
    by_state = {r["state"]: r["n"] for r in live.values("state").annotate(n=Count("pk")).order_by()}
    catalogue = list(
        ProjectCatalogue.objects.filter(project__in=live)
        .values("item__code", "item__name")
        .annotate(n=Count("pk"), budget=Sum("project__budget"))
        .order_by("item__code")
    )
    records = ServiceRecord.objects.filter(
        contract__project__bureau__path__startswith=bureau.path, date__gte=start, date__lte=end
    )
    served = {
        r["beneficiary_category"]: r["t"]
        for r in records.values("beneficiary_category")
        .annotate(t=Sum("beneficiary_count"))
        .order_by()
    }
    workers = records.values("social_worker").distinct().count()
    evaluations = Evaluation.objects.filter(
        project__bureau__path__startswith=bureau.path,
        state__in=RESULT_CONFIRMED_STATES,
        confirmed_at__date__gte=start,
        confirmed_at__date__lte=end,
    )
    grades = {
        r["grade"]: r["n"] for r in evaluations.values("grade").annotate(n=Count("pk")).order_by()
    }
    average = evaluations.aggregate(a=Avg("total_score"))["a"]
    money = dashboard(bureau=bureau, year=year).total
    extra: dict[str, int] = {}
    for provider in _figure_providers:
        for key, value in provider(bureau, start, end).items():
            extra[key] = extra.get(key, 0) + int(value)
    return {
        "bureau": bureau.name,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "projects": {
            "total": sum(by_state.values()),
            "by_state": {s: by_state.get(s, 0) for s in ProjectState.values if s != "draft"},
            "budget": str(live.aggregate(t=Sum("budget"))["t"] or Decimal("0.00")),
        },
        "catalogue": [
            {
                "code": r["item__code"],
                "name": r["item__name"],
                "projects": r["n"],
                "budget": str(r["budget"]),
            }
            for r in catalogue
        ],
        "money": {
            "plan": str(money.plan),
            "committed": str(money.committed),
            "paid": str(money.paid),
        },
        "served": {c: served.get(c, 0) for c in BeneficiaryCategory.values},
        "social_workers": workers,
        "volunteers": extra.get("volunteers"),
        "grades": {g: grades.get(g, 0) for g in Grade.values},
        "average_score": str(Decimal(average).quantize(Decimal("0.01"))) if average else "",
    }


def report_rows(report: StatsReport) -> list[tuple[str, str, Any]]:
    """The report as (section, item, value) rows: the Excel sheet and the page's table."""
    d = report.data
    states = dict(ProjectState.choices)
    categories = dict(BeneficiaryCategory.choices)
    grade_names = dict(Grade.choices)
    rows: list[tuple[str, str, Any]] = [
        (_("Projects"), _("Projects in the period"), d["projects"]["total"]),
        *((_("Projects"), str(states.get(s, s)), n) for s, n in d["projects"]["by_state"].items()),
        (_("Projects"), _("Budget of these projects (CNY)"), Decimal(d["projects"]["budget"])),
        *(
            (_("Purchase catalogue"), f"{c['code']} {c['name']}", c["projects"])
            for c in d["catalogue"]
        ),
        (_("Money"), _("Annual plan (CNY)"), Decimal(d["money"]["plan"])),
        (_("Money"), _("Committed by projects (CNY)"), Decimal(d["money"]["committed"])),
        (_("Money"), _("Paid (CNY)"), Decimal(d["money"]["paid"])),
        *(
            (_("People served (person-times)"), str(categories.get(c, c)), n)
            for c, n in d["served"].items()
        ),
        (_("Workforce"), _("Social workers who recorded services"), d["social_workers"]),
        (
            _("Workforce"),
            _("Volunteers"),
            d["volunteers"] if d["volunteers"] is not None else _("not kept in Sanshe"),
        ),
        *((_("Grades"), str(grade_names.get(g, g)), n) for g, n in d["grades"].items()),
        (_("Grades"), _("Average score"), d["average_score"] or "—"),
    ]
    return rows


def report_xlsx(report: StatsReport) -> bytes:
    buffer = io.BytesIO()
    header = [_("Section"), _("Item"), _("Value")]
    title = [(_("Bureau"), report.bureau.name, ""), (_("Period"), report.period_label, "")]
    meta = [
        (_("Version"), str(report.version), report.get_state_display()),
        (_("Generated at"), report.generated_at.isoformat(timespec="seconds"), ""),
    ]
    write_xlsx(buffer, [*title, *meta, *report_rows(report)], header, sheet_title="统计报表")
    return buffer.getvalue()


def report_pdf(report: StatsReport) -> bytes:
    return render_pdf(
        template_source(key="stats_report", bureau=report.bureau),
        {"report": report, "rows": report_rows(report)},
    )


def sample_report_context() -> dict[str, Any]:
    report = SimpleNamespace(
        bureau=SimpleNamespace(name="江陵县民政局"),
        period_label="2026Q1",
        version=1,
        get_state_display=lambda: "已报送",
        state=ReportState.SUBMITTED,
        submitted_at=dt.datetime(2026, 4, 10, 9, 30, tzinfo=dt.UTC),
        submitted_by="刘晓燕",
        reviewed_by="陈敏",
        generated_at=dt.datetime(2026, 4, 8, 15, 0, tzinfo=dt.UTC),
    )
    rows = [
        ("项目", "本期项目数", 3),
        ("资金", "年度计划（元）", Decimal("500000.00")),
        ("服务人次", "农村留守儿童", 1260),
    ]
    return {"report": report, "rows": rows}
