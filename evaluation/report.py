"""The evaluation report (评价报告) PDF: a bureau-editable Jinja2 document fed with plain data.

The template is registered with the documents app as "evaluation_report"; a bureau may keep
its own version, so the context holds only strings, numbers, lists and dicts (the sandbox
gives templates no model access).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.registry import register as register_document
from documents.rendering import render_pdf
from documents.selectors import template_source
from evaluation.models import Evaluation, EvaluationResult, ScoreEntry
from evaluation.participation import self_scores
from evaluation.selectors import adjustments, result_rows

KEY = "evaluation_report"
DEFAULT_PATH = Path(__file__).resolve().parent / "documents" / "evaluation_report.html"


def _alpha_reading(alpha: Decimal | None) -> str:
    # Krippendorff's own guideline: 0.800 reliable, 0.667 the lowest for tentative conclusions.
    if alpha is None:
        return _("not defined: the assessors gave identical shares")
    if alpha >= Decimal("0.8"):
        return _("high agreement")
    if alpha >= Decimal("0.667"):
        return _("acceptable agreement")
    return _("low agreement; see the discussion notes")


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}"


def _fmt_or_blank(value: Decimal | None) -> str:
    return "" if value is None else _fmt(value)


def report_context(evaluation: Evaluation, result: EvaluationResult) -> dict[str, Any]:
    """Everything the report shows, as plain data."""
    rows = result_rows(result=result)
    entries = (
        ScoreEntry.objects.filter(sheet__evaluation=evaluation)
        .exclude(comment="")
        .select_related("indicator")
        .order_by("indicator__position", "sheet_id")
    )
    comments: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        comments[entry.indicator.name].append(entry.comment)
    rectifications = [
        {
            "name": row.indicator.name,
            "points": _fmt(row.indicator.points),
            "score": _fmt(row.score),
            "lost": _fmt(row.indicator.points - row.score),
            "criteria": row.indicator.criteria,
            "note": row.leaf.note if row.leaf else "",
        }
        for row in rows
        if row.indicator.level == 3 and row.score < row.indicator.points
    ]
    rectifications.sort(key=lambda r: Decimal(r["lost"]), reverse=True)
    appeal = getattr(evaluation, "appeal_record", None)
    contract = evaluation.contract
    own = {k: v.score for k, v in self_scores(evaluation=evaluation).items()}
    adjusted = adjustments(evaluation=evaluation)
    figures = [
        {
            "name": f.indicator.name,
            "value": _fmt(f.value) if f.value is not None else _("No data"),
            "target": _fmt(f.target) if f.target is not None else "—",
            "how": f"{f.how}；{_('target')}: {f.target_source}" if f.target_source else f.how,
            "adjustments": "；".join(
                f"{a['assessor']}: {a['reason']}" for a in adjusted.get(f.indicator_id, [])
            ),
        }
        for f in evaluation.computed.select_related("indicator").order_by("indicator__position")
    ]
    return {
        "title": _("Performance evaluation report"),
        "kind": evaluation.get_kind_display(),
        "project": {
            "title": evaluation.project.title,
            "code": evaluation.project.code,
            "bureau": evaluation.project.bureau.name,
        },
        "contract": {
            "number": contract.number,
            "supplier": contract.supplier.name,
            "amount": f"¥{contract.amount:,.2f}",
        },
        "scope": str(evaluation.milestone) if evaluation.milestone else _("the whole contract"),
        "assessor_org": evaluation.assessor_org.name,
        "lead": str(evaluation.lead or ""),
        "system": str(evaluation.system),
        "state": evaluation.get_state_display(),
        "total": _fmt(result.total),
        "grade": result.get_grade_display(),
        "method": result.get_method_display(),
        "assessor_count": result.assessor_count,
        "alpha": str(result.agreement_alpha) if result.agreement_alpha is not None else "—",
        "alpha_reading": _alpha_reading(result.agreement_alpha),
        "confirmed": timezone.localtime(result.confirmed_at).strftime("%Y-%m-%d")
        if result.confirmed_at
        else _("not yet confirmed by the bureau"),
        "round": result.round,
        "summary": result.summary,
        "level1": [
            {
                "name": row.indicator.name,
                "points": _fmt(row.indicator.points),
                "score": _fmt(row.score),
                "percent": int(row.score * 100 / row.indicator.points),
            }
            for row in rows
            if row.indicator.level == 1
        ],
        "rows": [
            {
                "level": row.indicator.level,
                "name": row.indicator.name,
                "points": _fmt(row.indicator.points),
                "score": _fmt(row.score),
                "note": row.leaf.note if row.leaf else "",
                "self_score": _fmt_or_blank(own.get(row.indicator.pk)),
            }
            for row in rows
        ],
        "self_total": _fmt(evaluation.self_evaluation.total)
        if hasattr(evaluation, "self_evaluation") and evaluation.self_evaluation.total is not None
        else "—",
        "figures": figures,
        "comments": [
            {"indicator": name, "text": "；".join(texts)} for name, texts in comments.items()
        ],
        "rectifications": rectifications,
        "appeal": {"reason": appeal.reason, "response": appeal.response or "—"} if appeal else None,
        "generated": timezone.localdate().isoformat(),
    }


def sample_context() -> dict[str, Any]:
    """A complete context with made-up numbers, for checking an edited template."""
    return {
        "title": "绩效评价报告",
        "kind": "中期评价",
        "project": {
            "title": "“携手成长、守护阳光”关爱农村留守儿童保护项目",
            "code": "GM202600001",
            "bureau": "潜江市民政局",
        },
        "contract": {
            "number": "HT-2026-0001",
            "supplier": "武汉爱心天使社会工作服务中心",
            "amount": "¥480,000.00",
        },
        "scope": "中期服务成果",
        "assessor_org": "荆楚社会服务绩效评估中心",
        "lead": "赵静（评估组长）",
        "system": "农村留守儿童关爱保护社会工作服务项目绩效评价指标体系 v1",
        "state": "已确认",
        "total": "84.50",
        "grade": "良",
        "method": "算术平均",
        "assessor_count": 3,
        "alpha": "0.8123",
        "alpha_reading": "一致性较高",
        "confirmed": "2026-11-20",
        "round": 1,
        "summary": "服务数量进度偏慢，建档和“八个一”需加强。",
        "level1": [
            {"name": "决策", "points": "15.00", "score": "14.00", "percent": 93},
            {"name": "过程", "points": "25.00", "score": "21.33", "percent": 85},
            {"name": "产出", "points": "35.00", "score": "27.17", "percent": 77},
            {"name": "效益", "points": "25.00", "score": "22.00", "percent": 88},
        ],
        "rows": [
            {
                "level": 1,
                "name": "产出",
                "points": "35.00",
                "score": "27.17",
                "note": "",
                "self_score": "",
            },
            {
                "level": 3,
                "name": "个案数",
                "points": "4.00",
                "score": "3.10",
                "note": "",
                "self_score": "4.00",
            },
        ],
        "self_total": "95.00",
        "figures": [
            {
                "name": "服务人次",
                "value": "4100.00",
                "target": "6000.00",
                "how": "截至 2026-10-31 的 512 条服务记录的服务对象人数之和（服务台账）",
                "adjustments": "",
            }
        ],
        "comments": [{"indicator": "个案数", "text": "期中完成个案31个。"}],
        "rectifications": [
            {
                "name": "个案数",
                "points": "4.00",
                "score": "3.10",
                "lost": "0.90",
                "criteria": "完成个案辅导数除以合同约定个案数，乘以分值",
                "note": "",
            }
        ],
        "appeal": None,
        "generated": "2026-11-20",
    }


def register() -> None:
    """Make the report a document template bureaus can adapt."""
    register_document(
        KEY,
        label=gettext_lazy("Performance evaluation report"),
        default_path=DEFAULT_PATH,
        sample_context=sample_context,
    )


def render_report(evaluation: Evaluation) -> bytes:
    """The PDF of the evaluation's current result, from the bureau's version of the template."""
    result = evaluation.results.select_related("evaluation").get(is_current=True)
    source = template_source(key=KEY, bureau=evaluation.project.bureau)
    pdf: bytes = render_pdf(source, report_context(evaluation, result))
    return pdf
