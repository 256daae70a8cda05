"""Saving a bureau's version of a document template."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from accounts.models import Organization, User
from core.permissions import refuse_unless
from documents import registry
from documents.models import DocumentTemplate
from documents.permissions import can_edit_document_template
from documents.rendering import render_pdf


@transaction.atomic
def document_template_save(
    *, key: str, bureau: Organization, source: str, actor: User
) -> DocumentTemplate:
    """Check the template renders its sample to PDF (ValidationError if not), then add a version."""
    decision = can_edit_document_template(actor, bureau)
    refuse_unless(decision)
    kind = registry.get(key)
    render_pdf(source, kind.sample_context())
    # Lock the bureau row so two officers saving at once get consecutive versions.
    Organization.objects.select_for_update().get(pk=bureau.pk)
    latest = DocumentTemplate.objects.filter(key=key, bureau=bureau).aggregate(v=Max("version"))[
        "v"
    ]
    return DocumentTemplate.objects.create(
        key=key, bureau=bureau, version=(latest or 0) + 1, source=source, created_by=actor
    )
