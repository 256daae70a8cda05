"""Excel import and export of an indicator system: one row per indicator (django-import-export).

The Resource describes the columns and dehydrates each indicator into its row; importing reads
the same columns back into NodeSpecs so the whole tree can be validated before anything is
saved (a per-row import could not see that siblings' points fail to add up).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.formats.base_formats import XLSX

from evaluation.indicators import (
    METHOD_ALIASES,
    SEP,
    NodeSpec,
    params_from_text,
    params_to_text,
)
from evaluation.models import Indicator
from evaluation.scoring import to_decimal

# Column headers are part of the file format (documented in docs/evaluation.md), so fixed.
COLUMNS = {
    "path": "指标路径",
    "level": "层级",
    "points": "分值",
    "method": "评分方法",
    "parameters": "方法参数",
    "criteria": "评分标准",
    "evidence": "佐证材料",
}


class IndicatorResource(resources.ModelResource):
    path = fields.Field(attribute="path", column_name=COLUMNS["path"])
    level = fields.Field(attribute="level", column_name=COLUMNS["level"])
    points = fields.Field(attribute="points", column_name=COLUMNS["points"])
    method = fields.Field(attribute="method", column_name=COLUMNS["method"])
    parameters = fields.Field(column_name=COLUMNS["parameters"])
    criteria = fields.Field(attribute="criteria", column_name=COLUMNS["criteria"])
    evidence = fields.Field(attribute="evidence", column_name=COLUMNS["evidence"])

    class Meta:
        model = Indicator
        fields = ("path", "level", "points", "method", "parameters", "criteria", "evidence")
        export_order = fields

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._paths: dict[int, str] = {}

    def before_export(self, queryset: Any, **kwargs: Any) -> None:
        nodes = {n.pk: n for n in queryset}
        for node in nodes.values():
            parts, cur = [node.name], node
            while cur.parent_id is not None:
                cur = nodes[cur.parent_id]
                parts.append(cur.name)
            self._paths[node.pk] = SEP.join(reversed(parts))

    def dehydrate_path(self, node: Indicator) -> str:
        return self._paths.get(node.pk, node.name)

    def dehydrate_points(self, node: Indicator) -> str:
        return str(node.points.normalize())

    def dehydrate_parameters(self, node: Indicator) -> str:
        return params_to_text(node.method, node.params) if node.method else ""


def export_rows(rows: list[dict[str, Any]]) -> bytes:
    """A workbook from plain template rows (the default frame), in the import format."""
    data = tablib.Dataset(headers=list(COLUMNS.values()))
    for row in rows:
        parts = [p.strip() for p in row["path"].split("/")]
        data.append(
            [
                SEP.join(parts),
                len(parts),
                str(row["points"]),
                row.get("method", ""),
                row.get("params", ""),
                row.get("criteria", ""),
                row.get("evidence", ""),
            ]
        )
    return bytes(data.export("xlsx"))


def export_system(queryset: Any) -> bytes:
    dataset = IndicatorResource().export(queryset=queryset.order_by("position"))
    return bytes(XLSX().export_data(dataset))


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(COLUMNS[key])
    return "" if value is None else str(value).strip()


def read_workbook(content: bytes) -> tuple[list[NodeSpec], list[str]]:
    """NodeSpecs from a workbook and every problem found reading its rows (row numbers as in Excel)."""
    try:
        dataset = XLSX().create_dataset(content)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    missing = [name for key, name in COLUMNS.items() if key != "level" and name not in headers]
    if missing:
        raise ValidationError(
            _("The workbook lacks the columns: %(cols)s.") % {"cols": "、".join(missing)}
        )
    specs: list[NodeSpec] = []
    problems: list[str] = []
    for index, values in enumerate(dataset, start=2):  # row 1 holds the headers
        row = dict(zip(headers, values, strict=False))
        if not any(str(v or "").strip() for v in values):
            continue
        path = tuple(p.strip() for p in _cell(row, "path").replace("\uff0f", "/").split("/"))
        where = _("Row %(row)s") % {"row": index}
        try:
            points = to_decimal(_cell(row, "points"), COLUMNS["points"])
        except ValidationError as exc:
            problems.append(f"{where}: {' '.join(exc.messages)}")
            points = Decimal(0)
        method = _cell(row, "method")
        method = str(METHOD_ALIASES.get(method, method))
        try:
            params = params_from_text(method, _cell(row, "parameters")) if method else {}
        except ValidationError as exc:
            problems.append(f"{where}: {' '.join(exc.messages)}")
            params = {}
        specs.append(
            NodeSpec(
                path=path,
                points=points,
                method=method,
                params=params,
                criteria=_cell(row, "criteria"),
                evidence=_cell(row, "evidence"),
                row=index,
            )
        )
    return specs, problems
