"""Open Contracting Data Standard 1.1: releases for published events, records per project.

`opendata.releases` turns each app's published events into releases; this module holds the
shared building blocks and assembles release packages and record packages. Chinese codes map to OCDS codelists and the local term is
kept in the matching `…Details` field. No beneficiary data ever enters a release: only
organisations, amounts, dates and counts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from ocdsmerge import Merger

from accounts.models import Organization
from projects.models import ServiceProject

Release = dict[str, Any]

PUBLISHER = {"name": "三社 政府购买社会工作服务平台", "uri": "https://sanshe.example.gov.cn"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLICATION_POLICY = "https://sanshe.example.gov.cn/opendata/policy/"

# Merge rules for the fields Sanshe publishes, as ocdsmerge reads them from the official
# 1.1 release schema; tests/opendata checks them against that schema.
MERGE_RULES: dict[tuple[str, ...], str] = {
    ("awards", "amendment", "changes"): "wholeListMerge",
    ("awards", "amendments", "changes"): "wholeListMerge",
    ("awards", "items", "additionalClassifications"): "wholeListMerge",
    ("awards", "suppliers", "additionalIdentifiers"): "wholeListMerge",
    ("buyer", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "amendment", "changes"): "wholeListMerge",
    ("contracts", "amendments", "changes"): "wholeListMerge",
    (
        "contracts",
        "implementation",
        "transactions",
        "payee",
        "additionalIdentifiers",
    ): "wholeListMerge",
    (
        "contracts",
        "implementation",
        "transactions",
        "payer",
        "additionalIdentifiers",
    ): "wholeListMerge",
    ("contracts", "items", "additionalClassifications"): "wholeListMerge",
    ("contracts", "relatedProcesses", "relationship"): "wholeListMerge",
    ("date",): "omitWhenMerged",
    ("id",): "omitWhenMerged",
    ("parties", "additionalIdentifiers"): "wholeListMerge",
    ("parties", "roles"): "wholeListMerge",
    ("relatedProcesses", "relationship"): "wholeListMerge",
    ("tag",): "omitWhenMerged",
    ("tender", "additionalProcurementCategories"): "wholeListMerge",
    ("tender", "amendment", "changes"): "wholeListMerge",
    ("tender", "amendments", "changes"): "wholeListMerge",
    ("tender", "items", "additionalClassifications"): "wholeListMerge",
    ("tender", "procuringEntity", "additionalIdentifiers"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("tender", "tenderers", "additionalIdentifiers"): "wholeListMerge",
}


def ocid_for(project: ServiceProject) -> str:
    return f"{settings.SANSHE_OCID_PREFIX}-{project.code}"


def amount(value: Decimal | None) -> dict[str, Any] | None:
    """An OCDS Value; the amount is a JSON number made from the exact Decimal string."""
    if value is None:
        return None
    return {"amount": money_number(value), "currency": "CNY"}


def money_number(value: Decimal) -> float | int:
    # JSON has no decimal type; fen-exact amounts round-trip through their shortest repr.
    quantized = value.quantize(Decimal("0.01"))
    return int(quantized) if quantized == quantized.to_integral_value() else float(str(quantized))


def party_id(org: Organization) -> str:
    return (
        f"{settings.SANSHE_OCDS_ORG_SCHEME}-{org.credit_code}"
        if org.credit_code
        else f"SANSHE-{org.pk}"
    )


def party(org: Organization, roles: list[str]) -> dict[str, Any]:
    """An OCDS Organization for a bureau, NGO or assessor; no personal data."""
    data: dict[str, Any] = {"id": party_id(org), "name": org.name, "roles": roles}
    if org.credit_code:
        data["identifier"] = {
            "scheme": settings.SANSHE_OCDS_ORG_SCHEME,
            "id": org.credit_code,
            "legalName": org.name,
        }
    if org.region:
        data["address"] = {"region": org.region, "countryName": "中国"}
    return data


def iso(dt: Any) -> str:
    if hasattr(dt, "tzinfo"):
        return timezone.localtime(dt).isoformat(timespec="seconds")
    return f"{dt.isoformat()}T00:00:00+08:00"


def base_release(project: ServiceProject, *, event: str, date: Any, tags: list[str]) -> Release:
    return {
        "ocid": ocid_for(project),
        "id": f"{ocid_for(project)}-{event}",
        "date": iso(date),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
    }


def _package_meta(uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": iso(timezone.now()),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "publicationPolicy": PUBLICATION_POLICY,
    }


def release_package(releases: list[Release], *, uri: str) -> dict[str, Any]:
    return {**_package_meta(uri), "releases": releases}


def record_for(releases: list[Release]) -> dict[str, Any]:
    """A record: the releases (linked) plus the compiled release merged with ocdsmerge."""
    merger = Merger(merge_rules=MERGE_RULES)
    compiled = merger.create_compiled_release(releases)
    return {
        "ocid": releases[0]["ocid"],
        "releases": [
            {
                "url": f"{PUBLISHER['uri']}/opendata/releases/{r['id']}.json",
                "date": r["date"],
                "tag": r["tag"],
            }
            for r in releases
        ],
        "compiledRelease": compiled,
    }


def record_package(records: list[dict[str, Any]], *, uri: str) -> dict[str, Any]:
    return {**_package_meta(uri), "records": records}
