"""Procurement use cases. Each is one transaction; state changes go through run_transition.

Size: about thirty short use cases (tender, bid, panel, award, contract), each found by its
name; objections, rounds, the expert draw and publication already have modules of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event, run_transition
from core.permissions import refuse_unless
from core.signals import contract_amount_changing, contract_drafted, public_notice
from core.uploads import validate_upload
from core.workdays import add_workdays, within_workdays
from documents.rendering import render_html
from documents.selectors import template_source
from procurement import eligibility, rules, scoring
from procurement.models import (
    Bid,
    BidState,
    Clarification,
    Contract,
    ContractAmendment,
    ContractState,
    Criterion,
    PanelMember,
    Score,
    Tender,
    TenderState,
    TieBreak,
)
from procurement.permissions import (
    can_create_tender,
    can_manage_contract,
    can_manage_tender,
    can_score,
    may_ask_clarification,
)
from projects.models import ProjectState, ServiceProject

BID_FILE_KINDS = {"pdf", "docx", "xlsx", "jpg", "png"}
BID_FILE_MAX = 20 * 1024 * 1024


# --- tender ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    name: str
    points: Decimal
    guidance: str = ""


@transaction.atomic
def tender_create(
    *,
    project: ServiceProject,
    actor: User,
    title: str,
    method: str,
    evaluation_method: str,
    ceiling_price: Decimal,
    bid_bond: Decimal,
    price_weight: Decimal,
    qualification_requirements: str,
    service_requirements: str,
    clarification_deadline: dt.datetime,
    bid_deadline: dt.datetime,
    opening_at: dt.datetime,
    criteria: Iterable[CriterionInput] = (),
    is_complex: bool = False,
    tie_break: str = TieBreak.DRAW,
) -> Tender:
    """A draft tender (a new round when an earlier one failed)."""
    project = ServiceProject.objects.select_for_update().get(pk=project.pk)
    refuse_unless(can_create_tender(actor, project))
    running = project.tenders.exclude(state__in=[TenderState.FAILED, TenderState.CANCELLED])
    if running.exists():
        raise ActionRefusedError(_("This project already has a tender in progress."))
    last = project.tenders.aggregate(r=Max("round"))["r"] or 0
    tender = Tender(
        project=project,
        round=last + 1,
        title=title,
        method=method,
        evaluation_method=evaluation_method,
        ceiling_price=ceiling_price,
        bid_bond=bid_bond,
        price_weight=price_weight if evaluation_method == "comprehensive" else Decimal(0),
        qualification_requirements=qualification_requirements,
        service_requirements=service_requirements,
        clarification_deadline=clarification_deadline,
        bid_deadline=bid_deadline,
        opening_at=opening_at,
        is_complex=is_complex,
        tie_break=tie_break,
        created_by=actor,
    )
    tender.full_clean(exclude=["state", "awarded_bid"])
    tender.save()
    Criterion.objects.bulk_create(
        Criterion(tender=tender, name=c.name, points=c.points, guidance=c.guidance, order=i)
        for i, c in enumerate(criteria)
    )
    log_event(tender, "create", actor=actor, created=True)
    return tender


# What a draft may still change; a published notice never changes.
TENDER_TERMS = (
    "title",
    "method",
    "evaluation_method",
    "ceiling_price",
    "bid_bond",
    "price_weight",
    "qualification_requirements",
    "service_requirements",
    "clarification_deadline",
    "bid_deadline",
    "opening_at",
    "is_complex",
    "tie_break",
)


@transaction.atomic
def tender_update(
    *, tender: Tender, actor: User, criteria: Iterable[CriterionInput], **terms: Any
) -> Tender:
    """Correct a draft tender (its terms and its criteria) before it is published."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    refuse_unless(can_manage_tender(actor, locked))
    if locked.state != TenderState.DRAFT:
        raise ActionRefusedError(_("Only a draft tender can be changed; a published notice stays."))
    unknown = set(terms) - set(TENDER_TERMS)
    if unknown:
        raise TypeError(f"not tender terms: {sorted(unknown)}")
    for name, value in terms.items():
        setattr(locked, name, value)
    if locked.evaluation_method != "comprehensive":
        locked.price_weight = Decimal(0)
    locked.full_clean(exclude=["state", "awarded_bid"])
    Tender.objects.filter(pk=locked.pk).update(**{f: getattr(locked, f) for f in TENDER_TERMS})
    locked.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(tender=locked, name=c.name, points=c.points, guidance=c.guidance, order=i)
        for i, c in enumerate(criteria)
    )
    log_event(locked, "edit", actor=actor)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def tender_publish(*, tender: Tender, actor: User, now: dt.datetime | None = None) -> Tender:
    """招标公告: refuse with every broken rule, else publish and move the project to tendering."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    refuse_unless(can_manage_tender(actor, locked))
    if locked.state == TenderState.DRAFT:
        # The notice date the rules count from is the moment of publication.
        Tender.objects.filter(pk=locked.pk).update(publish_at=now or timezone.now())
        locked.refresh_from_db()
    problems = rules.tender_problems(locked)
    if problems:
        raise ActionRefusedError(" ".join(problems))
    published = run_transition(locked, "publish", actor=actor, update_fields=["publish_at"])
    run_transition(published.project, "start_tendering", actor=actor, note=published.title)
    return published


@transaction.atomic
def tender_cancel(*, tender: Tender, actor: User, reason: str) -> Tender:
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    return run_transition(
        tender, "cancel", actor=actor, note=reason, reason=reason, update_fields=["cancel_reason"]
    )


@transaction.atomic
def clarification_ask(*, tender: Tender, actor: User, question: str) -> Clarification:
    refuse_unless(may_ask_clarification(actor, tender))
    if tender.state != TenderState.PUBLISHED:
        raise ActionRefusedError(_("Only a social organisation may ask while the tender is open."))
    if timezone.now() > tender.clarification_deadline:
        raise ActionRefusedError(_("The clarification deadline has passed."))
    if actor.organization is None:
        raise ActionRefusedError(_("Your account belongs to no organisation."))
    return Clarification.objects.create(
        tender=tender, asked_by=actor.organization, question=question
    )


@transaction.atomic
def clarification_answer(
    *, clarification: Clarification, actor: User, answer: str
) -> Clarification:
    refuse_unless(can_manage_tender(actor, clarification.tender))
    if not answer.strip():
        raise ValidationError({"answer": _("An answer is required.")})
    Clarification.objects.filter(pk=clarification.pk).update(
        answer=answer, answered_at=timezone.now()
    )
    clarification.refresh_from_db()
    public_notice.send(sender=Clarification, project_id=clarification.tender.project_id)
    return clarification


# --- bids ------------------------------------------------------------------------------------


@transaction.atomic
def bid_submit(
    *,
    tender: Tender,
    actor: User,
    price: Decimal,
    technical_proposal: str,
    proposal_file: Any = None,
    now: dt.datetime | None = None,
) -> Bid:
    """Submit or revise a sealed bid, judged by `now`: the time the bid ARRIVED.

    Callers pass the request's arrival stamp (core.arrival). The clock is read before waiting
    for the tender lock: a bid that arrived in time stays in time however long the lock is held
    (87号令第33条: bids received before the deadline are accepted).
    """
    now = now or timezone.now()
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if not (locked.state == TenderState.PUBLISHED and now < locked.bid_deadline):
        raise ActionRefusedError(
            _("The bid deadline has passed; nothing can be submitted or changed.")
        )
    if not (actor.role == "ngo" and actor.organization_id):
        raise ActionRefusedError(_("Only a registered social organisation may bid."))
    if price > locked.ceiling_price:
        raise ValidationError(
            {
                "price": _("The price may not exceed the ceiling price of %(c)s yuan.")
                % {"c": locked.ceiling_price}
            }
        )
    if not technical_proposal.strip():
        raise ValidationError({"technical_proposal": _("The technical proposal is required.")})
    file_sha = ""
    if proposal_file is not None:
        validate_upload(proposal_file, kinds=BID_FILE_KINDS, max_bytes=BID_FILE_MAX)
        digest = hashlib.sha256()
        for chunk in proposal_file.chunks():
            digest.update(chunk)
        file_sha = digest.hexdigest()
        proposal_file.seek(0)
    supplier = actor.organization
    if supplier is None:
        raise ActionRefusedError(_("Your account belongs to no organisation."))
    refusals = eligibility.bid_refusals(locked, supplier, now)
    if refusals:
        raise ActionRefusedError(" ".join(refusals))
    bid = Bid.objects.select_for_update().filter(tender=locked, supplier=supplier).first()
    if bid is not None and bid.state != BidState.SUBMITTED:
        raise ActionRefusedError(_("A withdrawn bid cannot be submitted again."))
    if bid is None:
        bid = Bid(tender=locked, supplier=supplier, revision=1)
        event = "submit"
    else:
        bid.revision += 1
        event = "revise"
    bid.price = price
    bid.technical_proposal = technical_proposal
    if proposal_file is not None:
        bid.proposal_file = proposal_file
        bid.file_sha256 = file_sha
    elif event == "submit":
        bid.file_sha256 = ""
    bid.submitted_at = now
    bid.receipt = bid.compute_receipt()
    bid.save()
    # The log holds the receipt, never the price: history must not unseal the bid.
    log_event(
        bid,
        event,
        actor=actor,
        created=event == "submit",
        note=_("receipt %(r)s") % {"r": bid.receipt},
    )
    return bid


@transaction.atomic
def bid_withdraw(*, bid: Bid, actor: User, now: dt.datetime | None = None) -> Bid:
    now = now or timezone.now()  # read before waiting for the lock, as in bid_submit
    tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
    if actor.organization_id != bid.supplier_id:
        raise ActionRefusedError(_("Only the bidder may withdraw its bid."))
    if not (now < tender.bid_deadline and tender.state == TenderState.PUBLISHED):
        raise ActionRefusedError(
            _("The bid deadline has passed; nothing can be submitted or changed.")
        )
    return run_transition(bid, "withdraw", actor=actor)


def bid_verify_receipt(*, bid: Bid, receipt: str) -> bool:
    """True when `receipt` is the SHA-256 of exactly what is stored for this bid."""
    return bid.compute_receipt() == receipt.strip().lower() == bid.receipt


# --- opening, panel, review, scoring -------------------------------------------------------------


@transaction.atomic
def tender_open(*, tender: Tender, actor: User) -> Tender:
    """开标 at the opening time; too few bids makes the tender fail with the legal reason."""
    opened = run_transition(tender, "open_bids", actor=actor)
    submitted = list(opened.bids.select_for_update().filter(state=BidState.SUBMITTED))
    for bid in submitted:
        run_transition(bid, "open", actor=actor)
    minimum = rules.MIN_VALID_BIDS[opened.method]
    if len(submitted) < minimum:
        reason = _("%(method)s needs at least %(min)s bids; %(n)s were submitted (流标).") % {
            "method": opened.get_method_display(),
            "min": minimum,
            "n": len(submitted),
        }
        return run_transition(
            opened,
            "fail",
            actor=actor,
            note=reason,
            reason=reason,
            update_fields=["failure_reason"],
        )
    return opened


@transaction.atomic
def panel_member_add(
    *, tender: Tender, actor: User, user: User, is_expert: bool = True, is_chair: bool = False
) -> PanelMember:
    refuse_unless(can_manage_tender(actor, tender))
    if tender.state not in (TenderState.PUBLISHED, TenderState.OPENED):
        raise ActionRefusedError(_("The panel is formed before the evaluation starts."))
    if user.role == "expert":
        raise ActionRefusedError(
            _("Experts are drawn at random from the expert pool, not chosen (%(source)s).")
            % {"source": rules.EXPERT_DRAW_SOURCE}
        )
    bureau_rep = user.role == "bureau_staff" and user.organization_id == tender.project.bureau_id
    if not bureau_rep or not user.is_active:
        raise ActionRefusedError(
            _("Panel members are drawn experts or staff of the purchasing bureau.")
        )
    is_expert = False
    if is_chair:
        PanelMember.objects.filter(tender=tender, is_chair=True).update(is_chair=False)
    member, _created = PanelMember.objects.update_or_create(
        tender=tender, user=user, defaults={"is_expert": is_expert, "is_chair": is_chair}
    )
    return _seat_logged(member, actor, tender)


def _seat_logged(member: PanelMember, actor: User, tender: Tender) -> PanelMember:
    # Logged on the seat, not on the tender: the tender's public history must not name the
    # panel before the result notice.
    log_event(member, "panel_add", actor=actor, created=True, note=str(member.user))
    return member


@transaction.atomic
def panel_chair_set(*, tender: Tender, actor: User, member: PanelMember) -> PanelMember:
    """The members' choice of chair (组长), recorded by the bureau."""
    refuse_unless(can_manage_tender(actor, tender))
    if member.tender_id != tender.pk or not member.is_active:
        raise ActionRefusedError(_("The chair is an active member of this panel."))
    if tender.state not in (TenderState.PUBLISHED, TenderState.OPENED):
        raise ActionRefusedError(_("The panel is formed before the evaluation starts."))
    PanelMember.objects.filter(tender=tender, is_chair=True).update(is_chair=False)
    PanelMember.objects.filter(pk=member.pk).update(is_chair=True)
    member.refresh_from_db()
    log_event(member, "panel_chair", actor=actor)
    return member


@transaction.atomic
def panel_declare(
    *, member: PanelMember, actor: User, conflict: bool, note: str = ""
) -> PanelMember:
    """Each member declares no tie with any bidder, or withdraws (回避)."""
    if member.user_id != actor.pk:
        raise ActionRefusedError(_("Members declare for themselves."))
    if conflict and not note.strip():
        raise ValidationError({"note": _("Name the bidder you are tied to.")})
    PanelMember.objects.filter(pk=member.pk).update(
        declared_at=timezone.now(), withdrawn=conflict, declaration=note
    )
    member.refresh_from_db()
    log_event(member, "panel_withdraw" if conflict else "panel_declare", actor=actor, note=note)
    return member


@transaction.atomic
def tender_start_evaluation(*, tender: Tender, actor: User) -> Tender:
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    problems = rules.panel_problems(locked)
    if problems:
        raise ActionRefusedError(" ".join(problems))
    return run_transition(locked, "start_evaluation", actor=actor)


@transaction.atomic
def bid_review(*, bid: Bid, actor: User, valid: bool, reason: str = "") -> Bid:
    """资格/符合性审查 by the panel chair, with a reason for each disqualified bid."""
    if valid:
        return run_transition(bid, "qualify", actor=actor, update_fields=["invalid_reason"])
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason the bid is disqualified.")})
    return run_transition(
        bid, "disqualify", actor=actor, note=reason, reason=reason, update_fields=["invalid_reason"]
    )


@transaction.atomic
def scores_save(
    *, tender: Tender, actor: User, points: Mapping[tuple[int, int], Decimal]
) -> list[Score]:
    """One member's scores, keyed by (bid id, criterion id); each within the criterion's points."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    refuse_unless(can_score(actor, locked))
    member = locked.panel.get(user=actor)
    criteria = {c.pk: c for c in locked.criteria.all()}
    bids = {b.pk: b for b in locked.bids.filter(state=BidState.VALID)}
    errors = []
    saved = []
    for (bid_id, criterion_id), value in points.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or bid_id not in bids:
            errors.append(_("Unknown bid or criterion."))
            continue
        if not (Decimal(0) <= value <= criterion.points):
            errors.append(
                _("%(criterion)s: a score must be between 0 and %(max)s; %(v)s was given.")
                % {"criterion": criterion.name, "max": criterion.points, "v": value}
            )
            continue
        score, _created = Score.objects.update_or_create(
            member=member, bid_id=bid_id, criterion=criterion, defaults={"points": value}
        )
        saved.append(score)
    if errors:
        raise ValidationError(errors)
    log_event(locked, "score", actor=actor)
    return saved


@transaction.atomic
def tender_award(*, tender: Tender, actor: User) -> Tender:
    """定标: the first-ranked valid bid wins; too few valid bids makes the tender fail instead."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    refuse_unless(can_manage_tender(actor, locked))
    if locked.state != TenderState.EVALUATING:
        # Another award after the notice only comes from an upheld objection (objections.py).
        raise ActionRefusedError(_("The award is confirmed at the end of the evaluation."))
    reviewed = locked.bids.exclude(state__in=[BidState.WITHDRAWN, BidState.SUBMITTED])
    if reviewed.filter(state=BidState.OPENED).exists():
        raise ActionRefusedError(_("Every opened bid needs a qualification decision first."))
    valid = reviewed.filter(state=BidState.VALID).count()
    minimum = rules.MIN_VALID_BIDS[locked.method]
    if valid < minimum:
        reason = _(
            "%(method)s needs at least %(min)s valid bids; %(n)s remain after review (废标)."
        ) % {
            "method": locked.get_method_display(),
            "min": minimum,
            "n": valid,
        }
        return run_transition(
            locked,
            "fail",
            actor=actor,
            note=reason,
            reason=reason,
            update_fields=["failure_reason"],
        )
    ranking = scoring.rank(locked)
    if scoring.unresolved_tie(ranking):
        # The tender's stated rules leave a tie: the last step is a recorded random draw.
        scoring.draw_tie(locked, ranking, actor=actor)
        ranking = scoring.rank(locked)
    winner = ranking[0].bid
    awarded = run_transition(
        locked,
        "award",
        actor=actor,
        bid=winner,
        update_fields=["awarded_bid", "awarded_at"],
        note=_("%(supplier)s, total %(total)s")
        % {"supplier": winner.supplier, "total": ranking[0].total},
    )
    run_transition(winner, "win", actor=actor)
    for bid in locked.bids.filter(state__in=[BidState.VALID, BidState.INVALID]).exclude(
        pk=winner.pk
    ):
        run_transition(bid, "lose", actor=actor)
    return awarded


@transaction.atomic
def award_publish(*, tender: Tender, actor: User) -> Tender:
    """中标（成交）公告; a notice later than 2 working days after the award is flagged in the log."""
    published = run_transition(
        tender, "publish_award", actor=actor, update_fields=["award_published_at"]
    )
    if published.awarded_at is None or published.award_published_at is None:  # pragma: no cover
        raise ActionRefusedError(_("The award has no date."))
    awarded_on = timezone.localdate(published.awarded_at)
    # Whether it is late needs the calendar only up to today (the due day may be next year's).
    if not within_workdays(
        awarded_on, rules.AWARD_NOTICE_WORKDAYS, timezone.localdate(published.award_published_at)
    ):
        due = add_workdays(awarded_on, rules.AWARD_NOTICE_WORKDAYS)
        log_event(
            published,
            "late_award_notice",
            actor=actor,
            note=_("Published after the 2-working-day limit (due %(due)s).") % {"due": due},
        )
    return published


# --- contract --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneInput:
    name: str
    percentage: Decimal
    due_date: dt.date
    is_advance: bool = False
    deliverables: str = ""


def _render_contract(contract: Contract, milestones: list[Any]) -> str:
    source = template_source(key="contract", bureau=contract.project.bureau)
    return render_html(
        source, {"contract": contract, "project": contract.project, "milestones": milestones}
    )


@transaction.atomic
def contract_draft(
    *,
    tender: Tender,
    actor: User,
    number: str,
    start_date: dt.date,
    end_date: dt.date,
    milestones: list[MilestoneInput],
    performance_bond: Decimal = Decimal(0),
    term_reason: str = "",
    service_content: str = "",
    advance_reason: str = "",
) -> Contract:
    """Draft the contract with the winner from the bureau's template, with its payment milestones."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    refuse_unless(can_manage_tender(actor, locked))
    if locked.state != TenderState.AWARD_PUBLISHED or locked.awarded_bid is None:
        raise ActionRefusedError(_("A contract is drafted after the award notice is published."))
    if not locked.no_suspending_objection():
        raise ActionRefusedError(_("An objection that suspends the award is still unanswered."))
    if locked.award_published_at is None:  # pragma: no cover - state checked above
        raise ActionRefusedError(_("The award notice has not been published."))
    if timezone.localdate() > rules.sign_deadline(locked):
        raise ActionRefusedError(
            _(
                "The contract must be signed within 30 days of the award notice "
                "(政府采购法第46条); that period has ended."
            )
        )
    if Contract.objects.filter(tender=locked).exists():
        raise ActionRefusedError(_("This tender already has a contract."))
    winner = locked.awarded_bid
    contract = Contract(
        project=locked.project,
        supplier=winner.supplier,
        tender=locked,
        number=number,
        amount=winner.price,
        start_date=start_date,
        end_date=end_date,
        term_reason=term_reason,
        performance_bond=performance_bond,
        service_content=service_content or locked.service_requirements,
        advance_reason=advance_reason,
    )
    percentages = [m.percentage for m in milestones]
    advance = next((m.percentage for m in milestones if m.is_advance), None)
    problems = rules.contract_problems(
        contract, percentages=percentages, advance_percentage=advance
    )
    problems += eligibility.contract_refusals(locked.project, contract.amount)
    if problems:
        raise ActionRefusedError(" ".join(problems))
    contract.full_clean(exclude=["state", "document"])
    contract.save()
    contract_drafted.send(sender=Contract, contract=contract, milestones=milestones)
    rows = list(contract.milestones.order_by("sequence"))
    Contract.objects.filter(pk=contract.pk).update(document=_render_contract(contract, rows))
    contract.refresh_from_db()
    log_event(contract, "draft", actor=actor, created=True)
    return contract


@transaction.atomic
def contract_sign_supplier(*, contract: Contract, actor: User) -> Contract:
    return run_transition(
        contract, "sign_by_supplier", actor=actor, update_fields=["supplier_signed_at"]
    )


@transaction.atomic
def contract_sign_bureau(*, contract: Contract, actor: User) -> Contract:
    """Second signature: the contract is in force; the tender and the project move on."""
    signed = run_transition(contract, "sign_by_bureau", actor=actor, update_fields=["signed_at"])
    if signed.tender is not None:
        run_transition(signed.tender, "mark_contracted", actor=actor)
    if signed.project.state == ProjectState.TENDERING:
        run_transition(signed.project, "mark_contracted", actor=actor, note=signed.number)
    return signed


@transaction.atomic
def contract_start_service(*, contract: Contract, actor: User) -> Contract:
    started = run_transition(contract, "start_service", actor=actor)
    if started.project.state == ProjectState.CONTRACTED:
        run_transition(started.project, "start_service", actor=actor, note=started.number)
    return started


@transaction.atomic
def contract_amend(
    *, contract: Contract, actor: User, amount: Decimal, end_date: dt.date, reason: str
) -> ContractAmendment:
    """变更: a new version with a readable diff; the signed contract row is never edited."""
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    refuse_unless(can_manage_contract(actor, locked))
    if locked.state not in (ContractState.SIGNED, ContractState.IN_SERVICE):
        raise ActionRefusedError(_("Only a contract in force can be amended."))
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    old_amount, old_end = locked.current_amount, locked.current_end_date
    changes = []
    if amount != old_amount:
        changes.append(_("amount: %(a)s → %(b)s") % {"a": old_amount, "b": amount})
    if end_date != old_end:
        changes.append(_("term end: %(a)s → %(b)s") % {"a": old_end, "b": end_date})
    if not changes:
        raise ValidationError(_("The amendment changes nothing."))
    cap = (locked.amount * (1 + rules.AMENDMENT_ADD_MAX)).quantize(Decimal("0.01"))
    if amount > cap:
        raise ActionRefusedError(
            _(
                "An amendment may add at most %(share)s%% to the original contract amount "
                "(at most %(cap)s yuan in all; %(source)s)."
            )
            % {
                "share": int(rules.AMENDMENT_ADD_MAX * 100),
                "cap": cap,
                "source": rules.AMENDMENT_SOURCE,
            }
        )
    contract_amount_changing.send(sender=Contract, contract=locked, amount=amount)
    refusals = eligibility.contract_refusals(locked.project, amount)
    if refusals:
        raise ActionRefusedError(" ".join(refusals))
    version = (locked.amendments.aggregate(v=Max("version"))["v"] or 0) + 1
    amendment = ContractAmendment.objects.create(
        contract=locked,
        version=version,
        amount=amount,
        end_date=end_date,
        reason=reason,
        diff="\n".join(changes),
        created_by=actor,
    )
    log_event(locked, "amend", actor=actor, note="; ".join(changes))
    return amendment
