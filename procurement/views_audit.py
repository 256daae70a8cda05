"""Pages for what an audit checks: the random expert draw, objections and complaints with their
windows, the 采购文件, the contract notice and filing, and the 采购意向. views.py holds the
main flow; these sit beside it so neither grows past a readable size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.actions import act_and_redirect
from core.arrival import arrival_time
from core.files import protected_file_response
from procurement import expert_draw, objections, publication, rounds, selectors, services
from procurement.models import (
    Complaint,
    Contract,
    NegotiationRound,
    Objection,
    PanelMember,
    ProcurementIntent,
    Tender,
)
from projects.models import ServiceProject
from projects.permissions import can_view_project


def _aware(value: str) -> dt.datetime | None:
    parsed = parse_datetime(value.strip()) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


# --- panel draw --------------------------------------------------------------------------------


@login_required
@require_POST
def panel_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        tender,
        lambda: expert_draw.panel_draw(tender=tender, actor=request.user),
        _("Experts drawn at random from the pool; the draw is recorded."),
    )


@login_required
@require_POST
def panel_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(PanelMember.objects.select_related("tender"), pk=pk)
    tender = selectors.tender_get(user=request.user, pk=member.tender_id)
    return act_and_redirect(
        request,
        tender,
        lambda: expert_draw.panel_decline(
            member=member, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("The expert declined; a replacement was drawn."),
    )


@login_required
@require_POST
def panel_chair(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(PanelMember.objects.select_related("tender"), pk=pk)
    tender = selectors.tender_get(user=request.user, pk=member.tender_id)
    return act_and_redirect(
        request,
        tender,
        lambda: services.panel_chair_set(tender=tender, actor=request.user, member=member),
        _("Chair recorded."),
    )


# --- objections and complaints ----------------------------------------------------------------


@login_required
@require_POST
def objection_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    known_on = (
        parse_date(request.POST.get("known_on", "") or "") if request.POST.get("known_on") else None
    )
    return act_and_redirect(
        request,
        tender,
        lambda: objections.objection_file(
            tender=tender,
            actor=request.user,
            kind=request.POST.get("kind", "result"),
            known_on=known_on,
            text=request.POST.get("text", ""),
            now=arrival_time(request),
        ),
        _("Objection filed; the bureau answers within 7 working days."),
    )


def _objection(request: AuthenticatedHttpRequest, pk: int) -> Objection:
    item = get_object_or_404(Objection.objects.select_related("tender", "tender__project"), pk=pk)
    selectors.tender_get(user=request.user, pk=item.tender_id)
    return item


@login_required
@require_POST
def objection_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _objection(request, pk)
    return act_and_redirect(
        request,
        item.tender,
        lambda: objections.objection_answer(
            objection=item,
            actor=request.user,
            answer=request.POST.get("text", ""),
            upheld=request.POST.get("upheld") == "1",
            now=arrival_time(request),
        ),
        _("Answer recorded."),
    )


@login_required
@require_POST
def objection_remedy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _objection(request, pk)
    return act_and_redirect(
        request,
        item.tender,
        lambda: objections.objection_remedy(
            objection=item,
            actor=request.user,
            remedy=request.POST.get("remedy", ""),
            bid_deadline=_aware(request.POST.get("bid_deadline", "")),
            opening_at=_aware(request.POST.get("opening_at", "")),
        ),
        _("The action the law gives for the upheld objection is recorded."),
    )


@login_required
@require_POST
def complaint_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _objection(request, pk)
    return act_and_redirect(
        request,
        item.tender,
        lambda: objections.complaint_file(
            objection=item,
            actor=request.user,
            finance_department=request.POST.get("finance_department", ""),
            text=request.POST.get("text", ""),
            now=arrival_time(request),
        ),
        _("Complaint filed with the finance department."),
    )


@login_required
@require_POST
def complaint_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.select_related("objection__tender__project"), pk=pk
    )
    tender = selectors.tender_get(user=request.user, pk=complaint.objection.tender_id)
    decided_on = parse_date(request.POST.get("decided_on", "") or "") or timezone.localdate()
    return act_and_redirect(
        request,
        tender,
        lambda: objections.complaint_decide(
            complaint=complaint,
            actor=request.user,
            upheld=request.POST.get("upheld") == "1",
            decision=request.POST.get("decision", ""),
            reference=request.POST.get("reference", ""),
            decided_on=decided_on,
        ),
        _("The finance department's decision is recorded."),
    )


# --- procurement documents ---------------------------------------------------------------------


@login_required
@require_POST
def documents_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    upload = request.FILES.get("documents_file")
    if upload is None:
        messages.error(request, _("Choose the PDF of the procurement documents."))
        return redirect(tender)
    return act_and_redirect(
        request,
        tender,
        lambda: publication.tender_documents_upload(
            tender=tender, actor=request.user, upload=upload
        ),
        _("Procurement documents uploaded."),
    )


def documents_download(request: HttpRequest, pk: int) -> FileResponse:
    """The 采购文件, for anyone once the notice is published (no login)."""
    tender = get_object_or_404(Tender.objects.select_related("project"), pk=pk)
    return protected_file_response(
        tender.documents_file, publication.can_download_documents(request.user, tender)
    )


# --- contract notice and filing ----------------------------------------------------------------


@login_required
@require_POST
def contract_publish_notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        contract,
        lambda: publication.contract_publish_notice(contract=contract, actor=request.user),
        _("The contract notice is published."),
    )


@login_required
@require_POST
def contract_filing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        contract,
        lambda: publication.contract_record_filing(
            contract=contract, actor=request.user, reference=request.POST.get("reference", "")
        ),
        _("The filing (备案) is recorded."),
    )


def contract_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """合同公告: public once published, without login."""
    contract = get_object_or_404(
        Contract.objects.select_related("project", "project__bureau", "supplier", "tender"),
        pk=pk,
        notice_published_at__isnull=False,
    )
    return render(request, "procurement/contract_notice.html", {"contract": contract})


# --- procurement intentions ---------------------------------------------------------------------


def intents(request: HttpRequest) -> HttpResponse:
    """采购意向公开: public list."""
    rows = ProcurementIntent.objects.select_related("project", "project__bureau")[:200]
    return render(request, "procurement/intents.html", {"intents": rows})


@login_required
@require_POST
def intent_publish(request: AuthenticatedHttpRequest, project_pk: int) -> HttpResponse:
    project = get_object_or_404(ServiceProject, pk=project_pk)
    if not can_view_project(request.user, project):
        raise PermissionDenied
    try:
        budget = Decimal(request.POST.get("budget", "").replace(",", "").strip())
    except InvalidOperation:
        budget = Decimal(0)
    return act_and_redirect(
        request,
        project,
        lambda: publication.intent_publish(
            project=project,
            actor=request.user,
            summary=request.POST.get("summary", ""),
            budget=budget,
            planned_month=request.POST.get("planned_month", "").strip(),
        ),
        _("The procurement intention is published."),
    )


# --- 磋商/谈判 rounds ----------------------------------------------------------------------------


@login_required
@require_POST
def round_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    closes_at = _aware(request.POST.get("closes_at", ""))
    if closes_at is None:
        messages.error(request, _("Give the time the offers close."))
        return redirect(tender)
    return act_and_redirect(
        request,
        tender,
        lambda: rounds.round_open(
            tender=tender,
            actor=request.user,
            topics=request.POST.get("topics", ""),
            closes_at=closes_at,
            is_final=request.POST.get("is_final") == "1",
        ),
        _("The round is open."),
    )


def _round(request: AuthenticatedHttpRequest, pk: int) -> NegotiationRound:
    found = get_object_or_404(NegotiationRound.objects.select_related("tender"), pk=pk)
    selectors.tender_get(user=request.user, pk=found.tender_id)
    return found


@login_required
@require_POST
def round_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _round(request, pk)
    try:
        price = Decimal(request.POST.get("price", "").replace(",", "").strip())
    except InvalidOperation:
        price = Decimal(0)
    return act_and_redirect(
        request,
        found.tender,
        lambda: rounds.offer_submit(
            round=found,
            actor=request.user,
            price=price,
            note=request.POST.get("note", ""),
            now=arrival_time(request),
        ),
        _("Offer received."),
    )


@login_required
@require_POST
def round_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _round(request, pk)
    return act_and_redirect(
        request,
        found.tender,
        lambda: rounds.round_close(round=found, actor=request.user),
        _("The round is closed."),
    )
