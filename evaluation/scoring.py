"""Leaf scoring methods: turn an assessor's inputs into points, exactly, within the leaf's range."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluation.models import ScoringMethod

CENT = Decimal("0.01")


def to_decimal(value: Any, field: str) -> Decimal:
    """Parse a number from a form, JSON or a workbook cell; a clear error names the field."""
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("“%(field)s” must be a number.") % {"field": field}) from None
    if not number.is_finite():
        raise ValidationError(_("“%(field)s” must be a number.") % {"field": field})
    return number


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rubric_levels(params: dict[str, Any]) -> list[tuple[str, Decimal]]:
    return [(str(lv["label"]), Decimal(str(lv["points"]))) for lv in params.get("levels", [])]


def check_range(score: Decimal, points: Decimal) -> Decimal:
    """Refuse a score outside 0 … points (the leaf's range)."""
    if score < 0 or score > points:
        raise ValidationError(
            _("A score must lie between 0 and %(points)s points; %(score)s is outside.")
            % {"points": points, "score": score}
        )
    return score


def score_leaf(
    *, method: str, points: Decimal, params: dict[str, Any], inputs: dict[str, Any]
) -> Decimal:
    """The leaf's score from the method and the assessor's inputs (Decimal, to the hundredth)."""
    if method == ScoringMethod.RUBRIC:
        if inputs.get("score") not in (None, ""):
            # The assessor may give points between two levels; the range still holds.
            return check_range(quantize(to_decimal(inputs["score"], _("score"))), points)
        levels = dict(rubric_levels(params))
        label = str(inputs.get("level", ""))
        if label not in levels:
            raise ValidationError(_("Choose one of the rubric levels."))
        return check_range(levels[label], points)
    if method == ScoringMethod.RATIO:
        actual = to_decimal(inputs.get("actual", ""), _("actual"))
        target = to_decimal(inputs.get("target", params.get("target", "")), _("target"))
        if target <= 0:
            raise ValidationError(_("The target must be greater than zero."))
        if actual < 0:
            raise ValidationError(_("The actual value cannot be negative."))
        # Over-achievement earns no more than the leaf's points.
        return quantize(min(actual / target, Decimal(1)) * points)
    if method == ScoringMethod.THRESHOLD:
        actual = to_decimal(inputs.get("actual", ""), _("actual"))
        threshold = to_decimal(params.get("threshold", ""), _("threshold"))
        if params.get("direction", "at_least") == "at_most":
            return points if actual <= threshold else Decimal("0.00")
        return points if actual >= threshold else Decimal("0.00")
    if method == ScoringMethod.DEDUCTION:
        raw = to_decimal(inputs.get("count", ""), _("occurrences"))
        if raw < 0 or raw != raw.to_integral_value():
            raise ValidationError(_("The number of occurrences must be a whole number ≥ 0."))
        penalty = to_decimal(params.get("penalty", ""), _("penalty"))
        return quantize(max(points - penalty * raw, Decimal(0)))
    if method == ScoringMethod.BOOLEAN:
        met = inputs.get("met")
        if isinstance(met, str):
            met = met.strip().lower() in ("1", "true", "yes", "on", "是")
        return points if met else Decimal("0.00")
    raise ValidationError(_("Unknown scoring method “%(method)s”.") % {"method": method})
