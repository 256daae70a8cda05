"""Procurement pages: thin views over selectors (read) and services (write).

Size: one thin view per procurement page (about forty), each a few lines over a selector or a
service; views_audit.py already holds the audit pages.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from core.actions import act_and_redirect
from core.arrival import arrival_time
from core.files import protected_file_response
from core.fsm import ActionRefusedError, check_transition
from procurement import documents, rules, scoring, selectors, services
from procurement.forms import (
    AmendForm,
    BidForm,
    ContractForm,
    CriterionFormSet,
    MilestoneFormSet,
    ReasonForm,
    TenderForm,
    TextForm,
    criteria_from,
    milestones_from,
)
from procurement.models import (
    CONTRACT_SIGNED_STATES,
    Bid,
    BidState,
    Clarification,
    Contract,
    ContractState,
    ObjectionKind,
    PanelMember,
    Remedy,
    Tender,
    TenderState,
)
from procurement.permissions import (
    can_bid,
    can_create_tender,
    can_manage_contract,
    can_manage_tender,
    can_object,
    can_score,
    can_view_bid_content,
    can_view_bidders,
    can_view_panel,
)
from procurement.services import CriterionInput
from projects.models import ServiceCategory, ServiceProject
from projects.permissions import can_view_project

# --- tenders -----------------------------------------------------------------------------------


@login_required
def tender_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = selectors.tender_list(
        user=request.user,
        search=request.GET.get("q", "").strip(),
        state=request.GET.get("state", ""),
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    for tender in page:
        # The count of bids is itself a secret until the opening (招标投标法第22条).
        if not can_view_bidders(request.user, tender):
            tender.bid_count = None  # type: ignore[attr-defined]
    return render(
        request, "procurement/tender_list.html", {"page": page, "states": TenderState.choices}
    )


@login_required
def tender_create(request: AuthenticatedHttpRequest, project_pk: int) -> HttpResponse:
    project = get_object_or_404(ServiceProject.objects.select_related("bureau"), pk=project_pk)
    if not can_view_project(request.user, project):
        raise Http404
    decision = can_create_tender(request.user, project)
    decision.require()
    form = TenderForm(
        request.POST or None, initial={"title": project.title, "ceiling_price": project.budget}
    )
    criteria = CriterionFormSet(request.POST or None, prefix="criteria")
    return _tender_form_page(
        request,
        form,
        criteria,
        lambda terms, rows: services.tender_create(
            project=project, actor=request.user, criteria=rows, **terms
        ),
        _("Tender saved as a draft. Check the rules below, then publish."),
        {"project": project},
    )


@login_required
def tender_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a draft (e.g. a rule it breaks) before publishing; a published notice stays."""
    tender = selectors.tender_get(user=request.user, pk=pk)
    decision = can_manage_tender(request.user, tender)
    decision.require()
    if tender.state != TenderState.DRAFT:
        messages.error(request, _("Only a draft tender can be changed; a published notice stays."))
        return redirect(tender)
    form = TenderForm(request.POST or None, instance=tender)
    # The saved criteria prefill the rows; once posted, every row is read as typed.
    saved = [
        {"name": c.name, "points": c.points, "guidance": c.guidance} for c in tender.criteria.all()
    ]
    criteria = CriterionFormSet(
        request.POST or None, prefix="criteria", initial=None if request.POST else saved
    )
    return _tender_form_page(
        request,
        form,
        criteria,
        lambda terms, rows: services.tender_update(
            tender=tender, actor=request.user, criteria=rows, **terms
        ),
        _("The draft is updated. Check the rules below, then publish."),
        {"project": tender.project, "tender": tender},
    )


def _tender_form_page(
    request: AuthenticatedHttpRequest,
    form: TenderForm,
    criteria: Any,
    save: Callable[[dict[str, Any], list[CriterionInput]], Tender],
    success: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The tender form's post for a new draft and a corrected one alike: save the terms and the
    criteria, or show the rule refused on the form."""
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        try:
            tender = save(form.cleaned_data, criteria_from(criteria))
        except ValidationError as exc:
            form.add_error(None, exc)
        except ActionRefusedError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success)
            return redirect(tender)
    return render(
        request, "procurement/tender_form.html", {"form": form, "criteria": criteria, **context}
    )


@login_required
def tender_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    user = request.user
    member = next((m for m in tender.panel.all() if m.user_id == user.pk), None)
    own_bid = (
        tender.bids.filter(supplier_id=user.organization_id).first()
        if user.role == Role.NGO
        else None
    )
    evaluating_or_later = tender.state in (
        TenderState.EVALUATING,
        TenderState.AWARDED,
        TenderState.AWARD_PUBLISHED,
        TenderState.CONTRACTED,
    )
    show_ranking = evaluating_or_later and (
        can_manage_tender(user, tender) or member or user.role == Role.AUDITOR
    )
    ranking = (
        scoring.rank(tender)
        if show_ranking
        or tender.state
        in (TenderState.AWARDED, TenderState.AWARD_PUBLISHED, TenderState.CONTRACTED)
        else []
    )
    if not show_ranking and own_bid is not None:
        # A losing bidder sees its own scores only.
        ranking = [r for r in ranking if r.bid.pk == own_bid.pk]
    context = {
        "tender": tender,
        "problems": rules.tender_problems(tender) if tender.state == TenderState.DRAFT else [],
        "panel_problems": rules.panel_problems(tender)
        if tender.state == TenderState.OPENED
        else [],
        "bids": selectors.bids_for(user=user, tender=tender),
        "bidders_hidden": not can_view_bidders(user, tender),
        "panel": selectors.panel_for(user=user, tender=tender),
        "can_see_panel": can_view_panel(user, tender),
        "own_bid": own_bid,
        "member": member,
        "ranking": ranking,
        "tie": scoring.unresolved_tie(ranking) if show_ranking else False,
        "can_manage": can_manage_tender(user, tender),
        "can_bid": can_bid(user, tender),
        "can_score": can_score(user, tender),
        "can_object": can_object(user, tender),
        "can_publish": check_transition(tender, "publish", user),
        "can_open": check_transition(tender, "open_bids", user),
        "can_start": check_transition(tender, "start_evaluation", user),
        "can_publish_award": check_transition(tender, "publish_award", user),
        "clarifications": tender.clarifications.select_related("asked_by"),
        "objections": tender.objections.select_related("bidder", "complaint"),
        "objection_kinds": ObjectionKind.choices,
        "rounds_on": tender.method in ("consultation", "negotiation")
        and tender.state
        in (TenderState.EVALUATING, TenderState.AWARDED, TenderState.AWARD_PUBLISHED),
        "remedies": Remedy.choices,
        "can_record_complaints": user.role == Role.AUDITOR or can_manage_tender(user, tender),
        "draws": tender.draws.all() if can_view_panel(user, tender) else [],
        "experts": User.objects.filter(
            role=Role.BUREAU_STAFF, organization_id=tender.project.bureau_id, is_active=True
        ).select_related("organization")
        if can_manage_tender(user, tender)
        else [],
        "contract": Contract.objects.filter(tender=tender).first(),
        "reason_form": ReasonForm(),
        "text_form": TextForm(),
    }
    return render(request, "procurement/tender_detail.html", context)


def _tender_action(
    request: AuthenticatedHttpRequest, pk: int, action: Callable[[Tender], Any], success: str
) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    return act_and_redirect(request, tender, lambda: action(tender), success)


@login_required
@require_POST
def tender_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _tender_action(
        request,
        pk,
        lambda t: services.tender_publish(tender=t, actor=request.user),
        _("The tender notice is published."),
    )


@login_required
@require_POST
def tender_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _tender_action(
        request,
        pk,
        lambda t: services.tender_cancel(tender=t, actor=request.user, reason=reason),
        _("The tender was cancelled."),
    )


@login_required
@require_POST
def tender_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _tender_action(
        request,
        pk,
        lambda t: services.tender_open(tender=t, actor=request.user),
        _("Bids were opened."),
    )


@login_required
@require_POST
def tender_start_evaluation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _tender_action(
        request,
        pk,
        lambda t: services.tender_start_evaluation(tender=t, actor=request.user),
        _("The panel's evaluation has started."),
    )


@login_required
@require_POST
def tender_award(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _tender_action(
        request,
        pk,
        lambda t: services.tender_award(tender=t, actor=request.user),
        _("The award is confirmed."),
    )


@login_required
@require_POST
def award_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _tender_action(
        request,
        pk,
        lambda t: services.award_publish(tender=t, actor=request.user),
        _("The award notice is published."),
    )


# --- bids ------------------------------------------------------------------------------------


@login_required
def bid_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    decision = can_bid(request.user, tender, arrival_time(request))
    decision.require()
    existing = tender.bids.filter(supplier_id=request.user.organization_id).first()
    initial = (
        {"price": existing.price, "technical_proposal": existing.technical_proposal}
        if existing
        else {}
    )
    form = BidForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.bid_submit(
                tender=tender,
                actor=request.user,
                now=arrival_time(request),
                **form.cleaned_data,
            )
            messages.success(
                request, _("Bid received. Keep your receipt: %(r)s") % {"r": bid.receipt}
            )
            return redirect(tender)
        except ValidationError as exc:
            form.add_error(None, exc)
        except ActionRefusedError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "procurement/bid_form.html", {"form": form, "tender": tender, "existing": existing}
    )


@login_required
@require_POST
def bid_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(
        Bid.objects.select_related("tender"), pk=pk, supplier_id=request.user.organization_id
    )
    return act_and_redirect(
        request,
        bid.tender,
        lambda: services.bid_withdraw(bid=bid, actor=request.user, now=arrival_time(request)),
        _("Your bid was withdrawn."),
    )


@login_required
def bid_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(Bid.objects.select_related("tender", "supplier"), pk=pk)
    decision = can_view_bid_content(request.user, bid)
    decision.require()
    receipt = request.GET.get("receipt", "").strip()
    verified = services.bid_verify_receipt(bid=bid, receipt=receipt) if receipt else None
    return render(
        request,
        "procurement/bid_verify.html",
        {"bid": bid, "receipt": receipt, "verified": verified},
    )


# --- panel -----------------------------------------------------------------------------------


@login_required
@require_POST
def panel_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    user = get_object_or_404(User, pk=request.POST.get("user"))
    return act_and_redirect(
        request,
        tender,
        lambda: services.panel_member_add(
            tender=tender,
            actor=request.user,
            user=user,
            is_expert=user.role == Role.EXPERT,
            is_chair=bool(request.POST.get("is_chair")),
        ),
        _("Panel member added."),
    )


@login_required
@require_POST
def panel_declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        PanelMember.objects.select_related("tender"), tender_id=pk, user=request.user
    )
    conflict = request.POST.get("conflict") == "1"
    return act_and_redirect(
        request,
        member.tender,
        lambda: services.panel_declare(
            member=member, actor=request.user, conflict=conflict, note=request.POST.get("note", "")
        ),
        _("You withdrew from the panel (回避).") if conflict else _("Declaration recorded."),
    )


@login_required
@require_POST
def bid_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(Bid.objects.select_related("tender"), pk=pk)
    valid = request.POST.get("valid") == "1"
    return act_and_redirect(
        request,
        bid.tender,
        lambda: services.bid_review(
            bid=bid, actor=request.user, valid=valid, reason=request.POST.get("reason", "")
        ),
        _("Review recorded."),
    )


@login_required
def score_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    decision = can_score(request.user, tender)
    decision.require()
    member = tender.panel.get(user=request.user)
    criteria = list(tender.criteria.all())
    bids = list(tender.bids.filter(state=BidState.VALID).select_related("supplier"))
    mine = {(s.bid_id, s.criterion_id): s.points for s in member.scores.all()}
    if request.method == "POST":
        points: dict[tuple[int, int], Decimal] = {}
        try:
            for bid in bids:
                for criterion in criteria:
                    raw = request.POST.get(f"s_{bid.pk}_{criterion.pk}", "").strip()
                    if raw:
                        points[(bid.pk, criterion.pk)] = Decimal(raw)
            services.scores_save(tender=tender, actor=request.user, points=points)
            messages.success(request, _("Scores saved."))
            return redirect(tender)
        except InvalidOperation:
            messages.error(request, _("Scores must be numbers."))
        except (ValidationError, ActionRefusedError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    rows = [{"bid": b, "cells": [(c, mine.get((b.pk, c.pk))) for c in criteria]} for b in bids]
    return render(
        request,
        "procurement/score_sheet.html",
        {"tender": tender, "criteria": criteria, "rows": rows},
    )


# --- questions and objections --------------------------------------------------------------


@login_required
@require_POST
def clarification_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    return act_and_redirect(
        request,
        tender,
        lambda: services.clarification_ask(
            tender=tender, actor=request.user, question=request.POST.get("text", "")
        ),
        _("Question sent."),
    )


@login_required
@require_POST
def clarification_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Clarification.objects.select_related("tender", "tender__project"), pk=pk
    )
    return act_and_redirect(
        request,
        item.tender,
        lambda: services.clarification_answer(
            clarification=item, actor=request.user, answer=request.POST.get("text", "")
        ),
        _("Answer published."),
    )


# --- contracts -------------------------------------------------------------------------------


@login_required
def contract_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.contract_list(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "procurement/contract_list.html", {"page": page})


@login_required
def contract_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    decision = can_manage_tender(request.user, tender)
    decision.require()
    form = ContractForm(
        request.POST or None,
        initial={
            "start_date": tender.project.period_start,
            "end_date": tender.project.period_end,
            "number": f"HT-{tender.project.code}",
        },
    )
    plan = MilestoneFormSet(request.POST or None, prefix="milestones")
    if request.method == "POST" and form.is_valid() and plan.is_valid():
        try:
            contract = services.contract_draft(
                tender=tender,
                actor=request.user,
                milestones=milestones_from(plan),
                **form.cleaned_data,
            )
            messages.success(request, _("Contract drafted; the supplier signs first."))
            return redirect(contract)
        except ValidationError as exc:
            form.add_error(None, exc)
        except ActionRefusedError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "procurement/contract_form.html", {"form": form, "plan": plan, "tender": tender}
    )


@login_required
def contract_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "procurement/contract_detail.html",
        {
            "contract": contract,
            "due": contract.due_days(),
            "can_sign_supplier": check_transition(contract, "sign_by_supplier", user),
            "can_sign_bureau": check_transition(contract, "sign_by_bureau", user),
            "can_start": check_transition(contract, "start_service", user),
            "can_manage": can_manage_contract(user, contract),
            "can_amend": can_manage_contract(user, contract)
            and contract.state in (ContractState.SIGNED, ContractState.IN_SERVICE),
            "amend_form": AmendForm(
                initial={"amount": contract.current_amount, "end_date": contract.current_end_date}
            ),
        },
    )


def _contract_action(
    request: AuthenticatedHttpRequest, pk: int, action: Callable[[Contract], Any], success: str
) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    return act_and_redirect(request, contract, lambda: action(contract), success)


@login_required
@require_POST
def contract_sign_supplier(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contract_action(
        request,
        pk,
        lambda c: services.contract_sign_supplier(contract=c, actor=request.user),
        _("Signed by the supplier."),
    )


@login_required
@require_POST
def contract_sign_bureau(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contract_action(
        request,
        pk,
        lambda c: services.contract_sign_bureau(contract=c, actor=request.user),
        _("The contract is in force."),
    )


@login_required
@require_POST
def contract_start_service(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contract_action(
        request,
        pk,
        lambda c: services.contract_start_service(contract=c, actor=request.user),
        _("Service has started."),
    )


@login_required
@require_POST
def contract_amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = AmendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new amount, term end and a reason."))
        return redirect("procurement:contract_detail", pk=pk)
    return _contract_action(
        request,
        pk,
        lambda c: services.contract_amend(contract=c, actor=request.user, **form.cleaned_data),
        _("Amendment recorded as a new version."),
    )


# --- documents -------------------------------------------------------------------------------


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def tender_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(
        Tender.objects.select_related("project__bureau"),
        pk=pk,
        state__in=selectors.PUBLIC_NOTICE_STATES,
    )
    return _pdf(documents.tender_notice(tender), f"tender-{pk}.pdf")


def award_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(
        Tender.objects.select_related("project__bureau"),
        pk=pk,
        state__in=[TenderState.AWARD_PUBLISHED, TenderState.CONTRACTED],
    )
    return _pdf(documents.award_notice(tender), f"award-{pk}.pdf")


def contract_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed contract's text, public with its 合同公告 (实施条例第五十条); not before."""
    contract = get_object_or_404(
        Contract.objects.select_related("project__bureau", "supplier"),
        pk=pk,
        notice_published_at__isnull=False,
    )
    return _pdf(documents.contract_pdf(contract), f"contract-{contract.number}.pdf")


@login_required
def panel_report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tender = selectors.tender_get(user=request.user, pk=pk)
    allowed = (
        can_manage_tender(request.user, tender)
        or request.user.role == Role.AUDITOR
        or tender.panel.filter(user=request.user).exists()
    )
    if not allowed or tender.state not in (
        TenderState.AWARDED,
        TenderState.AWARD_PUBLISHED,
        TenderState.CONTRACTED,
        TenderState.EVALUATING,
    ):
        raise PermissionDenied(
            _("The panel report is for the bureau, the panel and auditors, after scoring.")
        )
    return _pdf(documents.panel_report(tender), f"panel-report-{pk}.pdf")


@login_required
def contract_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    return _pdf(documents.contract_pdf(contract), f"contract-{contract.number}.pdf")


# --- public ----------------------------------------------------------------------------------


def notices(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    qs = selectors.public_notices(
        region=request.GET.get("region", "").strip(),
        category=request.GET.get("category", ""),
        year=int(year) if year.isdigit() else None,
        search=request.GET.get("q", "").strip(),
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request, "procurement/notices.html", {"page": page, "categories": ServiceCategory.choices}
    )


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(
        Tender.objects.select_related(
            "project", "project__bureau", "awarded_bid__supplier"
        ).prefetch_related("criteria"),
        pk=pk,
        state__in=selectors.PUBLIC_NOTICE_STATES,
    )
    answered = tender.clarifications.exclude(answered_at=None)
    return render(
        request,
        "procurement/notice_detail.html",
        {
            "tender": tender,
            "clarifications": answered,
            "panel": selectors.panel_for(user=request.user, tender=tender),
            "contract": Contract.objects.filter(tender=tender, state__in=CONTRACT_SIGNED_STATES)
            .select_related("supplier")
            .first(),
        },
    )


@login_required
def bid_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The bid's proposal file, under the same seal as its price."""
    bid = get_object_or_404(Bid.objects.select_related("tender__project"), pk=pk)
    return protected_file_response(bid.proposal_file, can_view_bid_content(request.user, bid))
