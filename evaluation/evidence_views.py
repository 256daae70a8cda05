"""Pages around the sheet: evidence, contract targets, self-evaluation, survey, change history,
organisation ties. Thin like views.py (which is long enough): parse, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization, OrgKind
from core.fsm import ActionRefusedError
from evaluation import acceptance, computed, participation, selectors, sources, ties
from evaluation.models import EvaluationState, Indicator, ScoringMethod
from evaluation.permissions import (
    can_draw_survey,
    can_record_acceptance_opinion,
    can_record_survey_answer,
    can_record_ties,
    can_self_evaluate,
    can_set_contract_targets,
    can_view_changes,
    can_view_evidence,
    can_view_self_evaluation,
    can_view_survey,
    can_view_ties,
)
from evaluation.records import (
    AcceptanceOpinion,
    OrganizationTie,
    Satisfaction,
    SatisfactionSurvey,
    SelfEvaluation,
    SurveyMode,
    TieKind,
)
from evaluation.scoring import rubric_levels
from funds.models import Milestone


def _flash(request: AuthenticatedHttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


@login_required
def evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the assessors score from: targets, computed figures, deliverables, records, counts."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    can_view_evidence(request.user, evaluation).require()
    can_set = can_set_contract_targets(request.user, evaluation.contract)
    if request.method == "POST":
        can_set.require()
        try:
            computed.contract_target_set(
                contract=evaluation.contract,
                actor=request.user,
                measure=request.POST.get("measure", ""),
                value=request.POST.get("value", ""),
                basis=request.POST.get("basis", ""),
            )
            messages.success(request, _("Contract target recorded."))
            return redirect("evaluation:evidence", pk=pk)
        except (ValidationError, ActionRefusedError) as exc:
            _flash(request, exc)
    as_of = evaluation.as_of()
    figures = computed.computed_for(evaluation=evaluation)
    leaves = {i.pk: i for i in Indicator.objects.filter(pk__in=list(figures))}
    return render(
        request,
        "evaluation/evidence.html",
        {
            "evaluation": evaluation,
            "as_of": as_of,
            "targets": computed.contract_targets(contract=evaluation.contract).values(),
            "figures": [(leaves[k], v) for k, v in figures.items()],
            "frozen": evaluation.state != EvaluationState.COMMISSIONED,
            "sections": sources.evidence(evaluation, as_of),
            "self_evaluation": SelfEvaluation.objects.filter(
                evaluation=evaluation, submitted_at__isnull=False
            ).first()
            if can_view_self_evaluation(request.user, evaluation)
            else None,
            "can_set_targets": can_set,
            "target_measures": [(k, sources.MEASURES[k]) for k in sources.CONTRACT_TARGET_MEASURES],
        },
    )


def _inputs(request: AuthenticatedHttpRequest, leaf: Indicator) -> dict[str, Any]:
    def get(name: str) -> str:
        return request.POST.get(f"leaf-{leaf.pk}-{name}", "").strip()

    if leaf.method == ScoringMethod.RUBRIC:
        return {"level": get("level"), "score": get("score")}
    if leaf.method == ScoringMethod.RATIO:
        return {"actual": get("actual"), "target": get("target")}
    if leaf.method == ScoringMethod.THRESHOLD:
        return {"actual": get("actual")}
    if leaf.method == ScoringMethod.DEDUCTION:
        return {"count": get("count")}
    return {"met": get("met")}


@login_required
def self_evaluation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """自评: the NGO fills it in before scoring; everyone on the evaluation reads it after."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    can_view_self_evaluation(request.user, evaluation).require()
    editable = can_self_evaluate(request.user, evaluation)
    leaves = list(
        Indicator.objects.filter(system_id=evaluation.system_id, level=3).order_by("position")
    )
    own = SelfEvaluation.objects.filter(evaluation=evaluation).first()
    if request.method == "POST":
        editable.require()
        try:
            participation.self_evaluation_save(
                evaluation=evaluation,
                actor=request.user,
                entries={
                    leaf.pk: (
                        _inputs(request, leaf),
                        request.POST.get(f"leaf-{leaf.pk}-comment", ""),
                    )
                    for leaf in leaves
                },
                summary=request.POST.get("summary", ""),
                submit="submit" in request.POST,
            )
            messages.success(
                request,
                _("Self-evaluation submitted.") if "submit" in request.POST else _("Draft saved."),
            )
            return redirect("evaluation:self_evaluation", pk=pk)
        except (ValidationError, ActionRefusedError) as exc:
            _flash(request, exc)
    is_ngo = request.user.organization_id == evaluation.contract.supplier_id
    if own is not None and not own.is_submitted and not is_ngo:
        own = None  # a draft stays with the NGO
    scores = participation.self_scores(evaluation=evaluation) if own is not None else {}
    return render(
        request,
        "evaluation/self_evaluation.html",
        {
            "evaluation": evaluation,
            "own": own,
            "editable": editable,
            "rows": [
                {
                    "leaf": leaf,
                    "score": scores.get(leaf.pk),
                    "levels": rubric_levels(leaf.params)
                    if leaf.method == ScoringMethod.RUBRIC
                    else [],
                }
                for leaf in leaves
            ],
        },
    )


@login_required
def survey(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The satisfaction survey: the lead draws the sample, assessors enter the answers."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    can_view_survey(request.user, evaluation).require()
    found = SatisfactionSurvey.objects.filter(evaluation=evaluation).first()
    if request.method == "POST":
        try:
            if "draw" in request.POST:
                can_draw_survey(request.user, evaluation).require()
                raw = request.POST.get("size", "")
                if not raw.isdigit():
                    raise ValidationError(_("The sample size must be a whole number."))
                participation.survey_draw(evaluation=evaluation, actor=request.user, size=int(raw))
                messages.success(request, _("The sample is drawn."))
            else:
                can_record_survey_answer(request.user, evaluation).require()
                if found is None:
                    raise ValidationError(_("Draw the sample first."))
                household = get_object_or_404(
                    found.households, pk=request.POST.get("household") or 0
                )
                participation.survey_answer(
                    household=household,
                    actor=request.user,
                    mode=request.POST.get("mode", ""),
                    reached=request.POST.get("reached") == "yes",
                    overall=request.POST.get("overall", ""),
                    would_recommend={"yes": True, "no": False}.get(
                        request.POST.get("recommend", "")
                    ),
                    improvement=request.POST.get("improvement", ""),
                )
                messages.success(request, pgettext("survey", "Answer recorded."))
            return redirect("evaluation:survey", pk=pk)
        except (ValidationError, ActionRefusedError) as exc:
            _flash(request, exc)
    return render(
        request,
        "evaluation/survey.html",
        {
            "evaluation": evaluation,
            "survey": found,
            "households": list(found.households.all()) if found else [],
            "result": participation.survey_result(evaluation=evaluation),
            "can_draw": can_draw_survey(request.user, evaluation) and found is None,
            "can_answer": can_record_survey_answer(request.user, evaluation),
            "modes": SurveyMode.choices,
            "answers": Satisfaction.choices,
        },
    )


@login_required
def changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every version of every entry, note and override with who and why."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    can_view_changes(request.user, evaluation).require()
    return render(
        request,
        "evaluation/changes.html",
        {
            "evaluation": evaluation,
            "changes": selectors.change_history(evaluation=evaluation, user=request.user),
        },
    )


@login_required
def organization_ties(request: AuthenticatedHttpRequest, org_pk: int) -> HttpResponse:
    """An assessor organisation's declared ties (its independence profile)."""
    organization = get_object_or_404(Organization, pk=org_pk, kind=OrgKind.ASSESSOR)
    can_view_ties(request.user, organization).require()
    can_record = can_record_ties(request.user, organization)
    if request.method == "POST":
        can_record.require()
        try:
            other = Organization.objects.filter(
                pk=request.POST.get("other") or 0, kind=OrgKind.NGO
            ).first()
            if other is None:
                raise ValidationError(_("Choose the tied organisation."))
            raw_date = request.POST.get("last_date", "").strip()
            try:
                last = dt.date.fromisoformat(raw_date) if raw_date else None
            except ValueError:
                raise ValidationError(_("The date must be YYYY-MM-DD.")) from None
            ties.tie_record(
                actor=request.user,
                organization=organization,
                other=other,
                kind=request.POST.get("kind", ""),
                detail=request.POST.get("detail", ""),
                last_date=last,
            )
            messages.success(request, _("Tie recorded."))
            return redirect("evaluation:ties", org_pk=org_pk)
        except (ValidationError, ActionRefusedError) as exc:
            _flash(request, exc)
    return render(
        request,
        "evaluation/ties.html",
        {
            "organization": organization,
            "ties": OrganizationTie.objects.filter(organization=organization).select_related(
                "other", "recorded_by"
            ),
            "can_record": can_record,
            "kinds": TieKind.choices,
            "ngos": Organization.objects.filter(kind=OrgKind.NGO).order_by("name")
            if can_record
            else [],
        },
    )


@login_required
def acceptance_opinion(request: AuthenticatedHttpRequest, milestone_pk: int) -> HttpResponse:
    """The bureau records the service users' opinion at acceptance (published at once)."""
    milestone = get_object_or_404(
        Milestone.objects.select_related("contract__project", "contract__supplier"),
        pk=milestone_pk,
    )
    decision = can_record_acceptance_opinion(request.user, milestone)
    existing = AcceptanceOpinion.objects.filter(milestone=milestone).first()
    if not decision and existing is None:
        raise Http404
    if request.method == "POST":
        decision.require()
        try:
            acceptance.acceptance_opinion_record(
                milestone=milestone,
                actor=request.user,
                consulted=_whole(request.POST.get("consulted", ""), _("Service users consulted")),
                satisfied=_whole(request.POST.get("satisfied", ""), _("Of whom satisfied")),
                how=request.POST.get("how", ""),
                summary=request.POST.get("summary", ""),
            )
            messages.success(request, _("The service users' opinion is recorded and published."))
            return redirect("evaluation:acceptance_opinion", milestone_pk=milestone_pk)
        except (ValidationError, ActionRefusedError) as exc:
            _flash(request, exc)
    return render(
        request,
        "evaluation/acceptance_opinion.html",
        {"milestone": milestone, "opinion": existing, "can_record": decision and not existing},
    )


def _whole(raw: str, field: str) -> int:
    if not raw.strip().isdigit():
        raise ValidationError(_("“%(field)s” must be a whole number.") % {"field": field})
    return int(raw.strip())


def acceptance_public(request: HttpRequest) -> HttpResponse:
    """履约验收结果公示: the service users' opinion at each acceptance, for everyone."""
    page = Paginator(acceptance.published_opinions(), 20).get_page(request.GET.get("page"))
    return render(request, "evaluation/acceptance_public.html", {"page": page})
