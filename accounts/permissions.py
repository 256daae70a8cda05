"""Who may do what with organisations and users. The only place these rules live."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Organization, Role
from core.permissions import ALLOW, Decision, as_predicate, deny


def can_manage_organization(user: Any, organization: Organization) -> Decision:
    """Only platform administrators create, edit or import organisations and users."""
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.is_superuser or user.role == Role.ADMIN:
        return ALLOW
    return deny(_("Only a system administrator manages organisations."))


def can_view_organization(user: Any, organization: Organization) -> Decision:
    """Organisations are public parties to public purchases; any logged-in user may read them."""
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    return ALLOW


add_perm("accounts.view_organization", as_predicate(can_view_organization))
add_perm("accounts.change_organization", as_predicate(can_manage_organization))
add_perm("accounts.delete_organization", as_predicate(can_manage_organization))
