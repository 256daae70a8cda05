"""The public events of one project, each as the OCDS release it is published as (OCDS 1.1).

Each builder describes its event as it was when it happened, from data that does not change
afterwards (the notice's terms, the bids at opening, the award, the signed contract, each
payment, each published evaluation), so building the same event again later gives the same
content; a difference means the data was corrected, and opendata.services publishes the
correction as a new `…Update` release. Dates come from the event's own timestamp.

Chinese methods and states map to OCDS codelists; the local term is kept in the matching
`…Details` field (declared in the sanshe_details extension). Only organisations, amounts, dates
and counts are published: never a person, never a beneficiary, never who asked a question or
filed an objection.
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from opendata.contract_releases import contract_events
from opendata.events import Event, Logs, award_id, doc, ref, tender_id, with_buyer
from opendata.ocds import amount, iso, party
from planning.models import ProjectCatalogue
from procurement.models import BidState, Tender, TenderState
from projects.models import ServiceProject

MAIN_CATEGORY = "services"
PUBLIC_TENDER_STATES = [s for s in TenderState.values if s != TenderState.DRAFT]
METHOD = {
    "open": "open",
    "consultation": "selective",
    "negotiation": "limited",
    "inquiry": "selective",
    "single_source": "direct",
}


def published_projects() -> QuerySet[ServiceProject]:
    """Projects with at least one public tender notice."""
    return (
        ServiceProject.objects.filter(tenders__state__in=PUBLIC_TENDER_STATES)
        .distinct()
        .select_related("bureau")
        .order_by("id")
    )


def planning_event(project: ServiceProject, first_notice: datetime) -> Event:
    # Approval is when the budget was fixed; a project without a recorded approval (older
    # data) is dated no later than its first notice, never after it.
    date = project.approved_at or min(project.created_at, first_notice)
    return Event(
        "planning",
        min(date, first_notice),
        "planning",
        with_buyer(
            project,
            planning={
                "rationale": project.performance_targets,
                "budget": {
                    "id": project.code,
                    "description": f"{project.get_fund_source_display()}：{project.title}",
                    "amount": amount(project.budget),
                    "project": project.title,
                    "projectID": project.code,
                },
            },
        ),
    )


def catalogue_classifications(project: ServiceProject) -> dict[str, Any]:
    """The project's 指导性目录 entry, when it has one, as an additional item classification."""
    row = ProjectCatalogue.objects.filter(project=project).select_related("item").first()
    if row is None:
        return {}
    return {
        "additionalClassifications": [
            {"scheme": "政府购买服务指导性目录", "id": row.item.code, "description": row.item.name}
        ]
    }


def _procurement_documents(tender: Tender, tid: str) -> list[dict[str, Any]]:
    """The 采购文件, public from the notice on (procurement:documents_download)."""
    if not tender.documents_file:
        return []
    return [
        doc(
            f"{tid}-documents",
            "biddingDocuments",
            f"{tender.title}采购文件",
            f"/procurement/notices/{tender.pk}/documents.pdf",
            tender.publish_at,
        )
    ]


def tender_events(tender: Tender, logs: Logs) -> list[Event]:
    """The notice, its opening, failure or cancellation, the award, enquiries and objections."""
    return [*_tender_stages(tender, logs), *enquiry_events(tender), *complaint_events(tender)]


def _tender_stages(tender: Tender, logs: Logs) -> list[Event]:
    project = tender.project
    if tender.publish_at is None:  # project_events passes published tenders only
        return []
    tid = tender_id(tender)
    notice = doc(
        f"{tid}-notice",
        "tenderNotice",
        f"{tender.title}招标公告",
        f"/procurement/notices/{tender.pk}/tender.pdf",
        tender.publish_at,
    )
    published: dict[str, Any] = {
        "id": tid,
        "title": tender.title,
        "description": tender.service_requirements,
        "status": "active",
        "statusDetails": str(TenderState.PUBLISHED.label),
        "procuringEntity": ref(project.bureau),
        "items": [
            {
                "id": "1",
                "description": project.title,
                "classification": {
                    "scheme": "SANSHE-CATEGORY",
                    "id": project.category,
                    "description": project.get_category_display(),
                },
                **catalogue_classifications(project),
            }
        ],
        "value": amount(tender.ceiling_price),
        "procurementMethod": METHOD[tender.method],
        "procurementMethodDetails": tender.get_method_display(),
        "mainProcurementCategory": MAIN_CATEGORY,
        "awardCriteria": "ratedCriteria"
        if tender.evaluation_method == "comprehensive"
        else "priceOnly",
        "awardCriteriaDetails": tender.get_evaluation_method_display(),
        "submissionMethod": ["electronicSubmission"],
        "eligibilityCriteria": tender.qualification_requirements,
        "tenderPeriod": {"startDate": iso(tender.publish_at), "endDate": iso(tender.bid_deadline)},
        "enquiryPeriod": {
            "startDate": iso(tender.publish_at),
            "endDate": iso(tender.clarification_deadline),
        },
        "awardPeriod": {"startDate": iso(tender.opening_at)},
        "contractPeriod": {
            "startDate": iso(project.period_start),
            "endDate": iso(project.period_end),
        },
        "documents": [notice, *_procurement_documents(tender, tid)],
    }
    events = [
        Event(
            f"tender-{tender.round}",
            tender.publish_at,
            "tender",
            with_buyer(project, tender=published),
        )
    ]
    state = tender.state
    if state == TenderState.CANCELLED:
        events.append(
            Event(
                f"tender-{tender.round}-cancelled",
                logs.when(tender, "cancel", tender.publish_at),
                "tenderCancellation",
                with_buyer(
                    project,
                    tender={
                        "id": tid,
                        "status": "cancelled",
                        "statusDetails": f"{TenderState.CANCELLED.label}：{tender.cancel_reason}",
                    },
                ),
            )
        )
        return events
    if state == TenderState.PUBLISHED:
        return events
    # Opened: the seal is broken and who bid becomes public.
    # In submission order, so that building the event again gives the same text.
    bids = sorted(
        (b for b in tender.bids.all() if b.state != BidState.WITHDRAWN),
        key=lambda b: (b.submitted_at, b.pk),
    )
    opened_at = logs.when(tender, "open_bids", tender.opening_at)
    events.append(
        Event(
            f"tender-{tender.round}-opened",
            opened_at,
            "tenderUpdate",
            with_buyer(
                project,
                *[party(b.supplier, ["tenderer"]) for b in bids],
                tender={
                    "id": tid,
                    "statusDetails": str(TenderState.OPENED.label),
                    "numberOfTenderers": len(bids),
                    "tenderers": [ref(b.supplier) for b in bids],
                },
            ),
        )
    )
    if state == TenderState.FAILED:
        events.append(
            Event(
                f"tender-{tender.round}-failed",
                logs.when(tender, "fail", opened_at),
                "tenderUpdate",
                with_buyer(
                    project,
                    tender={
                        "id": tid,
                        "status": "unsuccessful",
                        "statusDetails": f"{TenderState.FAILED.label}：{tender.failure_reason}",
                    },
                ),
            )
        )
    winner = tender.awarded_bid
    if winner is not None and tender.award_published_at is not None:
        aid = award_id(project, tender.round)
        events.append(
            Event(
                f"award-{tender.round}",
                tender.award_published_at,
                "award",
                with_buyer(
                    project,
                    party(winner.supplier, ["tenderer", "supplier", "payee"]),
                    tender={
                        "id": tid,
                        "status": "complete",
                        "statusDetails": str(TenderState.AWARD_PUBLISHED.label),
                        "awardPeriod": {
                            "startDate": iso(tender.opening_at),
                            "endDate": iso(tender.awarded_at or tender.award_published_at),
                        },
                    },
                    awards=[
                        {
                            "id": aid,
                            "title": tender.title,
                            "status": "active",
                            "date": iso(tender.awarded_at or tender.award_published_at),
                            "value": amount(winner.price),
                            "suppliers": [ref(winner.supplier)],
                            "documents": [
                                doc(
                                    f"{aid}-notice",
                                    "awardNotice",
                                    f"{tender.title}中标（成交）结果公告",
                                    f"/procurement/notices/{tender.pk}/award.pdf",
                                    tender.award_published_at,
                                )
                            ],
                        }
                    ],
                ),
            )
        )
    return events


def enquiry_events(tender: Tender) -> list[Event]:
    """Each answered clarification (答疑澄清), published when the answer is; no asker named."""
    project = tender.project
    return [
        Event(
            f"enquiry-{c.pk}",
            c.answered_at,
            "tenderUpdate",
            with_buyer(
                project,
                tender={
                    "id": tender_id(tender),
                    "hasEnquiries": True,
                    "enquiries": [
                        {
                            "id": str(c.pk),
                            "date": iso(c.asked_at),
                            "description": c.question,
                            "answer": c.answer,
                            "dateAnswered": iso(c.answered_at),
                        }
                    ],
                },
            ),
        )
        for c in tender.clarifications.all()
        if c.answered_at is not None
    ]


def complaint_events(tender: Tender) -> list[Event]:
    """Each objection (质疑) when filed and again when answered; the bidder is not named."""
    project = tender.project
    events = []
    for o in tender.objections.all():
        filed = {
            "id": str(o.pk),
            "type": "objection",
            "status": "pending",
            "description": o.text,
            "dateSubmitted": iso(o.filed_at),
            "suspendsAward": o.suspends_award,
        }
        body = with_buyer(project, tender={"id": tender_id(tender), "complaints": [filed]})
        events.append(Event(f"complaint-{o.pk}", o.filed_at, "tenderUpdate", body))
        if o.answered_at is not None:
            answered = {
                "id": str(o.pk),
                "status": "upheld" if o.upheld else "dismissed",
                "answer": o.answer,
                "dateAnswered": iso(o.answered_at),
            }
            events.append(
                Event(
                    f"complaint-{o.pk}-answered",
                    o.answered_at,
                    "tenderUpdate",
                    with_buyer(project, tender={"id": tender_id(tender), "complaints": [answered]}),
                )
            )
    return events


def project_events(project: ServiceProject) -> list[Event]:
    """Every public event of the project so far, oldest first."""
    tenders = list(
        project.tenders.filter(state__in=PUBLIC_TENDER_STATES)
        .select_related("awarded_bid__supplier", "project__bureau")
        .prefetch_related("bids__supplier", "clarifications", "objections")
        .order_by("round")
    )
    tenders = [t for t in tenders if t.publish_at is not None]
    if not tenders:
        return []
    contracts = list(
        project.contracts.select_related("supplier", "tender", "project__bureau").prefetch_related(
            "milestones", "amendments"
        )
    )
    logs = Logs([*tenders, *contracts])
    first_notice = min(t.publish_at for t in tenders if t.publish_at is not None)
    events = [planning_event(project, first_notice)]
    for tender in tenders:
        events.extend(tender_events(tender, logs))
    for contract in contracts:
        events.extend(contract_events(contract, logs))
    return sorted(events, key=lambda e: (e.date, e.key))
