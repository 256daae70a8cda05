"""Evaluation pages: thin views that read through selectors and write through services.

Size: one thin view per evaluation page (about thirty), each a few lines over a selector or a
service.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.actions import act_and_redirect, post_action
from core.files import protected_file_response
from core.fsm import ActionRefusedError, check_transition
from evaluation import analysis as analysis_mod
from evaluation import selectors, services
from evaluation.computed import computed_for
from evaluation.consolidation import from_hundredths
from evaluation.forms import (
    AssignForm,
    CommissionForm,
    DeclareForm,
    ReasonForm,
    SystemImportForm,
    WorkbookForm,
    check_evidence,
)
from evaluation.indicators import load_template, specs_from_system, validate_tree
from evaluation.models import (
    AssignmentState,
    Evaluation,
    EvaluationState,
    IndicatorSystem,
    ScoreEntry,
    ScoreSheet,
    ScoringMethod,
)
from evaluation.permissions import (
    can_assign_assessors,
    can_commission_evaluation,
    can_consolidate_evaluation,
    can_create_system,
    can_edit_sheet,
    can_edit_system,
    can_see_materials,
    can_self_evaluate,
    can_version_system,
    can_view_analysis,
    can_view_changes,
    can_view_comparison,
    can_view_result,
    can_view_self_evaluation,
    can_view_sheet,
    can_view_survey,
    is_lead,
)
from evaluation.report import render_report
from evaluation.resources import export_rows, export_system
from evaluation.scoring import rubric_levels
from projects.selectors import project_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- indicator systems ------------------------------------------------------------------------


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluation/system_list.html",
        {
            "systems": selectors.system_list(user=request.user),
            "can_import": can_create_system(request.user),
        },
    )


@login_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = selectors.system_get(user=request.user, pk=pk)
    can_edit = can_edit_system(request.user, system)
    return render(
        request,
        "evaluation/system_detail.html",
        {
            "system": system,
            "nodes": selectors.system_tree(system=system),
            "problems": validate_tree(specs_from_system(system)) if can_edit else [],
            "can_edit": can_edit,
            "can_publish": check_transition(system, "publish", request.user),
            "can_version": can_version_system(request.user, system),
            "workbook_form": WorkbookForm(),
        },
    )


@login_required
def system_export(request: HttpRequest, pk: int) -> HttpResponse:
    system = selectors.system_get(user=request.user, pk=pk)
    content = export_system(system.indicators.all())
    return _xlsx(content, f"{system.code}-v{system.version}.xlsx")


@login_required
def frame_download(request: HttpRequest) -> HttpResponse:
    """The default 一级/二级 frame as a workbook to fill in with 三级 indicators."""
    return _xlsx(export_rows(load_template("default_frame")["rows"]), "default-frame.xlsx")


@login_required
def system_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_create_system(request.user).require()
    form = SystemImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            system = services.system_import(
                actor=request.user,
                content=data["workbook"].read(),
                name=data["name"],
                code=data["code"],
                description=data["description"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                problems = exc.messages
        except ActionRefusedError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Imported as a draft; check it and publish it."))
            return redirect(system)
    return render(request, "evaluation/system_import.html", {"form": form, "problems": problems})


@login_required
@require_POST
def system_replace(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    system = selectors.system_get(user=request.user, pk=pk)
    can_edit_system(request.user, system).require()
    form = WorkbookForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a workbook to upload."))
        return redirect(system)
    return act_and_redirect(
        request,
        system,
        lambda: services.system_replace(
            system=system, actor=request.user, content=form.cleaned_data["workbook"].read()
        ),
        _("The indicators were replaced from the workbook."),
    )


def _system(request: AuthenticatedHttpRequest, pk: int) -> IndicatorSystem:
    return selectors.system_get(user=request.user, pk=pk)


system_publish = post_action(
    _system,
    lambda request, system: services.system_publish(system=system, actor=request.user),
    gettext_lazy("Published; this version is now frozen."),
)


@login_required
@require_POST
def system_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    system = selectors.system_get(user=request.user, pk=pk)
    try:
        new = services.system_new_version(system=system, actor=request.user)
    except ActionRefusedError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("A new draft version was created."))
    return redirect(new)


# --- evaluations ------------------------------------------------------------------------------


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.evaluation_list(user=request.user, state=request.GET.get("state", ""))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/evaluation_list.html",
        {"page": page, "states": EvaluationState.choices},
    )


@login_required
def evaluation_commission(request: AuthenticatedHttpRequest, project_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=project_pk)
    can_commission_evaluation(request.user, project).require()
    form = CommissionForm(request.POST or None, project=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.evaluation_commission(
                project=project,
                actor=request.user,
                contract=data["contract"],
                milestone=data["milestone"],
                assessor_org=data["assessor_org"],
                lead=data["lead"],
                system=data["system"],
                kind=data["kind"],
                due_date=data["due_date"],
                min_assessors=data["min_assessors"],
                cutoff_date=data["cutoff_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ActionRefusedError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The evaluation was commissioned."))
            return redirect(evaluation)
    return render(request, "evaluation/commission.html", {"form": form, "project": project})


@login_required
def evaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    user = request.user
    assignments = selectors.evaluation_assignments(evaluation=evaluation)
    mine = next((a for a in assignments if a.assessor_id == user.pk), None)
    materials = can_see_materials(user, evaluation)
    result_allowed = can_view_result(user, evaluation)
    result = evaluation.current_result() if result_allowed else None
    sheet = selectors.sheet_for(evaluation=evaluation, user=user)
    appeal = getattr(evaluation, "appeal_record", None)
    return render(
        request,
        "evaluation/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "assignments": assignments,
            "mine": mine,
            "declare_form": DeclareForm()
            if mine and mine.state == AssignmentState.PENDING
            else None,
            "materials": materials,
            "is_lead": is_lead(user, evaluation),
            "assign_form": AssignForm(evaluation=evaluation)
            if can_assign_assessors(user, evaluation)
            else None,
            "can_start": check_transition(evaluation, "start_scoring", user),
            "progress": selectors.sheet_progress(evaluation=evaluation) if materials else [],
            "sheet": sheet,
            "can_compare": can_view_comparison(user, evaluation),
            "can_consolidate": can_consolidate_evaluation(user, evaluation),
            "can_confirm": check_transition(evaluation, "confirm", user),
            "can_return": check_transition(evaluation, "return_for_review", user),
            "can_appeal": check_transition(evaluation, "appeal", user),
            "can_publish": check_transition(evaluation, "publish", user),
            "result": result,
            "rows": selectors.result_rows(result=result) if result else [],
            "history": selectors.result_history(evaluation=evaluation) if result else [],
            "appeal": appeal,
            "reason_form": ReasonForm(),
            "can_self_evaluate": can_self_evaluate(user, evaluation),
            "self_evaluation_visible": can_view_self_evaluation(user, evaluation),
            "survey_visible": can_view_survey(user, evaluation) and user.role != "ngo",
            "changes_visible": can_view_changes(user, evaluation),
        },
    )


def _get_for_action(request: AuthenticatedHttpRequest, pk: int) -> Evaluation:
    return selectors.evaluation_get(user=request.user, pk=pk)


@login_required
@require_POST
def evaluation_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = _get_for_action(request, pk)
    can_assign_assessors(request.user, evaluation).require()
    form = AssignForm(request.POST, evaluation=evaluation)
    if not form.is_valid():
        messages.error(request, _("Choose at least one assessor of the organisation."))
        return redirect(evaluation)
    return act_and_redirect(
        request,
        evaluation,
        lambda: services.assessors_assign(
            evaluation=evaluation, actor=request.user, assessors=form.cleaned_data["assessors"]
        ),
        _("Assessors assigned; each must now declare conflicts."),
    )


@login_required
@require_POST
def evaluation_declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = _get_for_action(request, pk)
    assignment = evaluation.assignments.filter(assessor=request.user).first()
    if assignment is None:
        raise PermissionDenied(_("You are not an assessor of this evaluation."))
    form = DeclareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer the conflict-of-interest question."))
        return redirect(evaluation)
    # Withdrawing (回避) ends the assessor's part: the list, not the evaluation, comes next.
    withdraws = bool(form.cleaned_data["conflict"] or form.cleaned_data["ties"])
    return act_and_redirect(
        request,
        evaluation,
        lambda: services.assessor_declare(
            assignment=assignment,
            actor=request.user,
            conflict=form.cleaned_data["conflict"],
            statement=form.cleaned_data["statement"],
            ties=form.cleaned_data["ties"],
        ),
        _("You have withdrawn from this evaluation (回避).")
        if withdraws
        else _("Declaration recorded."),
        success_target="evaluation:list" if withdraws else None,
    )


evaluation_start = post_action(
    _get_for_action,
    lambda request, evaluation: services.evaluation_start_scoring(
        evaluation=evaluation, actor=request.user
    ),
    gettext_lazy("Scoring has started."),
)

evaluation_confirm = post_action(
    _get_for_action,
    lambda request, evaluation: services.evaluation_confirm(
        evaluation=evaluation, actor=request.user, note=request.POST.get("note", "")
    ),
    gettext_lazy("The result is confirmed."),
)

evaluation_return = post_action(
    _get_for_action,
    lambda request, evaluation: services.evaluation_return(
        evaluation=evaluation, actor=request.user, note=request.POST.get("reason", "")
    ),
    gettext_lazy("The result went back to the lead."),
)

evaluation_appeal = post_action(
    _get_for_action,
    lambda request, evaluation: services.evaluation_appeal(
        evaluation=evaluation,
        actor=request.user,
        reason=request.POST.get("reason", ""),
        disputed=[int(v) for v in request.POST.getlist("disputed") if v.isdigit()],
    ),
    gettext_lazy("Your appeal was filed."),
)

evaluation_publish = post_action(
    _get_for_action,
    lambda request, evaluation: services.evaluation_publish(
        evaluation=evaluation, actor=request.user
    ),
    gettext_lazy("The result is published."),
)


# --- score sheets -----------------------------------------------------------------------------


def _entry_inputs(request: HttpRequest, leaf_id: int, method: str) -> dict[str, Any]:
    def get(name: str) -> str:
        return request.POST.get(f"leaf-{leaf_id}-{name}", "").strip()

    if method == ScoringMethod.RUBRIC:
        return {"level": get("level"), "score": get("score")}
    if method == ScoringMethod.RATIO:
        return {"actual": get("actual"), "target": get("target")}
    if method == ScoringMethod.THRESHOLD:
        return {"actual": get("actual")}
    if method == ScoringMethod.DEDUCTION:
        return {"count": get("count")}
    return {"met": get("met") if get("met") else ""}


@login_required
def sheet_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The assessor's own sheet: fill in, save a draft, submit."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    sheet = selectors.sheet_for(evaluation=evaluation, user=request.user)
    if sheet is None:
        raise PermissionDenied(_("You have no score sheet in this evaluation."))
    editable = can_edit_sheet(request.user, sheet)
    if request.method == "POST":
        editable.require()
        entries: dict[int, services.EntryInput] = {}
        errors: list[str] = []
        for entry in sheet.entries.all():
            upload = request.FILES.get(f"leaf-{entry.indicator_id}-evidence")
            if upload is not None:
                try:
                    check_evidence(upload)
                except ValidationError as exc:
                    errors.extend(f"{entry.indicator.name}: {m}" for m in exc.messages)
                    continue
            entries[entry.indicator_id] = services.EntryInput(
                inputs=_entry_inputs(request, entry.indicator_id, entry.indicator.method),
                comment=request.POST.get(f"leaf-{entry.indicator_id}-comment", "").strip(),
                evidence=upload,
                adjust_reason=request.POST.get(f"leaf-{entry.indicator_id}-adjust_reason", ""),
            )
        try:
            if errors:
                raise ValidationError(errors)
            services.sheet_save(sheet=sheet, actor=request.user, entries=entries)
            if "submit" in request.POST:
                services.sheet_submit(sheet=sheet, actor=request.user)
                messages.success(request, _("Your score sheet is submitted."))
                return redirect(evaluation)
            messages.success(request, _("Draft saved."))
            return redirect("evaluation:sheet", pk=evaluation.pk)
        except ValidationError as exc:
            _errors(request, exc)
        except ActionRefusedError as exc:
            messages.error(request, str(exc))
        sheet = selectors.sheet_for(evaluation=evaluation, user=request.user) or sheet
    ordered = sorted(sheet.entries.all(), key=lambda e: e.indicator.position)
    figures = computed_for(evaluation=evaluation)
    return render(
        request,
        "evaluation/sheet_edit.html",
        {
            "evaluation": evaluation,
            "sheet": sheet,
            "rows": [
                {
                    "entry": e,
                    "leaf": e.indicator,
                    "figure": figures.get(e.indicator_id),
                    "levels": rubric_levels(e.indicator.params)
                    if e.indicator.method == ScoringMethod.RUBRIC
                    else [],
                    "post": request.POST if request.method == "POST" else None,
                }
                for e in ordered
            ],
            "editable": editable,
        },
    )


@login_required
def sheet_view(request: AuthenticatedHttpRequest, pk: int, sheet_pk: int) -> HttpResponse:
    """Another assessor's sheet, once every sheet is in."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    sheet = (
        selectors.sheets_visible(user=request.user, evaluation=evaluation)
        .filter(pk=sheet_pk)
        .first()
    )
    if sheet is None:
        # It exists but is sealed (403 with the reason) or is not part of this evaluation (404).
        sealed = get_object_or_404(ScoreSheet, pk=sheet_pk, evaluation=evaluation)
        can_view_sheet(request.user, sealed).require()
        raise PermissionDenied(_("Score sheets stay sealed until every assessor has submitted."))
    can_view_sheet(request.user, sheet).require()
    entries = sorted(sheet.entries.all(), key=lambda e: e.indicator.position)
    return render(
        request,
        "evaluation/sheet_view.html",
        {"evaluation": evaluation, "sheet": sheet, "entries": entries},
    )


# --- comparison, consolidation and re-review ---------------------------------------------------


@login_required
def comparison(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    can_view_comparison(request.user, evaluation).require()
    data = services.compare(evaluation)
    can_act = can_consolidate_evaluation(request.user, evaluation)
    if request.method == "POST":
        can_act.require()
        decisions = {}
        for leaf in data.leaves:
            raw = request.POST.get(f"override-{leaf.pk}", "").strip()
            decisions[leaf.pk] = services.LeafDecision(
                note=request.POST.get(f"note-{leaf.pk}", ""),
                score=Decimal(raw) if _is_number(raw) else None,
                reason=request.POST.get(f"reason-{leaf.pk}", ""),
            )
            if raw and not _is_number(raw):
                messages.error(
                    request, _("%(leaf)s: the override must be a number.") % {"leaf": leaf.name}
                )
                break
        else:
            try:
                if evaluation.state == EvaluationState.APPEALED:
                    services.evaluation_re_review(
                        evaluation=evaluation,
                        actor=request.user,
                        response=request.POST.get("response", ""),
                        decisions=decisions,
                        summary=request.POST.get("summary", ""),
                    )
                    messages.success(request, _("The re-review result awaits the bureau."))
                else:
                    services.evaluation_consolidate(
                        evaluation=evaluation,
                        actor=request.user,
                        decisions=decisions,
                        summary=request.POST.get("summary", ""),
                    )
                    messages.success(request, _("Consolidated; the bureau can now confirm."))
                return redirect(evaluation)
            except ValidationError as exc:
                _errors(request, exc)
            except ActionRefusedError as exc:
                messages.error(request, str(exc))
    # A return or a re-review starts from the current result's notes and overrides.
    previous = services.previous_decisions(evaluation)
    figures = computed_for(evaluation=evaluation)
    adjustments = selectors.adjustments(evaluation=evaluation)
    appeal = getattr(evaluation, "appeal_record", None)
    disputed = set(appeal.disputed.values_list("pk", flat=True)) if appeal else set()
    posted = request.method == "POST"

    def initial(leaf_pk: int, field: str) -> str:
        if posted:
            return request.POST.get(f"{field}-{leaf_pk}", "")
        decision = previous.get(leaf_pk)
        if decision is None:
            return ""
        if field == "note":
            return decision.note
        return "" if decision.score is None else str(decision.score)

    rows = [
        {
            "leaf": leaf,
            "scores": [from_hundredths(data.matrix[i, j]) for i in range(len(data.sheets))],
            "computed": data.computed[j],
            "spread": data.spread[j],
            "flagged": data.flagged[j],
            "note": initial(leaf.pk, "note"),
            "override": initial(leaf.pk, "override"),
            "reason": request.POST.get(f"reason-{leaf.pk}", "") if posted else "",
            "figure": figures.get(leaf.pk),
            "adjustments": adjustments.get(leaf.pk, []),
            "disputed": leaf.pk in disputed,
        }
        for j, leaf in enumerate(data.leaves)
    ]
    return render(
        request,
        "evaluation/comparison.html",
        {
            "evaluation": evaluation,
            "data": data,
            "rows": rows,
            "total": sum(data.computed, Decimal("0.00")),
            "can_act": can_act and evaluation.state != EvaluationState.CONFIRMED,
            "re_review": evaluation.state == EvaluationState.APPEALED,
            "appeal": appeal,
        },
    )


def _is_number(raw: str) -> bool:
    try:
        Decimal(raw)
    except ArithmeticError:
        return False
    return bool(raw)


# --- report and analysis ----------------------------------------------------------------------


@login_required
def evaluation_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    can_view_result(request.user, evaluation).require()
    response = HttpResponse(render_report(evaluation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evaluation-{evaluation.pk}.pdf"'
    return response


@login_required
def analysis(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    can_view_analysis(request.user).require()
    by = request.GET.get("by", "ngo")
    if by not in analysis_mod.DIMENSIONS:
        raise Http404
    table = analysis_mod.score_table(user=request.user, by=by)
    if request.GET.get("format") == "xlsx":
        return analysis_mod.export(table, by=by)
    return render(
        request,
        "evaluation/analysis.html",
        {"table": table, "by": by, "dimensions": analysis_mod.DIMENSIONS},
    )


@login_required
def evidence_file(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> FileResponse:
    """An assessor's evidence file, as secret as the score sheet it belongs to."""
    evaluation = selectors.evaluation_get(user=request.user, pk=pk)
    entry = get_object_or_404(
        ScoreEntry.objects.select_related("sheet__evaluation"),
        pk=entry_pk,
        sheet__evaluation=evaluation,
    )
    return protected_file_response(entry.evidence_file, can_view_sheet(request.user, entry.sheet))
