"""Planning pages: plans and allocations, a project's funding, the catalogue, supplier
requirements and credit profiles, the dashboard and the statistics reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.credit import AnnualInspection, CreditListing, CreditProfile
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization, OrgKind
from core.actions import act_and_redirect
from core.exports import stream_xlsx
from core.fsm import ActionRefusedError, check_transition
from planning import forms, reports, selectors, services, tables
from planning.eligibility import requirement_of
from planning.models import AnnualPlan, BudgetLine, StatsReport
from planning.permissions import (
    can_keep_catalogue,
    can_keep_credit,
    can_keep_plan,
    can_view_bureau,
    can_view_credit,
    can_view_report,
    visible_bureaus_q,
)
from procurement.models import Tender
from projects.models import ServiceProject
from projects.permissions import can_view_project


def _deny_unless(decision: Any) -> None:
    decision.require()


def _run(request: AuthenticatedHttpRequest, form: Any, action: Any) -> bool:
    """Run a service for a bound form; a refusal or bad value goes on the form, never a 500."""
    try:
        action()
    except ValidationError as exc:
        form.add_error(None, "；".join(exc.messages))
    except ActionRefusedError as exc:
        form.add_error(None, str(exc))
    else:
        return True
    return False


def _home_bureau(request: AuthenticatedHttpRequest) -> Organization:
    """The bureau a page is about: ?bureau= when visible, else the user's own (or the top one)."""
    visible = Organization.objects.filter(visible_bureaus_q(request.user), kind=OrgKind.BUREAU)
    wanted = request.GET.get("bureau", "")
    if wanted.isdigit():
        bureau = visible.filter(pk=int(wanted)).first()
        if bureau is None:
            raise Http404
        return bureau
    own = request.user.organization
    if own is not None and own.kind == OrgKind.BUREAU:
        return own
    top = visible.order_by("path").first()
    if top is None:
        raise PermissionDenied(_("Plans and reports are for bureaus and auditors."))
    return top


def _year(request: AuthenticatedHttpRequest) -> int:
    value = request.GET.get("year", "")
    return (
        int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year
    )


# --- plans ------------------------------------------------------------------------------------


@login_required
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    bureau = _home_bureau(request)
    _deny_unless(can_view_bureau(request.user, bureau))
    form = forms.PlanForm(request.POST or None, initial={"year": _year(request)})
    if request.method == "POST" and form.is_valid():
        plan_holder: list[AnnualPlan] = []
        if _run(
            request,
            form,
            lambda: plan_holder.append(
                services.plan_create(actor=request.user, **form.cleaned_data)
            ),
        ):
            return redirect(plan_holder[0])
    plans = AnnualPlan.objects.filter(bureau__path__startswith=bureau.path).select_related("bureau")
    return render(
        request,
        "planning/plan_list.html",
        {
            "bureau": bureau,
            "plans": plans.order_by("-year", "bureau__path"),
            "form": form,
            "may_keep": bool(can_keep_plan(request.user, bureau)),
        },
    )


@login_required
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(AnnualPlan.objects.select_related("bureau"), pk=pk)
    _deny_unless(can_view_bureau(request.user, plan.bureau))
    may_keep = bool(can_keep_plan(request.user, plan.bureau))
    children = Organization.objects.filter(parent=plan.bureau, kind=OrgKind.BUREAU).order_by("name")
    line_form = forms.LineForm(request.POST if "add_line" in request.POST else None)
    alloc_form = forms.AllocationForm(
        request.POST if "allocate" in request.POST else None,
        lines=plan.lines.all(),
        children=children,
    )
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied(_("Only staff of the bureau keep its annual plan."))
        if (
            "add_line" in request.POST
            and line_form.is_valid()
            and _run(
                request,
                line_form,
                lambda: services.line_add(actor=request.user, plan=plan, **line_form.cleaned_data),
            )
        ):
            messages.success(request, _("Budget line added."))
            return redirect(plan)
        if "allocate" in request.POST and alloc_form.is_valid():
            data = alloc_form.cleaned_data
            source = get_object_or_404(BudgetLine, pk=data["line"], plan=plan)
            child = get_object_or_404(children, pk=data["child"])
            if _run(
                request,
                alloc_form,
                lambda: services.allocation_make(
                    actor=request.user,
                    source=source,
                    child=child,
                    amount=data["amount"],
                    name=data["name"],
                ),
            ):
                messages.success(request, _("Allocated to %(b)s.") % {"b": child.name})
                return redirect(plan)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            **selectors.plan_detail(plan=plan),
            "line_form": line_form,
            "alloc_form": alloc_form,
            "may_keep": may_keep,
            "has_children": children.exists(),
        },
    )


@login_required
def project_funding(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ServiceProject.objects.select_related("bureau"), pk=pk)
    if not can_view_project(request.user, project):
        raise Http404
    lines = BudgetLine.objects.filter(
        plan__bureau=project.bureau, plan__year=project.period_start.year
    ).order_by("fund_source", "pk")
    items = services.catalogue_for(project.bureau).order_by("code")
    current = {d.line_id: d.amount for d in project.draws.all()}
    picked = getattr(project, "catalogue_entry", None)
    initial: dict[str, Any] = {f"line_{k}": v for k, v in current.items()}
    initial["catalogue"] = picked.item_id if picked else ""
    form = forms.FundingForm(request.POST or None, lines=lines, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        item_id = form.cleaned_data.get("catalogue")

        def save() -> None:
            if item_id:
                services.project_catalogue_set(
                    actor=request.user, project=project, item=get_object_or_404(items, pk=item_id)
                )
            services.draws_set(actor=request.user, project=project, draws=form.draws())

        if _run(request, form, save):
            messages.success(request, _("The project's budget lines were saved."))
            return redirect(project)
    rows = selectors.line_rows(list(lines))
    return render(
        request,
        "planning/project_funding.html",
        {"project": project, "form": form, "rows": [rows[ln.pk] for ln in lines], "items": items},
    )


# --- catalogue --------------------------------------------------------------------------------


@login_required
def catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    bureau = _home_bureau(request)
    _deny_unless(can_view_bureau(request.user, bureau))
    items = services.catalogue_for(bureau).select_related("owner", "parent").order_by("code")
    form = forms.CatalogueForm(request.POST or None, items=items)
    if request.method == "POST":
        _deny_unless(can_keep_catalogue(request.user))
        if form.is_valid():
            parent_id = form.cleaned_data.get("parent")
            parent = get_object_or_404(items, pk=parent_id) if parent_id else None
            if _run(
                request,
                form,
                lambda: services.catalogue_item_add(
                    actor=request.user,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    parent=parent,
                ),
            ):
                messages.success(request, _("Catalogue entry added."))
                return redirect("planning:catalogue")
    return render(
        request,
        "planning/catalogue.html",
        {
            "bureau": bureau,
            "items": items,
            "form": form,
            "may_keep": bool(can_keep_catalogue(request.user)),
        },
    )


# --- supplier requirements and credit ---------------------------------------------------------


@login_required
def tender_requirements(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(Tender.objects.select_related("project__bureau"), pk=pk)
    if not can_view_project(request.user, tender.project):
        raise Http404
    current = requirement_of(tender)
    initial = (
        {
            "min_rating": current.min_rating,
            "no_current_listing": current.no_current_listing,
            "valid_certificate": current.valid_certificate,
        }
        if current
        else {"no_current_listing": True, "valid_certificate": True}
    )
    form = forms.RequirementForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            form,
            lambda: services.requirement_set(
                actor=request.user, tender=tender, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Supplier requirements saved."))
        return redirect(tender)
    return render(
        request,
        "planning/tender_requirements.html",
        {"tender": tender, "form": form, "current": current},
    )


@login_required
def credit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    ngos = Organization.objects.filter(kind=OrgKind.NGO).order_by("name")
    if request.user.role == "ngo":
        ngos = ngos.filter(pk=request.user.organization_id or 0)
    elif not can_view_credit(request.user, Organization(kind=OrgKind.NGO)):
        raise PermissionDenied(
            _("Another organisation's credit profile is for bureaus and panels.")
        )
    return render(
        request,
        "planning/credit_list.html",
        {"rows": selectors.credit_rows(ngos=ngos, today=timezone.localdate())},
    )


@login_required
def credit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ngo = get_object_or_404(Organization, pk=pk, kind=OrgKind.NGO)
    _deny_unless(can_view_credit(request.user, ngo))
    may_keep = bool(can_keep_credit(request.user, ngo))
    profile = CreditProfile.objects.filter(organization=ngo).first()
    which = request.POST.get("form", "")
    initial = (
        {f: getattr(profile, f) for f in forms.CreditProfileForm.base_fields} if profile else {}
    )
    profile_form = forms.CreditProfileForm(
        request.POST if which == "profile" else None, initial=initial
    )
    inspection_form = forms.InspectionForm(request.POST if which == "inspection" else None)
    listing_form = forms.ListingForm(request.POST if which == "listing" else None)
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied(_("Only bureau staff keep credit profiles."))
        pairs: dict[str, tuple[Any, Any]] = {
            "profile": (profile_form, services.credit_profile_save),
            "inspection": (inspection_form, services.inspection_record),
            "listing": (listing_form, services.listing_add),
        }
        if which in pairs:
            form, service = pairs[which]
            if form.is_valid() and _run(
                request,
                form,
                lambda: service(actor=request.user, ngo=ngo, **form.cleaned_data),
            ):
                messages.success(request, _("Credit profile updated."))
                return redirect("planning:credit", pk=ngo.pk)
    return render(
        request,
        "planning/credit_detail.html",
        {
            "ngo": ngo,
            "profile": profile,
            "inspections": AnnualInspection.objects.filter(organization=ngo),
            "listings": CreditListing.objects.filter(organization=ngo),
            **selectors.supplier_history(ngo=ngo),
            "today": timezone.localdate(),
            "may_keep": may_keep,
            "profile_form": profile_form,
            "inspection_form": inspection_form,
            "listing_form": listing_form,
            "delist_form": forms.DelistForm(initial={"removed_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def listing_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(CreditListing.objects.select_related("organization"), pk=pk)
    form = forms.DelistForm(request.POST)
    target = redirect("planning:credit", pk=listing.organization_id)
    if not form.is_valid():
        messages.error(request, _("Enter the date the listing was removed."))
        return target
    return act_and_redirect(
        request,
        target.url,
        lambda: services.listing_remove(
            actor=request.user, listing=listing, removed_on=form.cleaned_data["removed_on"]
        ),
        _("Listing removed."),
    )


# --- dashboard --------------------------------------------------------------------------------


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    bureau = _home_bureau(request)
    _deny_unless(can_view_bureau(request.user, bureau))
    year = _year(request) if "year" in request.GET else selectors.default_year(bureau=bureau)
    data = selectors.dashboard(bureau=bureau, year=year)
    all_tables = tables.dashboard_tables(data)
    export = request.GET.get("export", "")
    if export:
        table = next((t for t in all_tables if t.key == export), None)
        if table is None:
            raise Http404
        return stream_xlsx(
            # A table whose figures are kept a while says as of when, in the file as on the page.
            [*table.rows, [], [table.note]] if table.note else table.rows,
            table.header,
            f"{bureau.name}-{year}-{table.key}.xlsx",
            sheet_title=table.title,
        )
    return render(
        request,
        "planning/dashboard.html",
        {
            "data": data,
            "tables": [(t, tables.chart_spec(t)) for t in all_tables],
            "by_bureau": data.by_bureau,
            "bureaus": Organization.objects.filter(
                visible_bureaus_q(request.user), kind=OrgKind.BUREAU
            ).order_by("path"),
            "query": f"bureau={bureau.pk}&year={year}",
        },
    )


# --- statistics reports -----------------------------------------------------------------------


@login_required
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    bureau = _home_bureau(request)
    _deny_unless(can_view_bureau(request.user, bureau))
    today = timezone.localdate()
    year, quarter = selectors.last_due_period(today)
    form = forms.ReportForm(request.POST or None, initial={"year": year, "quarter": quarter})
    if request.method == "POST" and form.is_valid():
        made: list[StatsReport] = []
        if _run(
            request,
            form,
            lambda: made.append(services.report_generate(actor=request.user, **form.cleaned_data)),
        ):
            messages.success(request, _("Report generated from the current data."))
            return redirect(made[0])
    wanted_year = _year(request) if "year" in request.GET else year
    wanted_quarter = request.GET.get("quarter", "")
    wanted_quarter_n = (
        int(wanted_quarter) if wanted_quarter in {"0", "1", "2", "3", "4"} else quarter
    )
    return render(
        request,
        "planning/report_list.html",
        {
            "bureau": bureau,
            "own": StatsReport.objects.filter(bureau=bureau).select_related(
                "generated_by", "reviewed_by", "submitted_by"
            ),
            "submissions": selectors.submissions(
                bureau=bureau, year=wanted_year, quarter=wanted_quarter_n
            ),
            "period": f"{wanted_year}Q{wanted_quarter_n}",
            "today": today,
            "form": form,
            "may_generate": bool(can_keep_plan(request.user, bureau)),
        },
    )


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        StatsReport.objects.select_related("bureau", "generated_by", "reviewed_by", "submitted_by"),
        pk=pk,
    )
    _deny_unless(can_view_report(request.user, report))
    fmt = request.GET.get("format", "")
    name = f"{report.bureau.name}-{report.period_label}-v{report.version}"
    if fmt == "xlsx":
        response = HttpResponse(
            reports.report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}.xlsx"
        return response
    if fmt == "pdf":
        response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(name)}.pdf"
        return response
    actions = {
        name: check_transition(report, name, request.user)
        for name in ("review", "return_to_draft", "submit")
    }
    return render(
        request,
        "planning/report_detail.html",
        {
            "report": report,
            "rows": reports.report_rows(report),
            "actions": actions,
            "note_form": forms.NoteForm(),
        },
    )


def _quote(text: str) -> str:
    return quote(text)


@login_required
@require_POST
def report_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    report = get_object_or_404(StatsReport.objects.select_related("bureau"), pk=pk)
    _deny_unless(can_view_report(request.user, report))
    if action == "review":
        run: Any = lambda: services.report_review(actor=request.user, report=report)  # noqa: E731
        done = _("Report reviewed.")
    elif action == "return":
        note = request.POST.get("note", "")
        run = lambda: services.report_return(actor=request.user, report=report, note=note)  # noqa: E731
        done = _("Report returned to draft.")
    elif action == "submit":
        run = lambda: services.report_submit(actor=request.user, report=report)  # noqa: E731
        done = _("Report submitted to the bureau above; this version is now locked.")
    else:
        raise Http404
    return act_and_redirect(request, report, run, done)
