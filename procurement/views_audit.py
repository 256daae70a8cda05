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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.actions import act_and_redirect, post_action
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


def _tender(request: AuthenticatedHttpRequest, pk: int) -> Tender:
    return selectors.tender_get(user=request.user, pk=pk)


def _member(request: AuthenticatedHttpRequest, pk: int) -> PanelMember:
    member = get_object_or_404(PanelMember.objects.select_related("tender"), pk=pk)
    selectors.tender_get(user=request.user, pk=member.tender_id)
    return member


def _member_tender(member: PanelMember) -> Tender:
    return member.tender


panel_draw = post_action(
    _tender,
    lambda request, tender: expert_draw.panel_draw(tender=tender, actor=request.user),
    gettext_lazy("Experts drawn at random from the pool; the draw is recorded."),
)

panel_decline = post_action(
    _member,
    lambda request, member: expert_draw.panel_decline(
        member=member, actor=request.user, reason=request.POST.get("reason", "")
    ),
    gettext_lazy("The expert declined; a replacement was drawn."),
    target=_member_tender,
)

panel_chair = post_action(
    _member,
    lambda request, member: services.panel_chair_set(
        tender=member.tender, actor=request.user, member=member
    ),
    gettext_lazy("Chair recorded."),
    target=_member_tender,
)


# --- objections and complaints ----------------------------------------------------------------


def _objection_file(request: AuthenticatedHttpRequest, tender: Tender) -> Objection:
    known_on = (
        parse_date(request.POST.get("known_on", "") or "") if request.POST.get("known_on") else None
    )
    return objections.objection_file(
        tender=tender,
        actor=request.user,
        kind=request.POST.get("kind", "result"),
        known_on=known_on,
        text=request.POST.get("text", ""),
        now=arrival_time(request),
    )


objection_file = post_action(
    _tender,
    _objection_file,
    gettext_lazy("Objection filed; the bureau answers within 7 working days."),
)


def _objection(request: AuthenticatedHttpRequest, pk: int) -> Objection:
    item = get_object_or_404(Objection.objects.select_related("tender", "tender__project"), pk=pk)
    selectors.tender_get(user=request.user, pk=item.tender_id)
    return item


def _objection_tender(item: Objection) -> Tender:
    return item.tender


objection_answer = post_action(
    _objection,
    lambda request, item: objections.objection_answer(
        objection=item,
        actor=request.user,
        answer=request.POST.get("text", ""),
        upheld=request.POST.get("upheld") == "1",
        now=arrival_time(request),
    ),
    gettext_lazy("Answer recorded."),
    target=_objection_tender,
)

objection_remedy = post_action(
    _objection,
    lambda request, item: objections.objection_remedy(
        objection=item,
        actor=request.user,
        remedy=request.POST.get("remedy", ""),
        bid_deadline=_aware(request.POST.get("bid_deadline", "")),
        opening_at=_aware(request.POST.get("opening_at", "")),
    ),
    gettext_lazy("The action the law gives for the upheld objection is recorded."),
    target=_objection_tender,
)

complaint_file = post_action(
    _objection,
    lambda request, item: objections.complaint_file(
        objection=item,
        actor=request.user,
        finance_department=request.POST.get("finance_department", ""),
        text=request.POST.get("text", ""),
        now=arrival_time(request),
    ),
    gettext_lazy("Complaint filed with the finance department."),
    target=_objection_tender,
)


def _complaint(request: AuthenticatedHttpRequest, pk: int) -> Complaint:
    complaint = get_object_or_404(
        Complaint.objects.select_related("objection__tender__project"), pk=pk
    )
    selectors.tender_get(user=request.user, pk=complaint.objection.tender_id)
    return complaint


complaint_decide = post_action(
    _complaint,
    lambda request, complaint: objections.complaint_decide(
        complaint=complaint,
        actor=request.user,
        upheld=request.POST.get("upheld") == "1",
        decision=request.POST.get("decision", ""),
        reference=request.POST.get("reference", ""),
        decided_on=parse_date(request.POST.get("decided_on", "") or "") or timezone.localdate(),
    ),
    gettext_lazy("The finance department's decision is recorded."),
    target=lambda complaint: complaint.objection.tender,
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


def _contract(request: AuthenticatedHttpRequest, pk: int) -> Contract:
    return selectors.contract_get(user=request.user, pk=pk)


contract_publish_notice = post_action(
    _contract,
    lambda request, contract: publication.contract_publish_notice(
        contract=contract, actor=request.user
    ),
    gettext_lazy("The contract notice is published."),
)

contract_filing = post_action(
    _contract,
    lambda request, contract: publication.contract_record_filing(
        contract=contract, actor=request.user, reference=request.POST.get("reference", "")
    ),
    gettext_lazy("The filing (备案) is recorded."),
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


def _project(request: AuthenticatedHttpRequest, pk: int) -> ServiceProject:
    project = get_object_or_404(ServiceProject, pk=pk)
    if not can_view_project(request.user, project):
        raise PermissionDenied
    return project


def _amount(raw: str) -> Decimal:
    """A typed amount ("1,200.00"); anything else is 0, which the service refuses."""
    try:
        return Decimal(raw.replace(",", "").strip())
    except InvalidOperation:
        return Decimal(0)


intent_publish = post_action(
    _project,
    lambda request, project: publication.intent_publish(
        project=project,
        actor=request.user,
        summary=request.POST.get("summary", ""),
        budget=_amount(request.POST.get("budget", "")),
        planned_month=request.POST.get("planned_month", "").strip(),
    ),
    gettext_lazy("The procurement intention is published."),
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


def _round_tender(found: NegotiationRound) -> Tender:
    return found.tender


round_offer = post_action(
    _round,
    lambda request, found: rounds.offer_submit(
        round=found,
        actor=request.user,
        price=_amount(request.POST.get("price", "")),
        note=request.POST.get("note", ""),
        now=arrival_time(request),
    ),
    gettext_lazy("Offer received."),
    target=_round_tender,
)

round_close = post_action(
    _round,
    lambda request, found: rounds.round_close(round=found, actor=request.user),
    gettext_lazy("The round is closed."),
    target=_round_tender,
)
