"""`check --deploy`: the open-data settings must name this publication, not the development one.

Every URL Sanshe publishes (release and record ids' links, document downloads, the policy) starts
with SANSHE_OCDS_BASE_URI, and releases are stored once and never rewritten: data published under
http://localhost:8000 or an unregistered ocid prefix stays wrong in every harvester's copy. So a
production check (DEBUG off) warns while any of these is left at its development value."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# The values config/settings.py falls back to when the environment sets nothing.
DEVELOPMENT_BASE_URI = "http://localhost:8000"
DEVELOPMENT_OCID_PREFIX = "ocds-sanshe"
DEVELOPMENT_PUBLISHER_NAME = "三社 政府购买社会工作服务平台"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}  # noqa: S104 - names, not a bind


def _local_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return not host or host in LOOPBACK_HOSTS or host.endswith(".localhost")


@checks.register(checks.Tags.security, deploy=True)
def open_data_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    problems: list[checks.CheckMessage] = []
    base = settings.SANSHE_OCDS_BASE_URI
    if _local_url(base) or urlsplit(base).scheme != "https":
        problems.append(
            checks.Warning(
                f"SANSHE_OCDS_BASE_URI is {base!r}: every published OCDS link (documents, "
                "releases, the publication policy) would point there, and stored releases "
                "are never rewritten.",
                hint="Set SANSHE_OCDS_BASE_URI to the site's public https address, e.g. "
                "https://sanshe.example.gov.cn (docs/operations.md).",
                id="opendata.W001",
            )
        )
    for name in ("SANSHE_OCDS_LICENSE", "SANSHE_OCDS_PUBLICATION_POLICY"):
        value = getattr(settings, name)
        if value and _local_url(value):
            problems.append(
                checks.Warning(
                    f"{name} is {value!r}, an address only this machine can open.",
                    hint=f"Set {name} to a public address, or leave the policy empty to "
                    "publish this installation's own /opendata/policy/.",
                    id="opendata.W002",
                )
            )
    if settings.SANSHE_OCID_PREFIX == DEVELOPMENT_OCID_PREFIX:
        problems.append(
            checks.Warning(
                f"SANSHE_OCID_PREFIX is the development value {DEVELOPMENT_OCID_PREFIX!r}; "
                "ocids must start with the prefix the Open Contracting Partnership registered "
                "for this publisher.",
                hint="Set SANSHE_OCID_PREFIX to the registered prefix (ocds-xxxxxx).",
                id="opendata.W003",
            )
        )
    if (
        settings.SANSHE_OCDS_PUBLISHER_NAME == DEVELOPMENT_PUBLISHER_NAME
        or not settings.SANSHE_OCDS_PUBLISHER_UID
    ):
        problems.append(
            checks.Warning(
                "The OCDS publisher is still the development one: set "
                "SANSHE_OCDS_PUBLISHER_NAME to the publishing authority's name and "
                "SANSHE_OCDS_PUBLISHER_UID to its 统一社会信用代码.",
                hint="See the open-data settings in docs/operations.md.",
                id="opendata.W004",
            )
        )
    return problems
