"""Everything published, as an OCDS release package and a record package."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from opendata.ocds import record_for, record_package, release_package
from opendata.releases import published_projects, releases_for


def build_packages(*, base_uri: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(release package, record package) for every published project, in Chinese."""
    with translation.override("zh-hans"):
        per_project = [releases_for(project) for project in published_projects()]
    releases = [r for group in per_project for r in group]
    records = [record_for(group) for group in per_project if group]
    return (
        release_package(releases, uri=f"{base_uri}/opendata/release-package.json"),
        record_package(records, uri=f"{base_uri}/opendata/record-package.json"),
    )
