"""Which template source applies to a bureau: its own, its nearest ancestor's, or the default."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Organization
from documents import registry
from documents.models import DocumentTemplate


def template_versions(*, key: str, bureau: Organization) -> QuerySet[DocumentTemplate]:
    return DocumentTemplate.objects.filter(key=key, bureau=bureau).select_related("created_by")


def template_source(*, key: str, bureau: Organization | None, as_of: datetime | None = None) -> str:
    """The latest version saved by `bureau` or the nearest bureau above it, else the default.

    `as_of`: the version that was in force then (versions are never edited or deleted), so a
    signed document prints as it was signed even after the bureau edits its template."""
    if bureau is not None and bureau.path:
        ancestor_ids = [int(i) for i in bureau.path.strip("/").split("/") if i]
        saved = DocumentTemplate.objects.filter(key=key, bureau_id__in=ancestor_ids)
        if as_of is not None:
            saved = saved.filter(created_at__lte=as_of)
        versions = {t.bureau_id: t for t in saved.order_by("bureau_id", "version")}
        for org_id in reversed(ancestor_ids):
            if org_id in versions:
                return versions[org_id].source
    return registry.get(key).default_source()
