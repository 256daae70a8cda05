"""Who may see and change service projects. Views, admin and API all ask these functions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from core.permissions import ALLOW, Decision, as_predicate, deny
from projects.models import UNPUBLISHED_STATES, ProjectState, ServiceProject

BUREAU_ROLES = (Role.BUREAU_STAFF, Role.BUREAU_FINANCE)
SEES_EVERYTHING = (Role.AUDITOR, Role.ADMIN)


def sees_every_project(user: Any) -> bool:
    """Whether visible_projects_q is every project for `user` (no filter to apply)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in SEES_EVERYTHING)
    )


def visible_projects_q(user: Any) -> Q:
    """The filter for projects `user` may read; the queryset twin of can_view_project."""
    if sees_every_project(user):
        return Q()
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in BUREAU_ROLES and user.organization_id:
        # A bureau sees its own projects and those of every bureau below it.
        return Q(bureau__path__startswith=user.organization.path)
    return ~Q(state__in=UNPUBLISHED_STATES)


def _owns(user: Any, project: ServiceProject) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == project.bureau_id
    )


def can_view_project(user: Any, project: ServiceProject) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.is_superuser or user.role in SEES_EVERYTHING:
        return ALLOW
    if user.role in BUREAU_ROLES:
        if user.organization_id and project.bureau.is_within(user.organization):
            return ALLOW
        return deny(_("This project belongs to another bureau."))
    if project.state in UNPUBLISHED_STATES:
        return deny(_("This project has not been published yet."))
    return ALLOW


def can_create_project(user: Any) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.role != Role.BUREAU_STAFF or not user.organization_id:
        return deny(_("Only bureau staff create service projects."))
    return ALLOW


def can_change_project(user: Any, project: ServiceProject) -> Decision:
    if not _owns(user, project):
        return deny(_("Only staff of the purchasing bureau may change this project."))
    if project.state != ProjectState.DRAFT:
        return deny(_("Only a draft project can be edited."))
    return ALLOW


def can_approve_project(user: Any, project: ServiceProject) -> Decision:
    if not _owns(user, project):
        return deny(_("Only staff of the purchasing bureau may approve this project."))
    return ALLOW


def can_terminate_project(user: Any, project: ServiceProject) -> Decision:
    if not _owns(user, project):
        return deny(_("Only staff of the purchasing bureau may terminate this project."))
    return ALLOW


add_perm("projects.view_serviceproject", as_predicate(can_view_project))
add_perm("projects.change_serviceproject", as_predicate(can_change_project))
add_perm("projects.approve_serviceproject", as_predicate(can_approve_project))
add_perm("projects.terminate_serviceproject", as_predicate(can_terminate_project))
