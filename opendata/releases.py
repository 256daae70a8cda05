"""The releases Sanshe publishes for one project, one per public event (OCDS 1.1).

Chinese methods and states map to OCDS codelists; the local term is kept in the matching
`…Details` field. Only organisations, amounts, dates and counts are published: never a person,
never a beneficiary.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from funds.models import Disbursement, DisbursementState
from opendata.ocds import Release, amount, base_release, iso, party, party_id
from procurement.models import Bid, Contract, Tender, TenderState
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
TENDER_STATUS = {
    TenderState.PUBLISHED: "active",
    TenderState.OPENED: "active",
    TenderState.EVALUATING: "active",
    TenderState.AWARDED: "active",
    TenderState.AWARD_PUBLISHED: "complete",
    TenderState.CONTRACTED: "complete",
    TenderState.FAILED: "unsuccessful",
    TenderState.CANCELLED: "cancelled",
}
MILESTONE_STATUS = {"paid": "met", "withheld": "partiallyMet", "forfeited": "notMet"}
CONTRACT_STATUS = {
    "signed": "active",
    "in_service": "active",
    "completed": "terminated",
    "terminated": "cancelled",
}


def published_projects() -> QuerySet[ServiceProject]:
    """Projects with at least one public tender notice."""
    return (
        ServiceProject.objects.filter(tenders__state__in=PUBLIC_TENDER_STATES)
        .distinct()
        .select_related("bureau")
        .order_by("id")
    )


def _buyer(project: ServiceProject) -> dict[str, Any]:
    return {"id": party_id(project.bureau), "name": project.bureau.name}


def catalogue_item(project: ServiceProject) -> dict[str, str] | None:
    """The project's 指导性目录 entry as an OCDS classification (scheme named in Chinese)."""
    from planning.models import ProjectCatalogue

    row = ProjectCatalogue.objects.filter(project=project).select_related("item").first()
    if row is None:
        return None
    return {"scheme": "政府购买服务指导性目录", "id": row.item.code, "description": row.item.name}


def planning_release(project: ServiceProject) -> Release:
    release = base_release(
        project, event="planning", date=project.approved_at or project.created_at, tags=["planning"]
    )
    release["buyer"] = _buyer(project)
    release["parties"] = [party(project.bureau, ["buyer", "procuringEntity", "payer"])]
    release["planning"] = {
        "rationale": project.performance_targets,
        "budget": {
            "id": project.code,
            "description": f"{project.get_fund_source_display()}：{project.title}",
            "amount": amount(project.budget),
            "project": project.title,
            "projectID": project.code,
        },
    }
    return release


def tender_release(tender: Tender) -> Release:
    project = tender.project
    release = base_release(
        project,
        event=f"tender-{tender.round}-{tender.state}",
        date=tender.publish_at,
        tags=["tender"],
    )
    bids = [b for b in tender.bids.all() if b.state != "withdrawn"]
    opened = not tender.is_sealed()
    parties = [party(project.bureau, ["buyer", "procuringEntity", "payer"])]
    if opened:
        parties += [party(b.supplier, ["tenderer"]) for b in bids]
    release["buyer"] = _buyer(project)
    release["parties"] = parties
    data: dict[str, Any] = {
        "id": f"{project.code}-T{tender.round}",
        "title": tender.title,
        "description": tender.service_requirements,
        "status": TENDER_STATUS[tender.state],
        "statusDetails": tender.get_state_display(),
        "procuringEntity": _buyer(project),
        "value": amount(tender.ceiling_price),
        "procurementMethod": METHOD[tender.method],
        "procurementMethodDetails": tender.get_method_display(),
        "mainProcurementCategory": MAIN_CATEGORY,
        "awardCriteria": "ratedCriteria"
        if tender.evaluation_method == "comprehensive"
        else "priceOnly",
        "awardCriteriaDetails": tender.get_evaluation_method_display(),
        "eligibilityCriteria": tender.qualification_requirements,
        "tenderPeriod": {"startDate": iso(tender.publish_at), "endDate": iso(tender.bid_deadline)},
        "enquiryPeriod": {
            "startDate": iso(tender.publish_at),
            "endDate": iso(tender.clarification_deadline),
        },
        "contractPeriod": {
            "startDate": iso(project.period_start),
            "endDate": iso(project.period_end),
        },
    }
    item = catalogue_item(project)
    if item is not None:
        data["items"] = [{"id": "1", "description": project.title, "classification": item}]
    if opened:
        data["numberOfTenderers"] = len(bids)
        data["tenderers"] = [{"id": party_id(b.supplier), "name": b.supplier.name} for b in bids]
    release["tender"] = data
    return release


def award_release(tender: Tender) -> Release | None:
    winner: Bid | None = tender.awarded_bid
    if winner is None or tender.award_published_at is None:
        return None
    project = tender.project
    release = base_release(
        project, event=f"award-{tender.round}", date=tender.award_published_at, tags=["award"]
    )
    release["buyer"] = _buyer(project)
    release["parties"] = [
        party(project.bureau, ["buyer", "procuringEntity", "payer"]),
        party(winner.supplier, ["tenderer", "supplier", "payee"]),
    ]
    release["awards"] = [
        {
            "id": f"{project.code}-A{tender.round}",
            "title": tender.title,
            "status": "active",
            "date": iso(tender.awarded_at or tender.award_published_at),
            "value": amount(winner.price),
            "suppliers": [{"id": party_id(winner.supplier), "name": winner.supplier.name}],
        }
    ]
    return release


def _milestones(contract: Contract) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{contract.number}-M{m.sequence}",
            "title": m.name,
            "type": "payment",
            "dueDate": iso(m.due_date),
            "status": MILESTONE_STATUS.get(m.state, "scheduled"),
            "description": f"{m.percentage}%：{m.get_state_display()}",
        }
        for m in contract.milestones.all()
    ]


def contract_release(contract: Contract) -> Release | None:
    if contract.signed_at is None:
        return None
    project = contract.project
    release = base_release(
        project, event=f"contract-{contract.number}", date=contract.signed_at, tags=["contract"]
    )
    release["buyer"] = _buyer(project)
    release["parties"] = [
        party(project.bureau, ["buyer", "procuringEntity", "payer"]),
        party(contract.supplier, ["supplier", "payee"]),
    ]
    data: dict[str, Any] = {
        "id": contract.number,
        "awardID": f"{project.code}-A{contract.tender.round}"
        if contract.tender
        else contract.number,
        "title": f"{project.title}服务合同",
        "status": CONTRACT_STATUS.get(contract.state, "pending"),
        "statusDetails": contract.get_state_display(),
        "period": {
            "startDate": iso(contract.start_date),
            "endDate": iso(contract.current_end_date),
        },
        "value": amount(contract.current_amount),
        "dateSigned": iso(contract.signed_at),
        "milestones": _milestones(contract),
    }
    amendments = list(contract.amendments.all())
    if amendments:
        data["amendments"] = [
            {
                "id": f"{contract.number}-V{a.version}",
                "date": iso(a.created_at),
                "rationale": a.reason,
                "description": a.diff,
            }
            for a in amendments
        ]
    release["contracts"] = [data]
    return release


def implementation_releases(contract: Contract) -> list[Release]:
    """One release per payment, with the transactions so far and the milestone statuses."""
    project = contract.project
    paid = list(
        Disbursement.objects.filter(milestone__contract=contract, state=DisbursementState.PAID)
        .select_related("milestone")
        .order_by("paid_on", "id")
    )
    releases = []
    for i, d in enumerate(paid, start=1):
        release = base_release(
            project,
            event=f"implementation-{contract.number}-{i}",
            date=d.paid_on,
            tags=["implementation"],
        )
        release["buyer"] = _buyer(project)
        release["parties"] = [
            party(project.bureau, ["buyer", "payer"]),
            party(contract.supplier, ["supplier", "payee"]),
        ]
        transactions = [
            {
                "id": f"{contract.number}-P{p.pk}",
                "date": iso(p.paid_on),
                "value": amount(p.amount),
                "payer": _buyer(project),
                "payee": {"id": party_id(contract.supplier), "name": contract.supplier.name},
                "uri": f"https://sanshe.example.gov.cn/funds/disbursements/{p.pk}/voucher.pdf",
            }
            for p in paid[:i]
        ]
        release["contracts"] = [
            {
                "id": contract.number,
                "awardID": f"{project.code}-A{contract.tender.round}"
                if contract.tender
                else contract.number,
                "implementation": {
                    "transactions": transactions,
                    "milestones": _milestones(contract),
                },
            }
        ]
        releases.append(release)
    return releases


def evaluation_parties(project: ServiceProject) -> list[dict[str, Any]]:
    from evaluation.models import Evaluation

    orgs = {
        e.assessor_org
        for e in Evaluation.objects.filter(
            project=project, state__in=["confirmed", "published"]
        ).select_related("assessor_org")
    }
    # OCDS has no "assessor" role; reviewBody is the closest, with the local term in details.
    return [
        party(org, ["reviewBody"]) | {"details": {"localRole": "第三方评估机构"}} for org in orgs
    ]


def releases_for(project: ServiceProject) -> list[Release]:
    """Every release published for a project, oldest first."""
    found: list[Release] = [planning_release(project)]
    for tender in (
        project.tenders.filter(state__in=PUBLIC_TENDER_STATES)
        .select_related("awarded_bid__supplier")
        .prefetch_related("bids__supplier")
        .order_by("round")
    ):
        found.append(tender_release(tender))
        award = award_release(tender)
        if award:
            found.append(award)
    for contract in project.contracts.select_related("supplier", "tender").prefetch_related(
        "milestones", "amendments"
    ):
        signed = contract_release(contract)
        if signed:
            reviewers = evaluation_parties(project)
            if reviewers:
                signed["parties"] += reviewers
            found.append(signed)
            found.extend(implementation_releases(contract))
    return sorted(found, key=lambda r: (r["date"], r["id"]))
