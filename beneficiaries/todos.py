"""The register's line on the NGO's 工作台: how many follow-up visits are overdue.

A count and a link to the NGO's own overdue list; the 工作台 never carries a name."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.figures import overdue_follow_ups
from beneficiaries.models import Beneficiary
from beneficiaries.permissions import can_view_beneficiary_register, visible_beneficiaries_q
from core.todos import Todo, register


@register
def follow_up_todos(user: Any) -> list[Todo]:
    if not user.is_authenticated or not can_view_beneficiary_register(user):
        return []
    today = timezone.localdate()
    overdue = overdue_follow_ups(Beneficiary.objects.filter(visible_beneficiaries_q(user)), today)
    if not overdue:
        return []
    return [
        Todo(
            title=_("Follow-up visits overdue"),
            url=reverse("beneficiaries:follow_ups"),
            detail=_("%(n)s people on file are past their follow-up visit (随访).")
            % {"n": len(overdue)},
            due=overdue[0].due,
        )
    ]
