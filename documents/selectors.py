"""Which template source applies to a bureau: its own, its nearest ancestor's, or the default."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Organization
from documents import registry
from documents.models import DocumentTemplate


def template_versions(*, key: str, bureau: Organization) -> QuerySet[DocumentTemplate]:
    return DocumentTemplate.objects.filter(key=key, bureau=bureau).select_related("created_by")


def template_source(*, key: str, bureau: Organization | None) -> str:
    """The latest version saved by `bureau` or the nearest bureau above it, else the default."""
    if bureau is not None and bureau.path:
        ancestor_ids = [int(i) for i in bureau.path.strip("/").split("/") if i]
        versions = {
            t.bureau_id: t
            for t in DocumentTemplate.objects.filter(key=key, bureau_id__in=ancestor_ids).order_by(
                "bureau_id", "version"
            )
        }
        for org_id in reversed(ancestor_ids):
            if org_id in versions:
                return versions[org_id].source
    return registry.get(key).default_source()
