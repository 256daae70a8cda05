"""The contract side of a project's releases: signature, amendments, payments, evaluations and
the end of the contract (see opendata.releases for how events become releases)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from evaluation.models import Evaluation, EvaluationState
from funds.models import Disbursement, DisbursementState
from opendata.events import Event, Logs, contract_head, doc, milestone_id, ref, with_buyer
from opendata.ocds import amount, iso, party
from procurement.models import Contract, ContractState

GRADE = {"excellent": ("excellent", "优"), "good": ("good", "良"), "fair": ("fair", "中")}
GRADE["poor"] = ("poor", "差")
PUBLIC_EVALUATION_STATES = (EvaluationState.CONFIRMED, EvaluationState.PUBLISHED)


def contract_events(contract: Contract, logs: Logs) -> list[Event]:
    if contract.signed_at is None:
        return []
    project = contract.project
    supplier = party(contract.supplier, ["supplier", "payee"])
    milestones = list(contract.milestones.all())
    signed = {
        **contract_head(contract),
        "title": f"{project.title}服务合同",
        "status": "active",
        "statusDetails": "生效",
        "period": {"startDate": iso(contract.start_date), "endDate": iso(contract.end_date)},
        "value": amount(contract.amount),
        "dateSigned": iso(contract.signed_at),
        # The payment schedule as signed; each milestone's outcome comes with its payment.
        "milestones": [
            {
                "id": milestone_id(contract, m.sequence),
                "title": m.name,
                "type": "financing",
                "dueDate": iso(m.due_date),
                "status": "scheduled",
                "description": f"{m.percentage}%，{m.amount}元"
                + ("（预付款）" if m.is_advance else "（经绩效评价后支付）"),
            }
            for m in milestones
        ],
    }
    events = [
        Event(
            f"contract-{contract.number}",
            contract.signed_at,
            "contract",
            with_buyer(project, supplier, contracts=[signed]),
        )
    ]
    if contract.notice_published_at is not None:
        events.append(contract_notice_event(contract))
    events.extend(
        Event(
            f"contract-{contract.number}-amendment-{a.version}",
            a.created_at,
            "contractAmendment",
            with_buyer(
                project,
                contracts=[
                    {
                        **contract_head(contract),
                        "value": amount(a.amount),
                        "period": {"endDate": iso(a.end_date)},
                        "amendments": [
                            {
                                "id": f"{contract.number}-V{a.version}",
                                "date": iso(a.created_at),
                                "rationale": a.reason,
                                "description": a.diff,
                            }
                        ],
                    }
                ],
            ),
        )
        for a in contract.amendments.all()
    )
    events.extend(payment_events(contract, milestones))
    events.extend(evaluation_events(contract))
    if contract.state in (ContractState.COMPLETED, ContractState.TERMINATED):
        transition = "complete" if contract.state == ContractState.COMPLETED else "terminate"
        events.append(
            Event(
                f"contract-{contract.number}-{contract.state}",
                logs.when(contract, transition, contract.signed_at),
                "contractTermination",
                with_buyer(
                    project,
                    contracts=[
                        {
                            **contract_head(contract),
                            "status": "terminated",
                            "statusDetails": contract.get_state_display(),
                        }
                    ],
                ),
            )
        )
    return events


def contract_notice_event(contract: Contract) -> Event:
    """合同公告: the notice page and the contract's text, public from the notice on."""
    project = contract.project
    cid = contract.number
    published = contract.notice_published_at
    assert published is not None  # noqa: S101 - contract_events passes published notices only
    documents = [
        doc(
            f"{cid}-notice",
            "contractNotice",
            f"{project.title}合同公告",
            f"/procurement/notices/contracts/{contract.pk}/",
            published,
            media_type="text/html",
        ),
        doc(
            f"{cid}-signed",
            "contractSigned",
            f"{project.title}服务合同",
            f"/procurement/notices/contracts/{contract.pk}/contract.pdf",
            published,
        ),
    ]
    return Event(
        f"contract-{cid}-notice",
        published,
        "contractUpdate",
        with_buyer(project, contracts=[{**contract_head(contract), "documents": documents}]),
    )


def payment_events(contract: Contract, milestones: list[Any]) -> list[Event]:
    """One implementation release per payment: the transaction and its milestone's outcome."""
    project = contract.project
    by_pk = {m.pk: m for m in milestones}
    paid = list(
        Disbursement.objects.filter(milestone__contract=contract, state=DisbursementState.PAID)
        .order_by("paid_on", "id")
        .only("pk", "milestone_id", "amount", "paid_on")
    )
    # Published when the payment was recorded (the voucher's date is the transaction's date).
    logs = Logs(paid)
    gating = _gating_evaluations(contract)
    so_far: dict[int, Decimal] = defaultdict(Decimal)
    events = []
    for payment in paid:
        pk, milestone_pk, value, paid_on = (
            payment.pk,
            payment.milestone_id,
            payment.amount,
            payment.paid_on,
        )
        milestone = by_pk[milestone_pk]
        so_far[milestone_pk] += value
        mid = milestone_id(contract, milestone.sequence)
        transaction: dict[str, Any] = {
            "id": f"{contract.number}-P{pk}",
            "date": iso(paid_on),
            "value": amount(value),
            "payer": ref(project.bureau),
            "payee": ref(contract.supplier),
            "milestoneID": mid,
        }
        if milestone_pk in gating:
            transaction["performanceEvaluationID"] = gating[milestone_pk]
        events.append(
            Event(
                f"payment-{pk}",
                logs.when(payment, "pay", _day_start(paid_on)),
                "implementation",
                with_buyer(
                    project,
                    party(contract.supplier, ["supplier", "payee"]),
                    contracts=[
                        {
                            **contract_head(contract),
                            "implementation": {
                                "transactions": [transaction],
                                "milestones": [
                                    {
                                        "id": mid,
                                        "status": "met"
                                        if so_far[milestone_pk] >= milestone.amount
                                        else "partiallyMet",
                                        "dateModified": iso(paid_on),
                                        **(
                                            {"dateMet": iso(paid_on)}
                                            if so_far[milestone_pk] >= milestone.amount
                                            else {}
                                        ),
                                    }
                                ],
                            },
                        }
                    ],
                ),
            )
        )
    return events


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _published_evaluations(contract: Contract) -> list[Any]:
    # A result is public once the bureau confirms it (the results page shows it from then on).
    # During an appeal the published result stands; a re-reviewed result confirmed again is
    # published as a correction (implementationUpdate) of the same evaluation.
    return list(
        Evaluation.objects.filter(
            contract=contract, state__in=PUBLIC_EVALUATION_STATES, confirmed_at__isnull=False
        )
        .select_related("assessor_org", "milestone", "system")
        .order_by("confirmed_at", "id")
    )


def _gating_evaluations(contract: Contract) -> dict[int, str]:
    return {
        e.milestone_id: f"{contract.number}-E{e.pk}"
        for e in _published_evaluations(contract)
        if e.milestone_id is not None
    }


def evaluation_events(contract: Contract) -> list[Event]:
    """Each confirmed performance evaluation (绩效评价结果) with its public report."""
    project = contract.project
    events = []
    for e in _published_evaluations(contract):
        eid = f"{contract.number}-E{e.pk}"
        report = doc(
            f"{eid}-report",
            "evaluationReports",
            f"{project.title}绩效评价报告",
            f"/opendata/evaluations/{e.pk}/report.pdf",
            e.confirmed_at,
        )
        grade, grade_local = GRADE.get(e.grade, (None, ""))
        evaluation: dict[str, Any] = {
            "id": eid,
            "type": "final" if e.milestone_id is None else "interim",
            "score": amount(e.total_score)["amount"] if e.total_score is not None else None,  # type: ignore[index]
            "grade": grade,
            "gradeDetails": grade_local,
            "evaluators": [ref(e.assessor_org)],
            "dateConfirmed": iso(e.confirmed_at),
            "reportDocumentID": report["id"],
        }
        if e.milestone is not None:
            evaluation["milestoneID"] = milestone_id(contract, e.milestone.sequence)
        if e.system is not None:
            evaluation["indicatorSystem"] = {
                "id": e.system.code,
                "version": e.system.version,
                "title": e.system.name,
            }
        events.append(
            Event(
                f"evaluation-{e.pk}",
                e.confirmed_at,
                "implementation",
                with_buyer(
                    project,
                    party(e.assessor_org, ["evaluator"]),
                    contracts=[
                        {
                            **contract_head(contract),
                            "implementation": {
                                "performanceEvaluations": [evaluation],
                                "documents": [report],
                            },
                        }
                    ],
                ),
            )
        )
    return events
