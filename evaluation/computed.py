"""Data-driven leaves: figures computed from Sanshe's own records as at the evaluation's cut-off.

A leaf is data-driven when its parameters name a measure (`measure=service_person_times`). When
scoring opens, each such leaf gets one `ComputedIndicator` (the value, the target and how both
were found) and every sheet starts from it; an assessor who departs from it writes why. Targets
of counts come from the contract (`ContractTarget`, 合同约定); without one the indicator system's
standard is used and the page says so. No source, no number: the leaf shows "no data".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import log_event
from core.permissions import refuse_unless
from evaluation import sources
from evaluation.models import (
    Evaluation,
    EvaluationState,
    Indicator,
    ScoreEntry,
    ScoringMethod,
    SheetState,
)
from evaluation.participation import survey_result
from evaluation.permissions import can_set_contract_targets
from evaluation.records import ComputedIndicator, ContractTarget, MeasureKey
from evaluation.scoring import score_leaf, to_decimal
from procurement.models import Contract


def leaf_measure(leaf: Indicator) -> str:
    """The measure a leaf is computed from, or "" for a leaf the assessors judge."""
    key = str((leaf.params or {}).get("measure", "")).strip()
    return key if key in MeasureKey.values else ""


def _target(leaf: Indicator, key: str, targets: dict[str, ContractTarget]) -> tuple[Any, str]:
    agreed = targets.get(key)
    if agreed is not None:
        clause = f"（{agreed.basis}）" if agreed.basis else ""
        return agreed.value, _("contract %(number)s%(clause)s") % {
            "number": agreed.contract.number,
            "clause": clause,
        }
    if leaf.method == ScoringMethod.THRESHOLD:
        return to_decimal(leaf.params.get("threshold", "0"), "threshold"), _(
            "standard of the indicator system"
        )
    if "target" not in leaf.params:
        return None, ""
    if key in sources.CONTRACT_TARGET_MEASURES:
        return to_decimal(leaf.params["target"], "target"), _(
            "indicator system default: the contract sets no target"
        )
    return to_decimal(leaf.params["target"], "target"), _("standard of the indicator system")


def _satisfaction(evaluation: Evaluation) -> sources.Measure | None:
    result = survey_result(evaluation=evaluation)
    if result is None or not result.answered:
        return None
    return sources.Measure(value=result.percent, how=result.how, source=_("satisfaction survey"))


def compute_leaf(
    evaluation: Evaluation, leaf: Indicator, targets: dict[str, ContractTarget]
) -> ComputedIndicator:
    key = leaf_measure(leaf)
    as_of = evaluation.as_of()
    found = (
        _satisfaction(evaluation)
        if key == MeasureKey.SATISFACTION
        else sources.measure(key, evaluation.contract, as_of)
    )
    target, target_source = _target(leaf, key, targets)
    if found is None:
        how = _("No data: no record in Sanshe gives this figure as at %(day)s.") % {"day": as_of}
    else:
        how = f"{found.how}（{found.source}）"
    return ComputedIndicator(
        evaluation=evaluation,
        indicator=leaf,
        measure=key,
        value=None if found is None else found.value,
        target=target,
        target_source=target_source,
        how=how,
    )


def preview(evaluation: Evaluation) -> list[ComputedIndicator]:
    """The figures as they would be computed now (unsaved), for the pages before scoring."""
    targets = contract_targets(contract=evaluation.contract)
    return [
        compute_leaf(evaluation, leaf, targets)
        for leaf in Indicator.objects.filter(system_id=evaluation.system_id, level=3).order_by(
            "position"
        )
        if leaf_measure(leaf)
    ]


def _score(leaf: Indicator, inputs: dict[str, str]) -> Decimal | None:
    if not inputs:
        return None
    try:
        return score_leaf(method=leaf.method, points=leaf.points, params=leaf.params, inputs=inputs)
    except ValidationError:
        return None


def freeze_and_prefill(evaluation: Evaluation) -> list[ComputedIndicator]:
    """When scoring opens: keep the figures and start every sheet's data-driven leaves from them."""
    rows = preview(evaluation)
    ComputedIndicator.objects.bulk_create(rows)
    by_leaf = {row.indicator_id: row for row in rows}
    entries = list(
        ScoreEntry.objects.filter(
            sheet__evaluation=evaluation, indicator_id__in=list(by_leaf)
        ).select_related("indicator")
    )
    for entry in entries:
        computed = by_leaf[entry.indicator_id]
        entry.inputs = computed.inputs(entry.indicator.method)
        entry.score = _score(entry.indicator, entry.inputs)
    ScoreEntry.objects.bulk_update(entries, ["inputs", "score"])
    return rows


def refresh_satisfaction(*, evaluation: Evaluation) -> None:
    """New survey answers during scoring: update the figure, and sheets still starting from it."""
    if evaluation.state != EvaluationState.SCORING:
        return
    for row in ComputedIndicator.objects.filter(
        evaluation=evaluation, measure=MeasureKey.SATISFACTION
    ).select_related("indicator"):
        leaf = row.indicator
        old = row.inputs(leaf.method)
        new = compute_leaf(evaluation, leaf, contract_targets(contract=evaluation.contract))
        ComputedIndicator.objects.filter(pk=row.pk).update(value=new.value, how=new.how)
        for entry in ScoreEntry.objects.filter(
            sheet__evaluation=evaluation, sheet__state=SheetState.DRAFT, indicator=leaf
        ):
            if entry.inputs in (old, {}) and not entry.adjust_reason:
                entry.inputs = new.inputs(leaf.method)
                entry.score = _score(leaf, entry.inputs)
                entry.save(update_fields=["inputs", "score"])


def computed_for(*, evaluation: Evaluation) -> dict[int, ComputedIndicator]:
    """The frozen figures by leaf id, or the live preview before scoring opens (one query)."""
    rows = list(evaluation.computed.order_by("indicator__position"))
    if not rows and evaluation.state == EvaluationState.COMMISSIONED:
        rows = preview(evaluation)
    return {row.indicator_id: row for row in rows}


def departs(leaf: Indicator, computed: ComputedIndicator | None, inputs: dict[str, Any]) -> bool:
    """The inputs differ from the computed figure (numbers compared as numbers)."""
    if computed is None or not computed.has_data:
        return False
    given = {k: v for k, v in inputs.items() if v not in (None, "")}
    if not given:
        return False
    expected = computed.inputs(leaf.method)
    return set(given) != set(expected) or not all(
        _same_number(given[k], v) for k, v in expected.items()
    )


def check_adjustment(
    leaf: Indicator, computed: ComputedIndicator | None, inputs: dict[str, Any], reason: str
) -> str | None:
    """The refusal when an assessor departs from a computed figure without saying why."""
    if computed is None or not departs(leaf, computed, inputs) or reason.strip():
        return None
    return _("%(leaf)s: Sanshe computed %(value)s from its records; say why you adjust it.") % {
        "leaf": leaf.name,
        "value": computed.value,
    }


def _same_number(a: Any, b: Any) -> bool:
    try:
        return to_decimal(a, "a") == to_decimal(b, "b")
    except ValidationError:
        return a == b


# --- contract targets -------------------------------------------------------------------------


def contract_targets(*, contract: Contract) -> dict[str, ContractTarget]:
    return {
        t.measure: t
        for t in ContractTarget.objects.filter(contract=contract).select_related("contract")
    }


@transaction.atomic
def contract_target_set(
    *, contract: Contract, actor: User, measure: str, value: Any, basis: str = ""
) -> ContractTarget:
    """The bureau records a quantity the contract commits the NGO to (new value replaces old)."""
    decision = can_set_contract_targets(actor, contract)
    refuse_unless(decision)
    if measure not in sources.CONTRACT_TARGET_MEASURES:
        raise ValidationError({"measure": _("Choose one of the counted indicators.")})
    number = to_decimal(value, _("target"))
    if number <= 0:
        raise ValidationError({"value": _("The target must be greater than zero.")})
    existing = (
        ContractTarget.objects.select_for_update()
        .filter(contract=contract, measure=measure)
        .first()
    )
    before = "" if existing is None else str(existing.value)
    target, _created = ContractTarget.objects.update_or_create(
        contract=contract,
        measure=measure,
        defaults={"value": number, "basis": basis.strip()[:200], "recorded_by": actor},
    )
    log_event(
        contract,
        "set_evaluation_target",
        actor=actor,
        note=f"{target.get_measure_display()}: {before or '—'} → {number} {basis.strip()}",
    )
    return target


def as_of_label(day: dt.date) -> str:
    return _("as at %(day)s") % {"day": day.isoformat()}
