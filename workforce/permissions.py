"""Who may read and keep an NGO's workforce register: the NGO's own staff keep it; auditors
and administrators read it. Bureaus see the computed figures (shares, person-times) on the
contract, not the list."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from core.permissions import ALLOW, Decision, as_predicate, deny


def visible_workforce_q(user: Any, prefix: str = "") -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN):
        return Q()
    if user.role == Role.NGO:
        return Q(**{f"{prefix}organization_id": user.organization_id})
    return Q(pk__in=[])


def can_manage_workforce(user: Any, organization: Any) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == getattr(organization, "pk", organization)
    ):
        return deny(_("Only the organisation's own staff keep its social workers and volunteers."))
    return ALLOW


def can_view_workforce(user: Any, organization: Any) -> Decision:
    if user.is_authenticated and (user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN)):
        return ALLOW
    return can_manage_workforce(user, organization)


add_perm("workforce.manage_workforce", as_predicate(can_manage_workforce))
add_perm("workforce.view_workforce", as_predicate(can_view_workforce))
