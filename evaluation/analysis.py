"""Score analysis with pandas: mean score per 一级 indicator by NGO, county or year.

Scores travel as integer hundredths of a point so sums are exact; a mean is rounded half-up
to the hundredth only when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import stream_xlsx
from evaluation.models import RESULT_CONFIRMED_STATES, Evaluation, EvaluationState, LeafResult
from evaluation.permissions import visible_evaluations_q

DIMENSIONS = {
    "ngo": gettext_lazy("Supplier (NGO)"),
    "county": gettext_lazy("Purchasing bureau (county)"),
    "year": gettext_lazy("Year"),
}
ANALYSED_STATES = (*RESULT_CONFIRMED_STATES, EvaluationState.APPEALED)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]


def _mean(series: pd.Series) -> Decimal | None:
    values = series.dropna()
    if values.empty:
        return None
    total = Decimal(int(values.sum()))
    return (total / len(values) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def frame(*, user: Any) -> pd.DataFrame:
    """One row per evaluation and 一级 indicator: its points in hundredths and the grouping keys."""
    visible = Evaluation.objects.filter(visible_evaluations_q(user)).values("pk")
    # The leaves are summed per evaluation and 一级 indicator by the database (exact numeric
    # sums): a province's confirmed evaluations hold hundreds of thousands of leaf results,
    # which fetched one by one took seconds a view; what reaches pandas is a row per pair.
    rows = (
        LeafResult.objects.filter(
            result__is_current=True,
            result__evaluation__in=visible,
            result__evaluation__state__in=ANALYSED_STATES,
        )
        .values(
            evaluation=F("result__evaluation_id"),
            level1=F("indicator__parent__parent__name"),
            ngo=F("result__evaluation__contract__supplier__name"),
            county=F("result__evaluation__project__bureau__name"),
            # The year in the site's time zone (a confirmation on New Year's morning in
            # Beijing counts for the new year).
            year=ExtractYear("result__evaluation__confirmed_at"),
        )
        .annotate(points=Sum("score"))
        .order_by()
        .values_list("evaluation", "level1", "ngo", "county", "year", "points")
    )
    df = pd.DataFrame.from_records(
        list(rows), columns=["evaluation", "level1", "ngo", "county", "year", "points"]
    )
    if df.empty:
        return df.drop(columns="points").assign(hundredths=pd.Series(dtype="int64"))
    df["hundredths"] = [int(p * 100) for p in df["points"]]
    return df.drop(columns="points")


def score_table(*, user: Any, by: str) -> Table:
    """Mean total and mean per 一级 indicator for each group, with the number of evaluations."""
    df = frame(user=user)
    label = str(DIMENSIONS[by])
    if df.empty:
        return Table(headers=[label, _("Evaluations"), _("Total score")], rows=[])
    level1 = list(dict.fromkeys(df["level1"]))
    per_eval = df.pivot_table(
        index=["evaluation", by], columns="level1", values="hundredths", aggfunc="sum"
    ).reset_index()
    per_eval["__total"] = per_eval[level1].sum(axis=1).astype("int64")
    rows: list[list[Any]] = []
    for key, group in per_eval.groupby(by, sort=True):
        rows.append(
            [key, len(group), _mean(group["__total"]), *(_mean(group[name]) for name in level1)]
        )
    return Table(headers=[label, _("Evaluations"), _("Total score"), *level1], rows=rows)


def export(table: Table, *, by: str) -> FileResponse:
    """The table as an Excel download (formula-safe, streamed by the toolkit's helper)."""
    return stream_xlsx(
        rows=table.rows,
        header=table.headers,
        filename=f"evaluation-scores-by-{by}.xlsx",
        sheet_title=_("Score analysis"),
    )
