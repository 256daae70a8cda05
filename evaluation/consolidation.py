"""Consolidating assessors' scores, vectorised: integer hundredths in, exact Decimals out.

Scores travel as int64 hundredths of a point so that means, trimmed means and totals are exact
(no float rounding at 59.995); only the agreement statistic is computed in floating point.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import krippendorff
import numpy as np
from numpy.typing import NDArray
from scipy.stats import trimboth

# With five or more assessors the highest and lowest fifth are dropped (1 of 5, 2 of 10).
TRIM_FROM_ASSESSORS = 5
TRIM_PROPORTION = 0.2

IntArray = NDArray[np.int64]


@dataclass
class Consolidated:
    """Per evaluation (axis 0) and leaf (axis 1), in hundredths of a point."""

    scores: IntArray
    spread: IntArray
    flagged: NDArray[np.bool_]
    totals: IntArray
    trimmed: bool
    alphas: list[Decimal | None]


def _round_div(numerator: IntArray, denominator: int) -> IntArray:
    # Half-up rounding of non-negative integers: floor((2n + d) / 2d).
    result: IntArray = (2 * numerator + denominator) // (2 * denominator)
    return result


def consolidate(
    scores: IntArray, points: IntArray, spread_threshold_pct: Decimal, *, agreement: bool = True
) -> Consolidated:
    """Consolidate `scores` shaped (evaluations, assessors, leaves) in hundredths.

    `points` is (leaves,) or (evaluations, leaves) in hundredths; a leaf is flagged when the
    assessors' spread (max - min) exceeds `spread_threshold_pct` per cent of its points.
    """
    if scores.ndim != 3:
        raise ValueError("scores must be (evaluations, assessors, leaves)")
    n_assessors = scores.shape[1]
    trimmed = n_assessors >= TRIM_FROM_ASSESSORS
    if trimmed:
        kept = trimboth(scores, TRIM_PROPORTION, axis=1)
        leaf = _round_div(kept.sum(axis=1), kept.shape[1])
    else:
        leaf = _round_div(scores.sum(axis=1), n_assessors)
    spread = scores.max(axis=1) - scores.min(axis=1)
    pct_hundredths = int((spread_threshold_pct * 100).to_integral_value())
    flagged = spread * 10_000 > np.broadcast_to(points, spread.shape) * pct_hundredths
    alphas = agreement_alphas(scores, points) if agreement else []
    return Consolidated(
        scores=leaf,
        spread=spread,
        flagged=flagged,
        totals=leaf.sum(axis=1),
        trimmed=trimmed,
        alphas=alphas,
    )


def agreement_alpha(sheet_scores: IntArray, points: IntArray) -> Decimal | None:
    """Krippendorff's alpha (interval) over the leaves, each scored as a share of its points.

    Shares put a 2-point and a 6-point leaf on one scale; alpha is undefined (None) when every
    assessor gave every leaf the same share.
    """
    leaf_points = points if points.ndim == 1 else points[0]
    shares = sheet_scores.astype(float) / np.where(leaf_points == 0, 1, leaf_points)
    if sheet_scores.shape[0] < 2 or np.ptp(shares) == 0:
        return None
    try:
        value = krippendorff.alpha(reliability_data=shares, level_of_measurement="interval")
    except (ValueError, ZeroDivisionError):
        return None
    if not np.isfinite(value):
        return None
    return Decimal(str(round(float(value), 4)))


def agreement_alphas(scores: IntArray, points: IntArray) -> list[Decimal | None]:
    """Krippendorff's alpha (interval) for many complete evaluations at once.

    With every assessor scoring every leaf, alpha's coincidence sums reduce to variances:
    D_o = mean over leaves of 2m/(m-1) x within-leaf variance, D_e = 2n/(n-1) x overall variance
    (n = m x leaves). This is the krippendorff package's value (tests compare the two) without
    its per-call (leaves x values x values) coincidence matrix, which dominates at 1,000
    evaluations; single evaluations in the app still call the package.
    """
    n_evals, m, n_leaves = scores.shape
    if m < 2 or n_leaves == 0:
        return [None] * n_evals
    leaf_points = np.broadcast_to(points, (n_evals, n_leaves)).astype(float)
    shares = scores.astype(float) / np.where(leaf_points == 0, 1, leaf_points)[:, None, :]
    within = ((shares - shares.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)  # (evals, leaves)
    n = m * n_leaves
    d_o = (2 * m / (m - 1)) * within.sum(axis=1) / n
    flat = shares.reshape(n_evals, -1)
    d_e = 2 * ((flat - flat.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) / (n - 1)
    out: list[Decimal | None] = []
    for observed, expected in zip(d_o, d_e, strict=True):
        if expected == 0:
            out.append(None)
        else:
            out.append(Decimal(str(round(float(1 - observed / expected), 4))))
    return out


def hundredths(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def from_hundredths(value: int | np.integer) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
