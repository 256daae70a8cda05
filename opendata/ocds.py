"""Open Contracting Data Standard 1.1: releases for published events, records per project.

`opendata.releases` turns each app's published events into releases; this module holds the
shared building blocks and assembles release packages and record packages. Chinese codes map to OCDS codelists and the local term is
kept in the matching `…Details` field. No beneficiary data ever enters a release: only
organisations, amounts, dates and counts.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from ocdsmerge import Merger

from accounts.models import Organization
from projects.models import ServiceProject

Release = dict[str, Any]

# The extensions this publication uses, each a directory in opendata/extensions served at
# /opendata/extensions/<name>/ (extension.json, its schema patches and codelists).
EXTENSIONS = (
    "enquiries",
    "complaints",
    "sanshe_details",
    "performance_evaluation",
    "pagination",
)


def base_uri() -> str:
    return str(settings.SANSHE_OCDS_BASE_URI).rstrip("/")


def publisher() -> dict[str, Any]:
    data: dict[str, Any] = {"name": settings.SANSHE_OCDS_PUBLISHER_NAME}
    if settings.SANSHE_OCDS_PUBLISHER_UID:
        data["scheme"] = settings.SANSHE_OCDS_ORG_SCHEME
        data["uid"] = settings.SANSHE_OCDS_PUBLISHER_UID
    data["uri"] = base_uri()
    return data


def publication_policy() -> str:
    return settings.SANSHE_OCDS_PUBLICATION_POLICY or f"{base_uri()}/opendata/policy/"


def extension_urls() -> list[str]:
    return [f"{base_uri()}/opendata/extensions/{name}/extension.json" for name in EXTENSIONS]


def release_url(release_id: str) -> str:
    return f"{base_uri()}/opendata/releases/{release_id}.json"


# Merge rules, as ocdsmerge reads them from the official 1.1 release schema patched with this
# publication's extensions (opendata.checks.release_schema); tests/opendata checks them.
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
    (
        "contracts",
        "implementation",
        "performanceEvaluations",
        "evaluators",
        "additionalIdentifiers",
    ): "wholeListMerge",
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


def package_meta(uri: str, *, published: str) -> dict[str, Any]:
    """The metadata of a release or record package; `published` is the newest content's date."""
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": extension_urls(),
        "publishedDate": published,
        "publisher": publisher(),
        "license": settings.SANSHE_OCDS_LICENSE,
        "publicationPolicy": publication_policy(),
    }


def compile_record(releases: list[Release]) -> dict[str, Any]:
    """A record: the stored releases linked by URL plus the release compiled with ocdsmerge.

    `releases` are the stored releases of one ocid in publication order (date, then the order
    they were written), as ocdsmerge and ocdskit expect them.
    """
    merger = Merger(merge_rules=MERGE_RULES)
    compiled = merger.create_compiled_release(releases)
    return {
        "ocid": releases[0]["ocid"],
        "releases": [
            {"url": release_url(r["id"]), "date": r["date"], "tag": r["tag"]} for r in releases
        ],
        "compiledRelease": compiled,
    }


def dumps(data: Any) -> str:
    """The published form of a release or record: compact UTF-8 JSON, key order kept."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
