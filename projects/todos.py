from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.todos import Todo, register
from projects.models import ProjectState, ServiceProject


@register
def draft_projects(user: Any) -> list[Todo]:
    """Bureau staff: drafts of their own bureau still waiting for approval (立项)."""
    if not user.is_authenticated or user.role != Role.BUREAU_STAFF:
        return []
    drafts = ServiceProject.objects.filter(bureau_id=user.organization_id, state=ProjectState.DRAFT)
    return [
        Todo(title=_("Approve project: %s") % p.title, url=p.get_absolute_url(), detail=p.code)
        for p in drafts.only("id", "title", "code")[:20]
    ]
