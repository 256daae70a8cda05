"""The NGO's self-evaluation (自评) and the service users' satisfaction survey.

Both feed the assessors: the self-evaluation is read beside the sheet and set against the
assessed score in the report; the survey's answers compute the 满意度 leaf, with the sample size
and the margin of error shown. One function per use case, each one transaction and logged.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event
from core.permissions import refuse_unless
from evaluation import sources
from evaluation.models import Evaluation, Indicator
from evaluation.permissions import can_draw_survey, can_record_survey_answer, can_self_evaluate
from evaluation.records import (
    SATISFIED_ANSWERS,
    ChangeKind,
    ChangeRecord,
    Satisfaction,
    SatisfactionSurvey,
    SelfEvaluation,
    SelfScore,
    SurveyHousehold,
    SurveyMode,
)
from evaluation.scoring import score_leaf

MAX_SAMPLE = 400  # a questionnaire round an assessor team can enter by hand


# --- self-evaluation --------------------------------------------------------------------------


@transaction.atomic
def self_evaluation_save(
    *,
    evaluation: Evaluation,
    actor: User,
    entries: Mapping[int, tuple[dict[str, Any], str]],
    summary: str = "",
    submit: bool = False,
) -> SelfEvaluation:
    """The NGO scores itself leaf by leaf (inputs, comment); submitting needs every leaf.

    Editable until the assessors start scoring; every version of every entry is kept."""
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    refuse_unless(can_self_evaluate(actor, locked))
    own, _created = SelfEvaluation.objects.get_or_create(evaluation=locked)
    leaves = {
        leaf.pk: leaf for leaf in Indicator.objects.filter(system_id=locked.system_id, level=3)
    }
    existing = {s.indicator_id: s for s in own.scores.all()}
    errors: list[str] = []
    changes = []
    for leaf_id, (inputs, comment) in entries.items():
        leaf = leaves.get(leaf_id)
        if leaf is None:
            continue
        given = {k: v for k, v in inputs.items() if v not in (None, "")}
        try:
            score = (
                score_leaf(method=leaf.method, points=leaf.points, params=leaf.params, inputs=given)
                if given
                else None
            )
        except ValidationError as exc:
            errors.append(f"{leaf.name}: {' '.join(exc.messages)}")
            continue
        row = existing.get(leaf_id) or SelfScore(self_evaluation=own, indicator=leaf)
        before = {"inputs": row.inputs, "score": None if row.score is None else str(row.score)}
        before["comment"] = row.comment
        row.inputs, row.score, row.comment = given, score, comment.strip()
        after = {"inputs": row.inputs, "score": None if score is None else str(score)}
        after["comment"] = row.comment
        if after != before or row.pk is None:
            changes.append((row, before, after))
    if errors:
        raise ValidationError(errors)
    for row, _b, _a in changes:
        row.save()
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            evaluation=locked,
            kind=ChangeKind.SELF_SCORE,
            indicator_id=row.indicator_id,
            before=before,
            after=after,
            actor=actor,
        )
        for row, before, after in changes
    )
    own.summary = summary.strip()
    if submit:
        scores = list(own.scores.all())
        missing = [
            leaf.name
            for pk, leaf in leaves.items()
            if not any(s.indicator_id == pk and s.score is not None for s in scores)
        ]
        if missing:
            raise ValidationError(
                _("Score every indicator before submitting; missing: %(names)s")
                % {"names": "、".join(missing)}
            )
        own.total = sum((s.score for s in scores if s.score is not None), Decimal("0.00"))
        own.submitted_by = actor
        own.submitted_at = timezone.now()
        log_event(
            locked,
            "self_evaluate",
            actor=actor,
            note=_("Self-assessed total %(t)s") % {"t": own.total},
        )
    own.save()
    return own


def self_scores(*, evaluation: Evaluation) -> dict[int, SelfScore]:
    own = SelfEvaluation.objects.filter(evaluation=evaluation).first()
    if own is None:
        return {}
    return {s.indicator_id: s for s in own.scores.all()}


# --- satisfaction survey ----------------------------------------------------------------------


@transaction.atomic
def survey_draw(*, evaluation: Evaluation, actor: User, size: int) -> SatisfactionSurvey:
    """The lead draws a simple random sample of served households (once; the seed is kept)."""
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    refuse_unless(can_draw_survey(actor, locked))
    if SatisfactionSurvey.objects.filter(evaluation=locked).exists():
        raise ActionRefusedError(_("The sample has already been drawn; it cannot be redrawn."))
    households = sources.population(locked.contract, locked.as_of())
    if not households:
        raise ValidationError(
            {"size": _("The case-file register holds no served household for this contract.")}
        )
    if not 1 <= size <= min(len(households), MAX_SAMPLE):
        raise ValidationError(
            {
                "size": _("The sample size must lie between 1 and %(max)s.")
                % {"max": min(len(households), MAX_SAMPLE)}
            }
        )
    seed = secrets.token_hex(8)
    # The seed comes from `secrets` and is kept, so the draw is unpredictable beforehand and can
    # be re-run by anyone checking it afterwards; random.Random is the reproducible part.
    picked = sorted(random.Random(seed).sample(range(len(households)), size))  # noqa: S311
    survey = SatisfactionSurvey.objects.create(
        evaluation=locked, population=len(households), seed=seed, drawn_by=actor
    )
    SurveyHousehold.objects.bulk_create(
        SurveyHousehold(
            survey=survey,
            position=n,
            reference=households[i].reference,
            village=households[i].village,
        )
        for n, i in enumerate(picked, start=1)
    )
    log_event(
        locked,
        "survey_draw",
        actor=actor,
        note=_("%(n)s of %(total)s households drawn") % {"n": size, "total": len(households)},
    )
    return survey


@transaction.atomic
def survey_answer(
    *,
    household: SurveyHousehold,
    actor: User,
    mode: str,
    reached: bool,
    overall: str = "",
    would_recommend: bool | None = None,
    improvement: str = "",
) -> SurveyHousehold:
    """An assessor enters one questionnaire (paper, phone or visit) as the household answered."""
    locked = (
        SurveyHousehold.objects.select_for_update().select_related("survey").get(pk=household.pk)
    )
    evaluation = Evaluation.objects.get(pk=locked.survey.evaluation_id)
    refuse_unless(can_record_survey_answer(actor, evaluation))
    errors: dict[str, str] = {}
    if mode not in SurveyMode.values:
        errors["mode"] = _("Say how the household was asked.")
    if reached and overall not in Satisfaction.values:
        errors["overall"] = _("Household %(n)s: choose the overall satisfaction.") % {
            "n": locked.position
        }
    if errors:
        raise ValidationError(errors)
    previous = locked.overall or "—"
    locked.mode = mode
    locked.reached = reached
    locked.overall = overall if reached else ""
    locked.would_recommend = would_recommend if reached else None
    locked.improvement = improvement.strip()[:300] if reached else ""
    locked.entered_by = actor
    locked.entered_at = timezone.now()
    locked.save()
    log_event(
        evaluation,
        "survey_answer",
        actor=actor,
        note=f"#{locked.position} {previous} → {locked.overall or _('not reached')}",
    )
    from evaluation.computed import refresh_satisfaction  # late: computed reads these surveys

    refresh_satisfaction(evaluation=evaluation)
    return locked


@dataclass(frozen=True)
class SurveyResult:
    population: int
    sample: int
    answered: int
    satisfied: int
    percent: Decimal
    margin: Decimal  # half-width of the 95 % interval, percentage points
    how: str


def survey_result(*, evaluation: Evaluation) -> SurveyResult | None:
    """满意度 from the answers: satisfied ÷ answered, with a 95 % margin (finite population)."""
    survey = SatisfactionSurvey.objects.filter(evaluation=evaluation).first()
    if survey is None:
        return None
    rows = list(survey.households.values_list("reached", "overall"))
    answered = [o for r, o in rows if r]
    satisfied = sum(1 for o in answered if o in SATISFIED_ANSWERS)
    n, big_n = len(answered), survey.population
    if not n:
        return SurveyResult(big_n, len(rows), 0, 0, Decimal("0.00"), Decimal("0.0"), "")
    p = satisfied / n
    # Normal approximation with the finite population correction; a statistic, not money.
    fpc = math.sqrt((big_n - n) / (big_n - 1)) if big_n > 1 else 0.0
    margin = 1.96 * math.sqrt(p * (1 - p) / n) * fpc * 100
    percent = (Decimal(100) * satisfied / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
    margin_d = Decimal(str(round(margin, 1)))
    how = _(
        "%(satisfied)s of %(n)s households answering (sample of %(sample)s drawn at random from "
        "%(population)s served) were satisfied or very satisfied; ±%(margin)s points at 95%%"
    ) % {
        "satisfied": satisfied,
        "n": n,
        "sample": len(rows),
        "population": big_n,
        "margin": margin_d,
    }
    return SurveyResult(big_n, len(rows), n, satisfied, percent, margin_d, how)
