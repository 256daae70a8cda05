"""Funds pages: milestones and payments, service records, the ledger and the overview."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization, OrgKind, Role
from core.actions import act_and_redirect
from core.exports import csv_response, stream_xlsx
from core.files import protected_file_response
from core.fsm import ActionRefusedError, check_transition
from funds import documents, imports, selectors, services
from funds.exports import HEADER, ledger_csv, ledger_rows
from funds.forms import (
    AcceptanceForm,
    DeliverableForm,
    ImportForm,
    LedgerFilterForm,
    PayForm,
    ServiceRecordForm,
)
from funds.ledger import ledger_verify
from funds.models import Deliverable, Disbursement, LedgerHead
from funds.permissions import (
    can_approve_disbursement,
    can_pay_disbursement,
    can_request_disbursement,
    can_submit_deliverables,
    can_view_ledger,
    can_view_milestone,
)


@login_required
def milestone_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    user = request.user
    try:
        calculation = services.milestone_payout(milestone)
    except ActionRefusedError as exc:
        calculation = None
        blocker = str(exc)
    else:
        blocker = ""
    disbursements = list(
        milestone.disbursements.select_related("requested_by", "approved_by", "paid_by")
    )
    return render(
        request,
        "funds/milestone_detail.html",
        {
            "milestone": milestone,
            "evaluation": milestone.gating_evaluation(),
            # Beside the acceptance form: the bureau checks the targets before signing off.
            "targets": selectors.contract_target_progress(contract=milestone.contract),
            # Targets are for the whole contract: only the final acceptance judges them.
            "judge_targets": milestone.is_final(),
            "calculation": calculation,
            "blocker": blocker,
            "deliverables": milestone.deliverables.select_related("submitted_by"),
            "acceptances": milestone.acceptances.select_related("recorded_by"),
            "disbursements": [
                (
                    d,
                    can_approve_disbursement(user, d) and d.state == "requested",
                    can_pay_disbursement(user, d) and d.state == "approved",
                )
                for d in disbursements
            ],
            "can_submit": can_submit_deliverables(user, milestone),
            "can_accept": check_transition(milestone, "accept", user),
            "can_rectify": check_transition(milestone, "require_rectification", user),
            "can_request": can_request_disbursement(user, milestone)
            and milestone.state == "accepted",
            "can_forfeit": check_transition(milestone, "forfeit", user),
            "can_release": can_request_disbursement(user, milestone)
            and milestone.state == "withheld",
            "deliverable_form": DeliverableForm(),
            "acceptance_form": AcceptanceForm(),
            "pay_form": PayForm(),
        },
    )


@login_required
@require_POST
def deliverable_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    form = DeliverableForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("A title is required."))
        return redirect(milestone)
    return act_and_redirect(
        request,
        milestone,
        lambda: services.deliverables_submit(
            milestone=milestone, actor=request.user, **form.cleaned_data
        ),
        _("Deliverables submitted."),
    )


@login_required
@require_POST
def acceptance_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    form = AcceptanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the acceptance form."))
        return redirect(milestone)
    data = form.cleaned_data
    return act_and_redirect(
        request,
        milestone,
        lambda: services.acceptance_record(
            milestone=milestone,
            actor=request.user,
            passed=data["passed"],
            checklist=form.checklist(),
            notes=data["notes"],
            rectification_deadline=data["rectification_deadline"],
        ),
        _("Acceptance recorded."),
    )


@login_required
@require_POST
def disbursement_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        milestone,
        lambda: services.disbursement_request(milestone=milestone, actor=request.user),
        _("Payment requested; finance approves it."),
    )


@login_required
@require_POST
def withheld_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        milestone,
        lambda: services.withheld_release_request(milestone=milestone, actor=request.user),
        _("Release of the withheld part requested."),
    )


@login_required
@require_POST
def milestone_forfeit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        milestone,
        lambda: services.milestone_forfeit(
            milestone=milestone, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("The withheld amount is forfeited."),
    )


def _disbursement(request: AuthenticatedHttpRequest, pk: int) -> Disbursement:
    d = get_object_or_404(
        Disbursement.objects.select_related("milestone__contract__project"), pk=pk
    )
    if not can_view_milestone(request.user, d.milestone):
        raise PermissionDenied
    return d


@login_required
@require_POST
def disbursement_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _disbursement(request, pk)
    return act_and_redirect(
        request,
        d.milestone,
        lambda: services.disbursement_approve(disbursement=d, actor=request.user),
        _("Payment approved."),
    )


@login_required
@require_POST
def disbursement_pay(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _disbursement(request, pk)
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the voucher number and the payment date."))
        return redirect(d.milestone)
    return act_and_redirect(
        request,
        d.milestone,
        lambda: services.disbursement_pay(disbursement=d, actor=request.user, **form.cleaned_data),
        _("Payment recorded."),
    )


@login_required
@require_POST
def disbursement_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _disbursement(request, pk)
    return act_and_redirect(
        request,
        d.milestone,
        lambda: services.disbursement_reject(
            disbursement=d, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("Payment request rejected."),
    )


@login_required
def voucher_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    d = _disbursement(request, pk)
    response = HttpResponse(documents.voucher(d), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="voucher-{d.pk}.pdf"'
    return response


@login_required
def payments(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.disbursement_list(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "funds/payments.html", {"page": page})


# --- service records -------------------------------------------------------------------------

IMPORT_DIR = "import_tmp"


def _stash(upload: Any) -> str:
    token = uuid.uuid4().hex + Path(upload.name).suffix.lower()[:6]
    folder = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / token, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def _unstash(token: str) -> SimpleUploadedFile | None:
    if not token or "/" in token or ".." in token:
        return None
    path = Path(settings.MEDIA_ROOT) / IMPORT_DIR / token
    if not path.exists():
        return None
    return SimpleUploadedFile(token, path.read_bytes())


@login_required
def service_records(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_records(user=request.user, pk=pk)
    is_supplier = (
        request.user.role == Role.NGO and request.user.organization_id == contract.supplier_id
    )
    result = None
    token = ""
    form = ImportForm()
    record_form = ServiceRecordForm(contract=contract)
    if request.method == "POST":
        if not is_supplier:
            raise PermissionDenied(_("Only the supplier imports its service records."))
        if "single" in request.POST:
            record_form = ServiceRecordForm(request.POST, contract=contract)
            if record_form.is_valid():
                record = record_form.save(commit=False)
                record.contract = contract
                record.save()
                messages.success(request, _("Service record added."))
                return redirect("funds:service_records", pk=pk)
        elif "confirm" in request.POST:
            upload = _unstash(request.POST.get("token", ""))
            if upload is None:
                messages.error(request, _("The checked file has expired; upload it again."))
                return redirect("funds:service_records", pk=pk)
            try:
                result = imports.import_service_records(contract, upload)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("funds:service_records", pk=pk)
            if result.ok:
                messages.success(
                    request, _("%(n)s service records imported.") % {"n": result.saved}
                )
                return redirect("funds:service_records", pk=pk)
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = imports.parse_service_records(contract, form.cleaned_data["file"])
                    if result.ok:
                        form.cleaned_data["file"].seek(0)
                        token = _stash(form.cleaned_data["file"])
                except ValidationError as exc:
                    form.add_error("file", exc)
    records = Paginator(contract.service_records.all().order_by("-date", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "funds/service_records.html",
        {
            "contract": contract,
            "records": records,
            "summary": selectors.service_record_summary(contract=contract),
            "targets": selectors.contract_target_progress(contract=contract),
            "judge_targets": contract.state in ("completed", "terminated"),
            "form": form,
            "record_form": record_form,
            "result": result,
            "token": token,
            "is_supplier": is_supplier,
        },
    )


# --- ledger and overview ---------------------------------------------------------------------


@login_required
def ledger(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    decision = can_view_ledger(request.user)
    if not decision:
        raise PermissionDenied(str(decision.reason))
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.ledger_entries(user=request.user, **{k: v for k, v in filters.items() if v})
    fmt = request.GET.get("format", "")
    head = LedgerHead.objects.filter(pk=1).first()
    if fmt == "csv":
        return csv_response(ledger_csv(qs), "sanshe-ledger.csv")
    if fmt == "xlsx":
        return stream_xlsx(ledger_rows(qs), HEADER, "sanshe-ledger.xlsx", sheet_title="台账")
    if fmt == "pdf":
        response = HttpResponse(documents.ledger_pdf(qs, head), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="sanshe-ledger.pdf"'
        return response
    verification = ledger_verify() if request.GET.get("verify") else None
    return render(
        request,
        "funds/ledger.html",
        {
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "totals": selectors.ledger_totals(qs),
            "form": form,
            "head": head,
            "verification": verification,
            "query": request.GET.urlencode(),
            "ngos": Organization.objects.filter(kind=OrgKind.NGO).order_by("name"),
        },
    )


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    decision = can_view_ledger(request.user)
    if not decision:
        raise PermissionDenied(str(decision.reason))
    data = selectors.funds_overview(user=request.user)
    peak = max([row["total"] for row in data["monthly"]] or [1])
    # Each bar in its own 90-unit slot, standing on the baseline at y=170 (a bar without x and y
    # drew every month at the origin, over each other); a paid month is never thinner than 1.
    bars = []
    for i, row in enumerate(data["monthly"]):
        height = max(1, int(160 * row["total"] / peak)) if row["total"] else 0
        bars.append(
            {
                "month": row["month"],
                "total": row["total"],
                "height": height,
                "x": i * 90 + 15,
                "y": 170 - height,
            }
        )
    return render(request, "funds/overview.html", {**data, "bars": bars})


@login_required
def deliverable_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A deliverable's file for whoever may see its milestone."""
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("milestone__contract__project"), pk=pk
    )
    return protected_file_response(
        deliverable.file, can_view_milestone(request.user, deliverable.milestone)
    )
