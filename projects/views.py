"""Project pages: thin views that read through selectors and write through services."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.fsm import ActionRefusedError, check_transition
from core.todos import todos_for
from projects import selectors, services
from projects.forms import BaseTargetGroupFormSet, ProjectForm, TargetGroupFormSet, TerminateForm
from projects.models import ProjectState, ServiceCategory, ServiceProject
from projects.permissions import can_change_project, can_create_project
from projects.sections import sections_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the logged-in user's own pending work and the projects they can see, by state."""
    counts = selectors.project_state_counts(user=request.user)
    states = [(state.value, state.label, counts.get(state.value, 0)) for state in ProjectState]
    return render(request, "core/home.html", {"todos": todos_for(request.user), "states": states})


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    qs = selectors.project_list(
        user=request.user,
        state=request.GET.get("state", ""),
        category=request.GET.get("category", ""),
        search=request.GET.get("q", "").strip(),
        year=int(year) if year.isdigit() else None,
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "states": ProjectState.choices,
            "categories": ServiceCategory.choices,
            "can_create": can_create_project(request.user),
        },
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "can_edit": can_change_project(request.user, project),
            "can_approve": check_transition(project, "approve", request.user),
            "can_terminate": check_transition(project, "terminate", request.user),
            "terminate_form": TerminateForm(),
            "sections": sections_for(request.user, project),
        },
    )


def _project_form_page(
    request: AuthenticatedHttpRequest, project: ServiceProject | None = None
) -> HttpResponse:
    form = ProjectForm(request.POST or None, instance=project)
    formset = cast(
        BaseTargetGroupFormSet,
        TargetGroupFormSet(request.POST or None, instance=project, prefix="targets"),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = form.cleaned_data
        try:
            if project is None:
                project = services.project_create(
                    actor=request.user,
                    targets=formset.targets(),
                    title=fields["title"],
                    category=fields["category"],
                    region=fields["region"],
                    budget=fields["budget"],
                    fund_source=fields["fund_source"],
                    period_start=fields["period_start"],
                    period_end=fields["period_end"],
                    performance_targets=fields["performance_targets"],
                    description=fields["description"],
                )
                messages.success(request, _("Project “%s” was created as a draft.") % project.title)
            else:
                project = services.project_update(
                    project=project, actor=request.user, targets=formset.targets(), **fields
                )
                messages.success(request, _("Project saved."))
            return redirect(project)
        except ValidationError as exc:
            form.add_error(None, exc)
        except ActionRefusedError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "formset": formset, "project": project},
    )


@login_required
def project_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    decision = can_create_project(request.user)
    decision.require()
    return _project_form_page(request)


@login_required
def project_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    decision = can_change_project(request.user, project)
    decision.require()
    return _project_form_page(request, project)


@login_required
@require_POST
def project_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    try:
        services.project_approve(
            project=project, actor=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, _("The project is approved (立项)."))
    except ActionRefusedError as exc:
        messages.error(request, str(exc))
    return redirect(project)


@login_required
@require_POST
def project_terminate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    form = TerminateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required to terminate a project."))
        return redirect(project)
    try:
        services.project_terminate(
            project=project, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The project was terminated."))
    except ActionRefusedError as exc:
        messages.error(request, str(exc))
    return redirect(project)
