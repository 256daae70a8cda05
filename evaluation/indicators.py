"""The indicator tree as plain rows: validation, parameters as text, saving a version, templates.

Workbooks, the shipped templates and saved systems all pass through `NodeSpec` so one
validation covers them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluation.models import Indicator, IndicatorSystem, ScoringMethod
from evaluation.scoring import rubric_levels, to_decimal

SEP = " / "
ROOT_POINTS = Decimal("100")
DATA_DIR = Path(__file__).resolve().parent / "data"
METHOD_ALIASES = {
    "评级": ScoringMethod.RUBRIC,
    "等级": ScoringMethod.RUBRIC,
    "比率": ScoringMethod.RATIO,
    "达标": ScoringMethod.THRESHOLD,
    "阈值": ScoringMethod.THRESHOLD,
    "扣分": ScoringMethod.DEDUCTION,
    "是否": ScoringMethod.BOOLEAN,
}


@dataclass
class NodeSpec:
    path: tuple[str, ...]
    points: Decimal
    method: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    criteria: str = ""
    evidence: str = ""
    row: int | None = None

    @property
    def level(self) -> int:
        return len(self.path)

    def where(self) -> str:
        if self.row is not None:
            return _("Row %(row)s (%(path)s)") % {"row": self.row, "path": SEP.join(self.path)}
        return SEP.join(self.path)


# --- parameters as text ("优=5; 良=4" for a rubric, "target=40" for a ratio, …) ----------------


def params_to_text(method: str, params: dict[str, Any]) -> str:
    if method == ScoringMethod.RUBRIC:
        return "; ".join(f"{label}={points}" for label, points in rubric_levels(params))
    return "; ".join(f"{k}={v}" for k, v in params.items())


def params_from_text(method: str, text: str) -> dict[str, Any]:
    """Parse the parameters cell; raises ValidationError with a readable message."""
    pairs: list[tuple[str, str]] = []
    for part in str(text or "").replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.replace("\uff1d", "=").partition("=")
        if not sep or not key.strip():
            raise ValidationError(_("“%(part)s” is not of the form name=value.") % {"part": part})
        pairs.append((key.strip(), value.strip()))
    if method == ScoringMethod.RUBRIC:
        return {
            "levels": [{"label": k, "points": str(to_decimal(v, k).normalize())} for k, v in pairs]
        }
    return dict(pairs)


def check_params(spec: NodeSpec) -> list[str]:
    """Problems with a leaf's method parameters, in words."""
    method, params, points = spec.method, spec.params, spec.points
    problems: list[str] = []
    try:
        if method == ScoringMethod.RUBRIC:
            levels = rubric_levels(params)
            if len(levels) < 2:
                problems.append(_("a rubric needs at least two levels"))
            elif any(p < 0 or p > points for _label, p in levels):
                problems.append(_("every rubric level must lie between 0 and the leaf's points"))
            elif max(p for _label, p in levels) != points:
                problems.append(_("the top rubric level must be worth the leaf's full points"))
        elif method == ScoringMethod.RATIO and "target" in params:
            if to_decimal(params["target"], "target") <= 0:
                problems.append(_("the target must be greater than zero"))
        elif method == ScoringMethod.THRESHOLD:
            if "threshold" not in params:
                problems.append(_("a threshold leaf needs threshold=…"))
            else:
                to_decimal(params["threshold"], "threshold")
            if params.get("direction", "at_least") not in ("at_least", "at_most"):
                problems.append(_("direction must be at_least or at_most"))
        elif method == ScoringMethod.DEDUCTION and (
            "penalty" not in params or to_decimal(params["penalty"], "penalty") <= 0
        ):
            problems.append(_("a deduction leaf needs a positive penalty=…"))
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        problems.append("; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return problems


# --- validation -------------------------------------------------------------------------------


def validate_tree(specs: list[NodeSpec]) -> list[str]:
    """Every problem with the tree, each naming its row or path; empty when the tree is valid."""
    problems: list[str] = []
    by_path: dict[tuple[str, ...], NodeSpec] = {}
    if not specs:
        return [_("The system has no indicators.")]
    for spec in specs:
        if not 1 <= spec.level <= 3 or any(not part for part in spec.path):
            problems.append(
                _("%(where)s: the path must have one to three levels (一级 / 二级 / 三级).")
                % {"where": spec.where()}
            )
            continue
        if spec.path in by_path:
            problems.append(
                _("%(where)s: this indicator appears more than once.") % {"where": spec.where()}
            )
            continue
        by_path[spec.path] = spec
        if spec.points <= 0:
            problems.append(
                _("%(where)s: points must be greater than zero.") % {"where": spec.where()}
            )
    children: dict[tuple[str, ...], list[NodeSpec]] = {}
    for path, spec in by_path.items():
        if spec.level > 1 and path[:-1] not in by_path:
            problems.append(
                _("%(where)s: orphan row — its parent “%(parent)s” is not in the system.")
                % {"where": spec.where(), "parent": SEP.join(path[:-1])}
            )
        children.setdefault(path[:-1], []).append(spec)
    for path, spec in by_path.items():
        kids = children.get(path, [])
        if spec.level < 3:
            if not kids:
                problems.append(
                    _("%(where)s: a level-%(level)s indicator needs indicators below it.")
                    % {"where": spec.where(), "level": spec.level}
                )
            elif sum((k.points for k in kids), Decimal(0)) != spec.points:
                problems.append(
                    _(
                        "%(where)s: its %(n)s sub-indicators add up to %(sum)s points, not %(points)s."
                    )
                    % {
                        "where": spec.where(),
                        "n": len(kids),
                        "sum": sum((k.points for k in kids), Decimal(0)),
                        "points": spec.points,
                    }
                )
            if spec.method:
                problems.append(
                    _("%(where)s: only level-3 indicators have a scoring method.")
                    % {"where": spec.where()}
                )
        else:
            if spec.method not in ScoringMethod.values:
                problems.append(
                    _("%(where)s: unknown scoring method “%(method)s” (use %(known)s).")
                    % {
                        "where": spec.where(),
                        "method": spec.method,
                        "known": ", ".join(ScoringMethod.values),
                    }
                )
            else:
                problems.extend(f"{spec.where()}: {problem}" for problem in check_params(spec))
    roots = children.get((), [])
    total = sum((r.points for r in roots), Decimal(0))
    if roots and total != ROOT_POINTS:
        problems.append(
            _("The level-1 indicators add up to %(sum)s points, not 100.") % {"sum": total}
        )
    return problems


# --- between specs and saved systems ----------------------------------------------------------


def specs_from_system(system: IndicatorSystem) -> list[NodeSpec]:
    nodes = list(system.indicators.order_by("position"))
    by_id = {n.pk: n for n in nodes}

    def path(node: Indicator) -> tuple[str, ...]:
        parts = [node.name]
        while node.parent_id is not None:
            node = by_id[node.parent_id]
            parts.append(node.name)
        return tuple(reversed(parts))

    return [
        NodeSpec(
            path=path(n),
            points=n.points,
            method=n.method,
            params=n.params,
            criteria=n.criteria,
            evidence=n.evidence,
        )
        for n in nodes
    ]


def save_specs(system: IndicatorSystem, specs: list[NodeSpec]) -> None:
    """Write a validated tree into a draft system, replacing what it had."""
    if system.is_frozen:
        raise ValidationError(_("A published indicator system cannot be changed."))
    system.indicators.all().delete()
    saved: dict[tuple[str, ...], Indicator] = {}
    # Parents before children, keeping the order within each level of the workbook.
    for spec in sorted(specs, key=lambda s: s.level):
        node = Indicator.objects.create(
            system=system,
            parent=saved.get(spec.path[:-1]),
            level=spec.level,
            position=0,
            name=spec.path[-1],
            points=spec.points,
            method=spec.method if spec.level == 3 else "",
            params=spec.params if spec.level == 3 else {},
            criteria=spec.criteria,
            evidence=spec.evidence,
        )
        saved[spec.path] = node
    # Depth-first positions so that ordering by position reads as the tree.
    order = {spec.path: i for i, spec in enumerate(specs)}
    ranked = sorted(saved, key=lambda p: tuple(order[p[: i + 1]] for i in range(len(p))))
    for position, path in enumerate(ranked):
        Indicator.objects.filter(pk=saved[path].pk).update(position=position)


# --- shipped templates ------------------------------------------------------------------------


def load_template(name: str) -> dict[str, Any]:
    """A data file in evaluation/data/ as a dict: code, name, description, rows."""
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def specs_from_rows(rows: list[dict[str, Any]]) -> list[NodeSpec]:
    specs = []
    for i, row in enumerate(rows, start=1):
        method = str(row.get("method", ""))
        params = row.get("params") or {}
        if isinstance(params, str):
            params = params_from_text(method, params)
        specs.append(
            NodeSpec(
                path=tuple(p.strip() for p in row["path"].split("/")),
                points=Decimal(str(row["points"])),
                method=method,
                params=params,
                criteria=row.get("criteria", ""),
                evidence=row.get("evidence", ""),
                row=i,
            )
        )
    return specs
