"""Each scoring method at its boundaries; out-of-range scores are refused."""

from decimal import Decimal as Dec

import pytest
from django.core.exceptions import ValidationError

from evaluation.scoring import score_leaf

RUBRIC = {
    "levels": [
        {"label": "优", "points": "5"},
        {"label": "良", "points": "4"},
        {"label": "差", "points": "0"},
    ]
}


def score(method, points, params, **inputs):
    return score_leaf(method=method, points=Dec(points), params=params, inputs=inputs)


def test_rubric_levels_and_direct_scores():
    assert score("rubric", 5, RUBRIC, level="优") == Dec(5)
    assert score("rubric", 5, RUBRIC, level="差") == Dec(0)
    assert score("rubric", 5, RUBRIC, score="4.5") == Dec("4.50")
    assert score("rubric", 5, RUBRIC, score="0") == Dec(0)
    assert score("rubric", 5, RUBRIC, score="5") == Dec(5)
    with pytest.raises(ValidationError):
        score("rubric", 5, RUBRIC, score="5.01")
    with pytest.raises(ValidationError):
        score("rubric", 5, RUBRIC, score="-0.01")
    with pytest.raises(ValidationError):
        score("rubric", 5, RUBRIC, level="中")


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        ("0", "40", "0.00"),
        ("39", "40", "3.90"),
        ("40", "40", "4.00"),
        ("41", "40", "4.00"),
        ("1", "3", "1.33"),
        ("2", "3", "2.67"),
    ],
)
def test_ratio_is_capped_at_the_points(actual, target, expected):
    assert score("ratio", 4, {"target": "40"}, actual=actual, target=target) == Dec(expected)


def test_ratio_refuses_bad_inputs():
    with pytest.raises(ValidationError):
        score("ratio", 4, {}, actual="10", target="0")
    with pytest.raises(ValidationError):
        score("ratio", 4, {}, actual="-1", target="10")
    with pytest.raises(ValidationError):
        score("ratio", 4, {}, actual="十", target="10")


def test_ratio_uses_the_leaf_target_when_none_is_given():
    assert score("ratio", 4, {"target": "40"}, actual="20") == Dec("2.00")


@pytest.mark.parametrize(("actual", "expected"), [("94.99", "0.00"), ("95", "3"), ("100", "3")])
def test_threshold_at_least(actual, expected):
    assert score("threshold", 3, {"threshold": "95"}, actual=actual) == Dec(expected)


@pytest.mark.parametrize(("actual", "expected"), [("5", "2"), ("5.01", "0.00")])
def test_threshold_at_most(actual, expected):
    assert score("threshold", 2, {"threshold": "5", "direction": "at_most"}, actual=actual) == Dec(
        expected
    )


@pytest.mark.parametrize(
    ("count", "expected"), [("0", "6"), ("1", "5"), ("5", "1"), ("6", "0"), ("9", "0")]
)
def test_deduction_is_floored_at_zero(count, expected):
    assert score("deduction", 6, {"penalty": "1"}, count=count) == Dec(expected)


def test_deduction_with_half_points_and_bad_counts():
    assert score("deduction", 2, {"penalty": "0.5"}, count="3") == Dec("0.50")
    with pytest.raises(ValidationError):
        score("deduction", 2, {"penalty": "0.5"}, count="1.5")
    with pytest.raises(ValidationError):
        score("deduction", 2, {"penalty": "0.5"}, count="-1")


@pytest.mark.parametrize(
    ("met", "expected"), [(True, "2"), (False, "0"), ("yes", "2"), ("no", "0"), ("是", "2")]
)
def test_boolean(met, expected):
    assert score("boolean", 2, {}, met=met) == Dec(expected)
