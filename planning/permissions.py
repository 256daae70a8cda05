"""Who may keep plans, allocate, draw, keep the catalogue and credit profiles, and report."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role
from core.permissions import ALLOW, Decision, deny
from planning.models import ReportState
from procurement.models import TenderState
from projects.models import ProjectState

BUREAU_ROLES = (Role.BUREAU_STAFF, Role.BUREAU_FINANCE)
SEES_EVERYTHING = (Role.AUDITOR, Role.ADMIN)


def _sees_all(user: Any) -> bool:
    return bool(user.is_superuser or user.role in SEES_EVERYTHING)


def _staff_of(user: Any, bureau_id: int | None) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id
        and user.organization_id == bureau_id
    )


def visible_bureaus_q(user: Any, prefix: str = "") -> Q:
    """Bureaus whose plans, dashboard and reports `user` may read: their own and those below."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if _sees_all(user):
        return Q()
    if user.role in BUREAU_ROLES and user.organization_id:
        return Q(**{f"{prefix}path__startswith": user.organization.path})
    return Q(pk__in=[])


def visible_reports_q(user: Any) -> Q:
    """Statistics reports `user` may read (the queryset twin of can_view_report): drafts stay in
    their bureau, the bureaus above see submitted versions."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if _sees_all(user):
        return Q()
    if user.role in BUREAU_ROLES and user.organization_id:
        return visible_bureaus_q(user, "bureau__") & (
            Q(state=ReportState.SUBMITTED) | Q(bureau_id=user.organization_id)
        )
    return Q(pk__in=[])


def visible_catalogue_q(user: Any) -> Q:
    """Catalogue entries: public classification (printed on notices and in open data), so any
    signed-in user reads every entry."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    return Q()


def can_view_catalogue_item(user: Any, item: Any) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    return ALLOW


def can_view_bureau(user: Any, bureau: Organization) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if _sees_all(user):
        return ALLOW
    if user.role in BUREAU_ROLES and user.organization_id and bureau.is_within(user.organization):
        return ALLOW
    return deny(_("Plans and reports are for the bureau, the bureaus above it and auditors."))


def can_keep_plan(user: Any, bureau: Organization) -> Decision:
    if not _staff_of(user, bureau.pk):
        return deny(_("Only staff of the bureau keep its annual plan."))
    return ALLOW


def can_allocate(user: Any, line: Any, child: Organization) -> Decision:
    if not _staff_of(user, line.plan.bureau_id):
        return deny(_("Only staff of the bureau that holds the line may allocate from it."))
    if child.parent_id != line.plan.bureau_id or not child.is_bureau:
        return deny(_("Money is allocated to a bureau directly below this one."))
    return ALLOW


def can_draw(user: Any, project: Any) -> Decision:
    if not _staff_of(user, project.bureau_id):
        return deny(_("Only staff of the purchasing bureau may fund this project."))
    if project.state != ProjectState.DRAFT:
        return deny(_("A project's budget lines are chosen while it is a draft."))
    return ALLOW


def can_keep_catalogue(user: Any) -> Decision:
    if not (user.is_authenticated and user.role == Role.BUREAU_STAFF and user.organization_id):
        return deny(_("Only bureau staff keep the purchase catalogue."))
    return ALLOW


def can_set_requirement(user: Any, tender: Any) -> Decision:
    if not _staff_of(user, tender.project.bureau_id):
        return deny(_("Only staff of the purchasing bureau set the supplier requirements."))
    if tender.state != TenderState.DRAFT:
        return deny(_("Supplier requirements are fixed once the tender notice is published."))
    return ALLOW


def can_view_credit(user: Any, ngo: Organization) -> Decision:
    """Bureaus, panels and assessors read a supplier's credit; an NGO reads only its own."""
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if _sees_all(user) or user.role in (*BUREAU_ROLES, Role.EXPERT, Role.ASSESSOR):
        return ALLOW
    if user.role == Role.NGO and user.organization_id == ngo.pk:
        return ALLOW
    return deny(_("Another organisation's credit profile is for bureaus and panels."))


def can_keep_credit(user: Any, ngo: Organization) -> Decision:
    # Civil-affairs bureaus register social organisations (《社会团体登记管理条例》第六条).
    if not (user.is_authenticated and user.role == Role.BUREAU_STAFF):
        return deny(_("Only bureau staff keep credit profiles."))
    if ngo.kind != "ngo":
        return deny(_("Credit profiles are kept for social organisations."))
    return ALLOW


def can_generate_report(user: Any, bureau: Organization) -> Decision:
    if not _staff_of(user, bureau.pk):
        return deny(_("Only staff of the bureau prepare its statistics report."))
    return ALLOW


def can_review_report(user: Any, report: Any) -> Decision:
    if not (
        user.is_authenticated
        and user.role in BUREAU_ROLES
        and user.organization_id == report.bureau_id
    ):
        return deny(_("Only officers of the reporting bureau review its report."))
    if user.pk == report.generated_by_id:
        return deny(
            _("The person who generated the report may not review it; a second officer checks it.")
        )
    return ALLOW


def can_submit_report(user: Any, report: Any) -> Decision:
    if not _staff_of(user, report.bureau_id):
        return deny(_("Only staff of the reporting bureau submit its report."))
    return ALLOW


def can_view_report(user: Any, report: Any) -> Decision:
    """Drafts stay in the bureau; the bureaus above see what was submitted to them."""
    decision = can_view_bureau(user, report.bureau)
    if not decision:
        return decision
    if (
        report.state != ReportState.SUBMITTED
        and not _sees_all(user)
        and user.organization_id != report.bureau_id
    ):
        return deny(_("The report has not been submitted yet."))
    return ALLOW
