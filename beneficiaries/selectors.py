"""Read queries for the register's pages: a fixed number of queries however long the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from beneficiaries.figures import four_cards_counts, with_card_facts
from beneficiaries.models import Beneficiary
from beneficiaries.permissions import can_view_beneficiary, visible_beneficiaries_q
from procurement.models import Contract
from projects.models import BeneficiaryCategory


def beneficiary_list(*, user: Any, village: str = "", category: str = "") -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.filter(visible_beneficiaries_q(user)).select_related("contract")
    if village:
        qs = qs.filter(village__icontains=village)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("village", "id")


def category_counts(*, user: Any, village: str = "") -> list[dict[str, Any]]:
    """People on file per category (erased files included: the people were served)."""
    qs = Beneficiary.objects.filter(visible_beneficiaries_q(user))
    if village:
        qs = qs.filter(village__icontains=village)
    counts = dict(qs.values_list("category").annotate(n=Count("id")).order_by())
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in BeneficiaryCategory.choices
        if counts.get(value)
    ]


def beneficiary_get(*, user: Any, pk: int) -> Beneficiary:
    beneficiary = get_object_or_404(Beneficiary.objects.select_related("contract"), pk=pk)
    if not can_view_beneficiary(user, beneficiary):
        raise Http404  # another NGO's file: its existence is not leaked
    return beneficiary


def own_contracts(*, organization_id: int | None) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(supplier_id=organization_id)
        .select_related("project")
        .order_by("-start_date")
    )


def people_by_category(contract: Contract) -> dict[str, int]:
    """Case files on a contract per category: the only figure the register gives other apps.

    Erased files keep their category and contract, so the count does not drop on erasure."""
    rows = (
        Beneficiary.objects.filter(contract=contract)
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def files_complete_on_contract(contract: Contract) -> tuple[int, int]:
    """(complete, total) 四卡一袋 files on a contract: the count funds' acceptance reads."""
    return four_cards_counts(Beneficiary.objects.filter(contract=contract))


@dataclass
class CaseFile:
    """Everything on one file's page, in a fixed number of queries."""

    annotated: Beneficiary  # the file with the facts `figures.four_cards` reads
    risk_classes: list[Any]
    growth_records: list[Any]
    documents: list[Any]
    confirmations: list[Any]
    reports: list[Any]
    visits: list[Any]


def case_file(*, beneficiary: Beneficiary) -> CaseFile:
    annotated = with_card_facts(Beneficiary.objects.filter(pk=beneficiary.pk)).get()
    return CaseFile(
        annotated=annotated,
        risk_classes=list(beneficiary.risk_classes.all()),
        growth_records=list(beneficiary.growth_records.all()),
        documents=list(beneficiary.documents.all()),
        confirmations=list(beneficiary.guardianship_confirmations.all()),
        reports=list(beneficiary.mandatory_reports.all()),
        visits=list(beneficiary.follow_up_visits.all()),
    )
