"""Supervision pages: the overview (reports due/late/in, open items, spot checks) and one
contract's supervision (schedule, reports, visits, rectification items)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from core.actions import act_and_redirect
from core.files import protected_file_response
from core.fsm import ActionRefusedError, check_transition
from supervision import selectors, services
from supervision.forms import (
    DecideForm,
    EvidenceForm,
    ItemForm,
    ReportSubmitForm,
    ReviewForm,
    ScheduleForm,
    SiteVisitForm,
    SpotCheckForm,
)
from supervision.models import PeriodicReport, RectificationItem, VisitPhoto
from supervision.permissions import (
    can_draw_spot_check,
    can_manage_supervision,
    can_view_supervision,
)


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = SpotCheckForm()
    if request.method == "POST":
        can_draw_spot_check(user, user.organization_id).require()
        form = SpotCheckForm(request.POST)
        if form.is_valid():
            try:
                check = services.spot_check_draw(
                    user=user, bureau=user.organization, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ActionRefusedError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(n)s contracts drawn (seed %(seed)s).")
                    % {"n": check.drawn.count(), "seed": check.seed},
                )
                return redirect("supervision:overview")
    return render(
        request,
        "supervision/overview.html",
        {
            "page": Paginator(selectors.contract_overview(user=user), 25).get_page(
                request.GET.get("page")
            ),
            "checks": selectors.spot_checks(user=user) if user.role == Role.BUREAU_STAFF else [],
            "form": form if user.role == Role.BUREAU_STAFF else None,
        },
    )


@login_required
def contract_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    user = request.user
    manages = bool(can_manage_supervision(user, contract))
    schedule_form, visit_form, item_form = (
        ScheduleForm(prefix="s"),
        SiteVisitForm(prefix="v"),
        ItemForm(prefix="i"),
    )
    if request.method == "POST":
        can_manage_supervision(user, contract).require()
        form: Any
        action: Any
        if "schedule" in request.POST:
            form = schedule_form = ScheduleForm(request.POST, prefix="s")
            action = lambda d: services.schedule_set(user=user, contract=contract, **d)  # noqa: E731
            done = _("Reporting schedule saved; the reports of every period are listed.")
        elif "visit" in request.POST:
            form = visit_form = SiteVisitForm(request.POST, request.FILES, prefix="v")
            action = lambda d: services.site_visit_record(user=user, contract=contract, **d)  # noqa: E731
            done = _("Site visit recorded.")
        else:
            form = item_form = ItemForm(request.POST, prefix="i")
            action = lambda d: services.item_open(user=user, contract=contract, **d)  # noqa: E731
            done = _("Rectification item opened.")
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ActionRefusedError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return redirect("supervision:contract", pk=pk)
    data = selectors.contract_supervision(contract=contract)
    return render(
        request,
        "supervision/contract.html",
        {
            "contract": contract,
            "data": data,
            "reports": [
                (
                    r,
                    r.is_late(data.today),
                    bool(check_transition(r, "submit", user)),
                    bool(check_transition(r, "mark_read", user)),
                )
                for r in data.reports
            ],
            "items": [
                (
                    i,
                    i.is_overdue(data.today),
                    bool(check_transition(i, "submit_evidence", user)),
                    bool(check_transition(i, "close", user)),
                )
                for i in data.items
            ],
            "manages": manages,
            "schedule_form": schedule_form,
            "visit_form": visit_form,
            "item_form": item_form,
            "submit_form": ReportSubmitForm(),
            "review_form": ReviewForm(),
            "evidence_form": EvidenceForm(),
            "decide_form": DecideForm(),
        },
    )


def _report(request: AuthenticatedHttpRequest, pk: int) -> PeriodicReport:
    report = get_object_or_404(
        PeriodicReport.objects.select_related("contract__project__bureau"), pk=pk
    )
    if not can_view_supervision(request.user, report):
        raise Http404
    return report


def _item(request: AuthenticatedHttpRequest, pk: int) -> RectificationItem:
    item = get_object_or_404(
        RectificationItem.objects.select_related("contract__project__bureau"), pk=pk
    )
    if not can_view_supervision(request.user, item):
        raise Http404
    return item


@login_required
@require_POST
def report_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = ReportSubmitForm(request.POST, request.FILES)
    form.is_valid()
    return act_and_redirect(
        request,
        f"/supervision/contracts/{report.contract_id}/",
        lambda: services.report_submit(
            user=request.user,
            report=report,
            summary=form.cleaned_data.get("summary", ""),
            file=form.cleaned_data.get("file"),
        ),
        _("Report handed in."),
    )


@login_required
@require_POST
def report_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    accept = "read" in request.POST
    return act_and_redirect(
        request,
        f"/supervision/contracts/{report.contract_id}/",
        lambda: services.report_review(
            user=request.user,
            report=report,
            accept=accept,
            response=form.cleaned_data.get("response", ""),
        ),
        _("Report marked as read.") if accept else _("Report returned to the NGO."),
    )


@login_required
@require_POST
def item_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    form.is_valid()
    return act_and_redirect(
        request,
        f"/supervision/contracts/{item.contract_id}/",
        lambda: services.item_submit_evidence(
            user=request.user,
            item=item,
            evidence=form.cleaned_data.get("evidence", ""),
            file=form.cleaned_data.get("file"),
        ),
        _("Evidence handed in."),
    )


@login_required
@require_POST
def item_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DecideForm(request.POST)
    form.is_valid()
    close = "close" in request.POST
    return act_and_redirect(
        request,
        f"/supervision/contracts/{item.contract_id}/",
        lambda: services.item_decide(
            user=request.user, item=item, close=close, note=form.cleaned_data.get("note", "")
        ),
        _("Rectification item closed.") if close else _("Rectification item sent back."),
    )


@login_required
def download(request: AuthenticatedHttpRequest, kind: str, pk: int) -> FileResponse:
    if kind == "report":
        report = _report(request, pk)
        return protected_file_response(report.file, can_view_supervision(request.user, report))
    if kind == "evidence":
        item = _item(request, pk)
        return protected_file_response(item.evidence_file, can_view_supervision(request.user, item))
    if kind == "photo":
        photo = get_object_or_404(
            VisitPhoto.objects.select_related("visit__contract__project__bureau"), pk=pk
        )
        return protected_file_response(photo.file, can_view_supervision(request.user, photo.visit))
    raise Http404
