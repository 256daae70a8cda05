"""Who may edit a bureau's document templates."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role
from core.permissions import ALLOW, Decision, deny


def can_edit_document_template(user: Any, bureau: Organization | None) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.role != Role.BUREAU_STAFF or bureau is None or user.organization_id != bureau.pk:
        return deny(_("Only staff of the bureau may edit its document templates."))
    return ALLOW
