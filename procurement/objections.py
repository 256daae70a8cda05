"""质疑 and 投诉: objections against the documents, the process or the result, the bureau's answer,
what an upheld objection leads to, and the complaint to the finance department.

Windows (working days by core.workdays, which refuses a year without an official calendar):
- documents: 7 working days from the end of the documents' 5-working-day provision period;
- process: 7 working days from the day the step objected to ended;
- result: 7 working days from the end of the result notice's publication period (1 working day)
  (政府采购法第52条, 实施条例第53条); the bureau answers within 7 working days (法第53条);
  a complaint follows within 15 working days of the answer or of its due date (法第55条).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event, run_transition
from core.permissions import refuse_unless
from core.workdays import add_workdays, workdays_between
from procurement import rules, scoring
from procurement.models import (
    Bid,
    BidState,
    Complaint,
    Objection,
    ObjectionKind,
    ObjectionState,
    Remedy,
    Tender,
    TenderState,
)
from procurement.permissions import (
    can_answer_objection,
    can_record_complaint_decision,
    may_complain,
    may_object,
)

DOCUMENTS_PROVISION_WORKDAYS = 5  # 财政部令第87号第16条: documents offered ≥ 5 working days

REMEDIES_FOR = {
    ObjectionKind.DOCUMENTS: [Remedy.CORRECT_DOCUMENTS, Remedy.RETENDER],
    ObjectionKind.PROCESS: [Remedy.REEVALUATE, Remedy.REAWARD, Remedy.RETENDER],
    ObjectionKind.RESULT: [Remedy.REEVALUATE, Remedy.REAWARD, Remedy.RETENDER],
}


def _refuse(message: str) -> ActionRefusedError:
    return ActionRefusedError(message)


def window_start(tender: Tender, kind: str, known_on: dt.date | None) -> dt.date:
    """The day the 7 working days are counted from (实施条例第53条)."""
    if kind == ObjectionKind.DOCUMENTS:
        if tender.publish_at is None:
            raise _refuse(_("The documents have not been published."))
        return add_workdays(timezone.localdate(tender.publish_at), DOCUMENTS_PROVISION_WORKDAYS)
    if kind == ObjectionKind.PROCESS:
        if known_on is None:
            raise ValidationError({"known_on": _("Give the day the step you object to ended.")})
        return known_on
    if tender.award_published_at is None or tender.state not in (
        TenderState.AWARD_PUBLISHED,
        TenderState.CONTRACTED,
    ):
        raise _refuse(
            _("An objection against the result is filed after the result notice (实施条例第53条).")
        )
    return rules.result_notice_ends(tender)


def objection_last_day(tender: Tender, kind: str, known_on: dt.date | None = None) -> dt.date:
    return add_workdays(window_start(tender, kind, known_on), rules.OBJECTION_WORKDAYS)


def _may_object(actor: User, tender: Tender, kind: str) -> None:
    decision = may_object(actor, tender, kind)
    refuse_unless(decision)


@transaction.atomic
def objection_file(
    *,
    tender: Tender,
    actor: User,
    text: str,
    kind: str = ObjectionKind.RESULT,
    known_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Objection:
    """File a 质疑 within its window; the answer is due 7 working days later."""
    now = now or timezone.now()
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if kind not in ObjectionKind.values:
        raise ValidationError({"kind": _("Choose what the objection is against.")})
    _may_object(actor, locked, kind)
    if not text.strip():
        raise ValidationError({"text": _("State the objection.")})
    today = timezone.localdate(now)
    if known_on is not None and (
        known_on > today
        or (locked.publish_at is not None and known_on < timezone.localdate(locked.publish_at))
    ):
        raise ValidationError({"known_on": _("The day must lie between the notice and today.")})
    last_day = objection_last_day(locked, kind, known_on)
    if today > last_day:
        raise _refuse(
            _("The objection period ended on %(day)s: 7 working days from %(start)s (%(source)s).")
            % {
                "day": last_day,
                "start": window_start(locked, kind, known_on),
                "source": rules.OBJECTION_SOURCE,
            }
        )
    if actor.organization is None:  # checked by _may_object; here for the type checker
        raise _refuse(_("Your account belongs to no organisation."))
    objection = Objection.objects.create(
        tender=locked,
        bidder=actor.organization,
        kind=kind,
        known_on=known_on,
        text=text,
        filed_at=now,
        answer_due=add_workdays(today, rules.OBJECTION_ANSWER_WORKDAYS),
    )
    log_event(objection, "file", actor=actor, created=True, note=text[:200])
    log_event(locked, "objection", actor=actor, note=objection.get_kind_display())
    return objection


@transaction.atomic
def objection_answer(
    *,
    objection: Objection,
    actor: User,
    answer: str,
    upheld: bool,
    now: dt.datetime | None = None,
) -> Objection:
    """The bureau's written answer; a late answer is still taken, and the log says it was late."""
    now = now or timezone.now()
    refuse_unless(can_answer_objection(actor, objection))
    if not answer.strip():
        raise ValidationError({"answer": _("An answer is required.")})
    answered = run_transition(
        objection,
        "uphold" if upheld else "dismiss",
        actor=actor,
        note=answer[:200],
        answer=answer,
        at=now,
        update_fields=["answer", "upheld", "answered_at"],
    )
    if answered.answer_due and timezone.localdate(now) > answered.answer_due:
        log_event(
            answered,
            "late_answer",
            actor=actor,
            note=_("Answered after the due day %(due)s (%(source)s).")
            % {"due": answered.answer_due, "source": rules.OBJECTION_ANSWER_SOURCE},
        )
    return answered


def _extended_deadline_problem(tender: Tender, bid_deadline: dt.datetime, now: dt.datetime) -> str:
    minimum, unit = rules.CORRECTION_NOTICE[tender.method]
    source = rules.CORRECTION_SOURCE[tender.method]
    today = timezone.localdate(now)
    deadline_day = timezone.localdate(bid_deadline)
    if unit == "days":
        enough = (deadline_day - today).days >= minimum
    else:
        enough = workdays_between(today, deadline_day) >= minimum
    if enough:
        return ""
    return _(
        "After a correction of the documents the deadline must be at least %(min)s %(unit)s "
        "later (%(source)s)."
    ) % {
        "min": minimum,
        "unit": _("days") if unit == "days" else _("working days"),
        "source": source,
    }


@transaction.atomic
def objection_remedy(
    *,
    objection: Objection,
    actor: User,
    remedy: str,
    bid_deadline: dt.datetime | None = None,
    opening_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Objection:
    """Act on an upheld objection the way the law gives (财政部令第94号第16条)."""
    now = now or timezone.now()
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.state != ObjectionState.UPHELD:
        raise _refuse(_("Only an upheld objection is acted on."))
    if remedy not in REMEDIES_FOR[ObjectionKind(locked.kind)]:
        raise ValidationError(
            {
                "remedy": _(
                    "For an objection against %(kind)s the law gives: %(options)s (%(source)s)."
                )
                % {
                    "kind": locked.get_kind_display(),
                    "options": "、".join(
                        str(Remedy(r).label) for r in REMEDIES_FOR[ObjectionKind(locked.kind)]
                    ),
                    "source": rules.UPHELD_SOURCE,
                }
            }
        )
    tender = Tender.objects.select_for_update().get(pk=locked.tender_id)
    note = _("Objection %(pk)s upheld: %(remedy)s") % {
        "pk": locked.pk,
        "remedy": Remedy(remedy).label,
    }
    # Marked acted on first: an upheld objection holds the award back until then, and the whole
    # use case is one transaction, so a refused action below leaves it upheld.
    remedied = run_transition(
        locked, "remedied", actor=actor, note=note, remedy=remedy, update_fields=["remedy"]
    )
    if remedy == Remedy.CORRECT_DOCUMENTS:
        if bid_deadline is None or opening_at is None:
            raise ValidationError({"bid_deadline": _("Give the new deadline and opening time.")})
        if opening_at < bid_deadline:
            raise ValidationError({"opening_at": _("The opening cannot precede the deadline.")})
        problem = _extended_deadline_problem(tender, bid_deadline, now)
        if problem:
            raise ValidationError({"bid_deadline": problem})
        run_transition(
            tender,
            "correct_documents",
            actor=actor,
            note=note,
            bid_deadline=bid_deadline,
            opening_at=opening_at,
            update_fields=["bid_deadline", "opening_at"],
        )
    elif remedy == Remedy.REEVALUATE:
        run_transition(
            tender,
            "reevaluate",
            actor=actor,
            note=note,
            update_fields=["awarded_bid", "awarded_at", "award_published_at"],
        )
        for bid in tender.bids.filter(state__in=[BidState.WON, BidState.LOST]):
            run_transition(
                bid, "reopen_review", actor=actor, note=note, update_fields=["tie_break_rank"]
            )
    elif remedy == Remedy.REAWARD:
        _reaward(tender, actor, locked, note)
    else:
        run_transition(
            tender,
            "retender",
            actor=actor,
            note=note,
            reason=note,
            update_fields=["failure_reason"],
        )
    return remedied


def _reaward(tender: Tender, actor: User, objection: Objection, note: str) -> None:
    """另行确定: the fallen winner is excluded; the next qualified bid wins if enough remain."""
    if tender.awarded_bid_id is None:
        raise _refuse(_("The tender has no award to replace."))
    fallen = Bid.objects.select_for_update().get(pk=tender.awarded_bid_id)
    Bid.objects.filter(pk=fallen.pk).update(
        invalid_reason=_("Excluded after objection %(pk)s was upheld.") % {"pk": objection.pk}
    )
    tender.refresh_from_db()
    remaining = scoring.rank(tender)
    minimum = rules.MIN_VALID_BIDS[tender.method]
    if len(remaining) < minimum:
        raise _refuse(
            _(
                "Only %(n)s qualified bids remain; another award needs %(min)s (%(source)s): "
                "tender again instead."
            )
            % {"n": len(remaining), "min": minimum, "source": rules.UPHELD_SOURCE}
        )
    successor = remaining[0].bid
    run_transition(fallen, "lose", actor=actor, note=note)
    run_transition(successor, "win_instead", actor=actor, note=note)
    run_transition(
        tender,
        "award",
        actor=actor,
        bid=successor,
        note=note,
        update_fields=["awarded_bid", "awarded_at", "award_published_at"],
    )


def complaint_last_day(objection: Objection) -> dt.date:
    """15 working days from the answer, or from the day the answer was due (法第55条)."""
    if objection.answered_at is not None:
        start = timezone.localdate(objection.answered_at)
    elif objection.answer_due is not None:
        start = objection.answer_due
    else:  # pragma: no cover - every objection gets its due day when filed
        start = timezone.localdate(objection.filed_at)
    return add_workdays(start, rules.COMPLAINT_WORKDAYS)


@transaction.atomic
def complaint_file(
    *,
    objection: Objection,
    actor: User,
    finance_department: str,
    text: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """投诉 to the finance department after an unsatisfying answer, or none in time."""
    now = now or timezone.now()
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    decision = may_complain(actor, locked)
    refuse_unless(decision)
    if not text.strip():
        raise ValidationError({"text": _("State the complaint.")})
    if not finance_department.strip():
        raise ValidationError({"finance_department": _("Name the finance department.")})
    today = timezone.localdate(now)
    if locked.state == ObjectionState.FILED and not locked.is_overdue(today):
        raise _refuse(
            _(
                "A complaint follows the bureau's answer, or its due day %(due)s passing "
                "without one (%(source)s)."
            )
            % {"due": locked.answer_due, "source": rules.COMPLAINT_SOURCE}
        )
    if Complaint.objects.filter(objection=locked).exists():
        raise _refuse(_("This objection already has a complaint."))
    last_day = complaint_last_day(locked)
    if today > last_day:
        raise _refuse(
            _("The complaint period ended on %(day)s (15 working days, %(source)s).")
            % {"day": last_day, "source": rules.COMPLAINT_SOURCE}
        )
    complaint = Complaint.objects.create(
        objection=locked, finance_department=finance_department, text=text, filed_at=now
    )
    log_event(complaint, "file", actor=actor, created=True, note=text[:200])
    return complaint


@transaction.atomic
def complaint_suspend(*, complaint: Complaint, actor: User, suspends: bool) -> Complaint:
    """Record the finance department's written notice suspending the purchase (法第57条)."""
    decision = can_record_complaint_decision(actor, complaint)
    refuse_unless(decision)
    Complaint.objects.filter(pk=complaint.pk).update(suspends=suspends)
    complaint.refresh_from_db()
    log_event(complaint, "suspend" if suspends else "resume", actor=actor)
    return complaint


@transaction.atomic
def complaint_decide(
    *,
    complaint: Complaint,
    actor: User,
    upheld: bool,
    decision: str,
    reference: str,
    decided_on: dt.date,
) -> Complaint:
    """The finance department's written decision (投诉处理决定书), recorded as given."""
    if not decision.strip():
        raise ValidationError({"decision": _("Record the decision's text.")})
    if not reference.strip():
        raise ValidationError({"reference": _("Record the decision's reference number.")})
    if decided_on > timezone.localdate() or decided_on < timezone.localdate(complaint.filed_at):
        raise ValidationError({"decided_on": _("The date lies between the complaint and today.")})
    return run_transition(
        complaint,
        "decide",
        actor=actor,
        note=f"{reference}: {decision[:180]}",
        upheld=upheld,
        decision=decision,
        reference=reference,
        on=decided_on,
        update_fields=["upheld", "decision", "decision_reference", "decided_on", "suspends"],
    )


def open_objection_todos(*, bureau_id: int) -> list[Any]:
    """Objections of a bureau still waiting for an answer or an action, oldest first."""
    return list(
        Objection.objects.filter(
            tender__project__bureau_id=bureau_id,
            state__in=[ObjectionState.FILED, ObjectionState.UPHELD],
        )
        .select_related("tender")
        .only("state", "answer_due", "tender__title")
        .order_by("answer_due", "pk")[:20]
    )
