"""Funds pages: milestones and payments, service records, the ledger and the overview.

Size: one thin view per funds page (about twenty), each a few lines over a selector or a
service.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization, OrgKind
from core.actions import act_and_redirect
from core.exports import csv_response, stream_csv, stream_xlsx
from core.files import protected_file_response
from core.fsm import ActionRefusedError, check_transition
from core.models import ExportJob
from funds import book_jobs, books, documents, imports, reach, selectors, services
from funds.bonds import bond_receive, bond_return
from funds.exports import header, ledger_csv, xlsx_rows
from funds.forms import (
    AcceptanceForm,
    BondReceiveForm,
    BondReturnForm,
    DeliverableForm,
    ImportForm,
    LedgerFilterForm,
    PayForm,
    ServiceRecordCorrectForm,
    ServiceRecordFilterForm,
    ServiceRecordForm,
    ServiceRecordWithdrawForm,
    TrialBalanceForm,
)
from funds.models import (
    Deliverable,
    Disbursement,
    DisbursementState,
    LedgerHead,
    MilestoneState,
    ServiceRecord,
)
from funds.permissions import (
    can_add_service_records,
    can_approve_disbursement,
    can_change_service_record,
    can_pay_disbursement,
    can_request_disbursement,
    can_submit_deliverables,
    can_view_deliverable,
    can_view_ledger,
    can_view_milestone,
)
from procurement.models import Contract, ContractState, Tender


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
                    can_approve_disbursement(user, d) and d.state == DisbursementState.REQUESTED,
                    can_pay_disbursement(user, d) and d.state == DisbursementState.APPROVED,
                )
                for d in disbursements
            ],
            "can_submit": can_submit_deliverables(user, milestone),
            "can_accept": check_transition(milestone, "accept", user),
            "can_rectify": check_transition(milestone, "require_rectification", user),
            "can_request": can_request_disbursement(user, milestone)
            and milestone.state == MilestoneState.ACCEPTED,
            "can_forfeit": check_transition(milestone, "forfeit", user),
            "can_release": can_request_disbursement(user, milestone)
            and milestone.state == MilestoneState.WITHHELD,
            "deliverable_form": DeliverableForm(),
            "acceptance_form": AcceptanceForm(files=reach.files_complete(milestone.contract)),
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
    payments = selectors.disbursement_list(user=request.user)
    paginator = Paginator(payments, 30)
    paginator.count = selectors.disbursement_count(payments)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "funds/payments.html", {"page": page})


# --- service records -------------------------------------------------------------------------

IMPORT_DIR = "import_tmp"


def _stash(upload: Any) -> str:
    # Through the storage API, so the confirming request may reach another app server.
    token = uuid.uuid4().hex + Path(upload.name).suffix.lower()[:6]
    default_storage.save(f"{IMPORT_DIR}/{token}", upload)
    return token


def _unstash(token: str) -> SimpleUploadedFile | None:
    if not token or "/" in token or ".." in token:
        return None
    name = f"{IMPORT_DIR}/{token}"
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stashed:
        return SimpleUploadedFile(token, stashed.read())


SERVICE_RECORD_HEADER = [
    "日期",
    "村/社区",
    "服务类型",
    "服务对象类别",
    "服务人数",
    "时长",
    "社工",
    "状态",
]


@login_required
def service_records(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    contract = selectors.contract_for_records(user=request.user, pk=pk)
    is_supplier = bool(can_add_service_records(request.user, contract))
    result = None
    token = ""
    form = ImportForm()
    record_form = ServiceRecordForm(contract=contract)
    if request.method == "POST":
        can_add_service_records(request.user, contract).require()
        if "single" in request.POST:
            record_form = ServiceRecordForm(request.POST, contract=contract)
            if record_form.is_valid():
                try:
                    services.service_record_create(
                        user=request.user, contract=contract, **record_form.cleaned_data
                    )
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        record_form.add_error(
                            field if field in record_form.fields else None, errors
                        )
                else:
                    messages.success(request, _("Service record added."))
                    return redirect("funds:service_records", pk=pk)
        elif "confirm" in request.POST:
            upload = _unstash(request.POST.get("token", ""))
            if upload is None:
                messages.error(request, _("The checked file has expired; upload it again."))
                return redirect("funds:service_records", pk=pk)
            try:
                result = services.service_records_import(
                    user=request.user,
                    contract=contract,
                    upload=upload,
                    accept_warnings=bool(request.POST.get("accept_warnings")),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("funds:service_records", pk=pk)
            if result.ok and result.saved:
                messages.success(
                    request, _("%(n)s service records imported.") % {"n": result.saved}
                )
                return redirect("funds:service_records", pk=pk)
            if result.ok:
                # Warnings not confirmed: the same checked file is offered again.
                token = request.POST.get("token", "")
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
    filters = ServiceRecordFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        # A filter that does not parse (?start=2026-13-45, ?service_type=nonsense, a reversed
        # range) is not "no filter": whoever reconciles one month would take the whole
        # contract's records for it. So, as on the ledger, the errors and no records, and an
        # export under such a request is refused (400) rather than be every record.
        if request.GET.get("export") == "csv":
            return HttpResponseBadRequest(
                _("The service records were not exported: %(errors)s")
                % {"errors": _form_errors(filters)},
                content_type="text/plain; charset=utf-8",
            )
        listing = None
    else:
        listing = selectors.service_record_list(
            contract=contract, filters=filters.cleaned_data if filters.is_bound else {}
        )
    if listing is not None and request.GET.get("export") == "csv":
        # Every row matching the filters, not only the page on screen.
        return stream_csv(
            (
                (
                    r.date,
                    r.place,
                    r.get_service_type_display(),
                    r.get_beneficiary_category_display(),
                    r.beneficiary_count,
                    r.hours,
                    r.social_worker,
                    r.get_state_display(),
                )
                for r in listing.iterator(chunk_size=2000)
            ),
            SERVICE_RECORD_HEADER,
            f"service-records-{contract.number}.csv",
        )
    return render(
        request,
        "funds/service_records.html",
        {
            "contract": contract,
            "records": (
                Paginator(listing, 50).get_page(request.GET.get("page"))
                if listing is not None
                else None
            ),
            "filters": filters,
            "summary": selectors.service_record_summary(contract=contract),
            "targets": selectors.contract_target_progress(contract=contract),
            "judge_targets": contract.state in (ContractState.COMPLETED, ContractState.TERMINATED),
            "form": form,
            "record_form": record_form,
            "result": result,
            "token": token,
            "is_supplier": is_supplier,
        },
    )


@login_required
def service_record_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ServiceRecord.objects.select_related("contract"), pk=pk)
    selectors.contract_for_records(user=request.user, pk=record.contract_id)  # 404 if unseen
    can_change_service_record(request.user, record).require()
    form = ServiceRecordCorrectForm(instance=record, contract=record.contract)
    withdraw_form = ServiceRecordWithdrawForm()
    if request.method == "POST":
        if "withdraw" in request.POST:
            withdraw_form = ServiceRecordWithdrawForm(request.POST)
            if withdraw_form.is_valid():
                return act_and_redirect(
                    request,
                    f"/funds/contracts/{record.contract_id}/records/",
                    lambda: services.service_record_withdraw(
                        user=request.user,
                        record=record,
                        reason=withdraw_form.cleaned_data["reason"],
                    ),
                    _("Service record withdrawn."),
                )
        else:
            original = ServiceRecord.objects.get(pk=pk)
            form = ServiceRecordCorrectForm(
                request.POST, instance=original, contract=record.contract
            )
            if form.is_valid():
                values = {k: form.cleaned_data[k] for k in services.SERVICE_RECORD_FIELDS}
                try:
                    services.service_record_correct(
                        user=request.user,
                        record=record,
                        reason=form.cleaned_data["reason"],
                        **values,
                    )
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                except ActionRefusedError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Service record corrected."))
                    return redirect("funds:service_records", pk=record.contract_id)
    return render(
        request,
        "funds/service_record_edit.html",
        {"record": record, "form": form, "withdraw_form": withdraw_form},
    )


# --- ledger and overview ---------------------------------------------------------------------


@login_required
def ledger(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    decision = can_view_ledger(request.user)
    decision.require()
    form = LedgerFilterForm(request.GET or None)
    fmt = request.GET.get("format", "")
    if form.is_bound and not form.is_valid():
        # A filter that does not parse (?bureau=abc, ?start=2026-13-45, ?project=0) is not "no
        # filter": a finance officer reconciling one project or one month would take the whole
        # ledger's entries and totals for theirs. So, as on the trial balance, the form with its
        # errors and no entries (an empty page is not mistaken for a result), and no file: an
        # export under a filtered request is refused (400) rather than be the whole ledger.
        if fmt in ("csv", "xlsx", "pdf"):
            return HttpResponseBadRequest(
                _("The ledger was not exported: %(errors)s") % {"errors": _form_errors(form)},
                content_type="text/plain; charset=utf-8",
            )
        return render(
            request,
            "funds/ledger.html",
            {"form": form, "ngos": Organization.objects.filter(kind=OrgKind.NGO).order_by("name")},
        )
    filters = form.cleaned_data if form.is_bound else {}
    qs = selectors.ledger_entries(user=request.user, **{k: v for k, v in filters.items() if v})
    head = LedgerHead.objects.filter(pk=1).first()
    if fmt == "csv":
        return csv_response(ledger_csv(qs), "sanshe-ledger.csv")
    if fmt == "xlsx":
        return stream_xlsx(
            xlsx_rows(qs), header(), "sanshe-ledger.xlsx", sheet_title=_("Ledger"), fast=True
        )
    if fmt == "pdf":
        response = HttpResponse(documents.ledger_pdf(qs, head), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="sanshe-ledger.pdf"'
        return response
    # The chain is verified by a background job (it reads every entry); the page shows the
    # reader's latest one, with its progress while it runs.
    verification = (
        ExportJob.objects.filter(requested_by=request.user, kind="ledger_verify")
        .order_by("-created_at", "-id")
        .first()
    )
    page = selectors.ledger_keyset_page(
        qs, after=_seq_param(request, "after"), before=_seq_param(request, "before")
    )
    filtered = any(filters.get(k) for k in ("bureau", "project", "supplier", "start", "end"))
    # The filters without the position, for the export buttons and the pager's links.
    query = request.GET.copy()
    for key in ("after", "before", "page", "verify"):
        query.pop(key, None)
    return render(
        request,
        "funds/ledger.html",
        {
            "page": page,
            "totals": selectors.ledger_page_totals(
                user=request.user, filtered=filtered, qs=qs, head=head
            ),
            "form": form,
            "head": head,
            "verification": verification,
            "query": query.urlencode(),
            "ngos": Organization.objects.filter(kind=OrgKind.NGO).order_by("name"),
        },
    )


def _form_errors(form: forms.Form) -> str:
    """A form's errors as one line, each after its field's label (民政局ID：输入整数。)."""
    parts = [str(e) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            parts += [f"{form.fields[name].label}：{e}" for e in errors]
    return " ".join(parts)


def _seq_param(request: AuthenticatedHttpRequest, name: str) -> int | None:
    """A keyset position (`?after=` / `?before=`): a sequence number, else none."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@login_required
def trial_balance(request: AuthenticatedHttpRequest) -> HttpResponse:
    """试算平衡表 of a contract, project, bureau or the whole book at a date, with the
    reconciliation of the book's invariants against the records' states.

    A contract or project is computed with the page; a bureau or the whole book takes seconds at
    provincial scale, so the page offers a background job and shows the reader's latest one for
    that scope: its progress, then its tables."""
    decision = can_view_ledger(request.user)
    decision.require()
    form = TrialBalanceForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A scope that does not parse is not the whole book: the errors only, no job to queue
        # and no one else's scope's tables.
        return render(request, "funds/trial_balance.html", {"form": form})
    data = form.cleaned_data if form.is_bound else {}
    # Built for every scope (lazy querysets): a contract or project the reader may not see is a
    # 404 here, before any job of theirs is looked up.
    scope = selectors.book_scope(
        user=request.user,
        contract=data.get("contract"),
        project=data.get("project"),
        bureau=data.get("bureau"),
    )
    context: dict[str, Any] = {"form": form, "scope": scope}
    if book_jobs.is_large(data):
        job = book_jobs.latest_job(user=request.user, data=data)
        result = book_jobs.job_result(user=request.user, job=job) if job else None
        context.update(
            {
                "job": job,
                "result": result,
                "job_query": urlencode(book_jobs.job_params(data)),
                "book": result.book if result else None,
                "reconciliation": result.reconciliation if result else None,
            }
        )
    else:
        context.update(
            {
                "book": books.trial_balance(scope.entries, as_of=data.get("as_of")),
                "reconciliation": books.reconcile(scope.entries, scope.contracts),
            }
        )
    return render(request, "funds/trial_balance.html", context)


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    decision = can_view_ledger(request.user)
    decision.require()
    data = selectors.funds_overview(user=request.user, page=request.GET.get("page"))
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
        deliverable.file, can_view_deliverable(request.user, deliverable)
    )


# --- bonds -----------------------------------------------------------------------------------


@login_required
def bonds(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Bid and performance bonds held and returned; finance records them here."""
    decision = can_view_ledger(request.user)
    decision.require()
    form = BondReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tender = Tender.objects.filter(pk=data["tender"]).first() if data["tender"] else None
        contract = (
            Contract.objects.filter(pk=data["contract"]).first() if data["contract"] else None
        )
        payer = get_object_or_404(Organization, pk=data["payer"])
        try:
            bond_receive(
                actor=request.user,
                kind=data["kind"],
                payer=payer,
                amount=data["amount"],
                received_on=data["received_on"],
                tender=tender,
                contract=contract,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ActionRefusedError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Bond recorded."))
            return redirect("funds:bonds")
    today = timezone.localdate()
    page = Paginator(selectors.bond_list(user=request.user), 50).get_page(request.GET.get("page"))
    rows = [(b, b.return_due_by()) for b in page.object_list]
    return render(
        request,
        "funds/bonds.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "today": today,
            "return_form": BondReturnForm(),
        },
    )


@login_required
@require_POST
def bond_return_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bond = get_object_or_404(selectors.bond_list(user=request.user), pk=pk)
    form = BondReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the bond was returned."))
        return redirect("funds:bonds")
    try:
        bond_return(bond=bond, actor=request.user, returned_on=form.cleaned_data["returned_on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ActionRefusedError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Bond returned."))
    return redirect("funds:bonds")
