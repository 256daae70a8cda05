"""Building blocks of the releases: the event type, organisation references, documents, and
when each logged transition happened."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accounts.models import Organization
from core.models import TransitionLog
from opendata.ocds import base_uri, iso, party, party_id
from procurement.models import Contract, Tender
from projects.models import ServiceProject

BUYER_ROLES = ["buyer", "procuringEntity", "payer"]


@dataclass(frozen=True)
class Event:
    """One public event: its stable key within the project, its date, tag and release body."""

    key: str
    date: datetime
    tag: str
    body: dict[str, Any]


def ref(org: Organization) -> dict[str, str]:
    return {"id": party_id(org), "name": org.name}


def buyer_party(bureau: Organization) -> dict[str, Any]:
    data = party(bureau, BUYER_ROLES)
    if bureau.phone:
        data["contactPoint"] = {"name": bureau.name, "telephone": bureau.phone}
    return data


def with_buyer(project: ServiceProject, *others: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {
        "buyer": ref(project.bureau),
        "parties": [buyer_party(project.bureau), *others],
        **body,
    }


def doc(
    doc_id: str,
    doc_type: str,
    title: str,
    path: str,
    published: Any,
    media_type: str = "application/pdf",
) -> dict[str, Any]:
    """A public document: `path` must answer without login (tests follow every link)."""
    return {
        "id": doc_id,
        "documentType": doc_type,
        "title": title,
        "url": f"{base_uri()}{path}",
        "datePublished": iso(published),
        "format": media_type,
        "language": "zh",
    }


def tender_id(tender: Tender) -> str:
    return f"{tender.project.code}-T{tender.round}"


def award_id(project: ServiceProject, round_: int) -> str:
    return f"{project.code}-A{round_}"


def contract_head(contract: Contract) -> dict[str, Any]:
    project = contract.project
    award = award_id(project, contract.tender.round) if contract.tender else contract.number
    return {"id": contract.number, "awardID": award}


def milestone_id(contract: Contract, sequence: int) -> str:
    return f"{contract.number}-M{sequence}"


class Logs:
    """When each transition of the project's objects happened (one query)."""

    def __init__(self, objects: list[Any]) -> None:
        self.at: dict[tuple[int, str, str], datetime] = {}
        by_type: dict[int, list[str]] = defaultdict(list)
        for obj in objects:
            by_type[ContentType.objects.get_for_model(obj).pk].append(str(obj.pk))
        if not by_type:
            return
        query = Q()
        for ct, ids in by_type.items():
            query |= Q(content_type_id=ct, object_id__in=ids)
        for ct, oid, name, at in TransitionLog.objects.filter(query).values_list(
            "content_type_id", "object_id", "transition", "at"
        ):
            self.at.setdefault((ct, oid, name), at)

    def when(self, obj: Any, transition: str, default: Any) -> Any:
        ct = ContentType.objects.get_for_model(obj).pk
        return self.at.get((ct, str(obj.pk), transition), default)
