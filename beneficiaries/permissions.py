"""Who may read and change the beneficiary register. The only place these rules live.

The register is the NGO's own case files: only users of the owning NGO see them in pages and the
API. Bureaus, assessors and auditors work from counts (service records), never from the files;
a platform administrator reaches a file only through the admin, and only to export or erase it
on a data-subject request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from beneficiaries.models import Beneficiary
from core.permissions import ALLOW, Decision, as_predicate, deny

NGO_ONLY = _("Case files are kept by the NGO that serves the person; only its staff see them.")


def _ngo_member(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.NGO
        and user.organization_id is not None
    )


def _platform_admin(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN)
    )


def visible_beneficiaries_q(user: Any) -> Q:
    """Files a user may read in pages and the API: their own NGO's, nobody else's."""
    if not _ngo_member(user):
        return Q(pk__in=[])
    return Q(organization_id=user.organization_id)


def can_view_beneficiary_register(user: Any, organization: Any = None) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if not _ngo_member(user):
        return deny(NGO_ONLY)
    if organization is not None and organization.pk != user.organization_id:
        return deny(NGO_ONLY)
    return ALLOW


def can_create_beneficiary(user: Any, organization: Any = None) -> Decision:
    return can_view_beneficiary_register(user, organization)


def can_view_beneficiary(user: Any, beneficiary: Beneficiary) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if _ngo_member(user) and user.organization_id == beneficiary.organization_id:
        return ALLOW
    return deny(NGO_ONLY)


def can_change_beneficiary(user: Any, beneficiary: Beneficiary) -> Decision:
    decision = can_view_beneficiary(user, beneficiary)
    if not decision:
        return decision
    if beneficiary.is_erased:
        return deny(
            _("This person's data was erased on request; the file can no longer be edited.")
        )
    return ALLOW


def can_change_case_work(user: Any, beneficiary: Beneficiary) -> Decision:
    """The other cards, the 档案袋, guardianship, 强制报告 and visits: the file's own rules.

    They are the file's personal data: whoever may change the file may add to them, nobody
    else reads them, and an erased file takes no more."""
    return can_change_beneficiary(user, beneficiary)


def can_view_case_document(user: Any, document: Any) -> Decision:
    """A scan or attachment of the 档案袋 leaves only to the owning NGO's staff."""
    return can_view_beneficiary(user, document.beneficiary)


def can_handle_mandatory_report(user: Any, report: Any) -> Decision:
    """Reporting a suspected harm onwards and recording its outcome: the NGO that noticed it."""
    return can_change_beneficiary(user, report.beneficiary)


def can_administer_beneficiary_data(user: Any, beneficiary: Beneficiary | None = None) -> Decision:
    """The admin's masked list, used only to find a file named in a data-subject request."""
    if not _platform_admin(user):
        return deny(_("Only a system administrator handles data-subject requests."))
    return ALLOW


def can_export_beneficiary(user: Any, beneficiary: Beneficiary) -> Decision:
    return can_administer_beneficiary_data(user, beneficiary)


def can_erase_beneficiary(user: Any, beneficiary: Beneficiary) -> Decision:
    decision = can_administer_beneficiary_data(user, beneficiary)
    if not decision:
        return decision
    if beneficiary.is_erased:
        return deny(_("This person's data has already been erased."))
    return ALLOW


add_perm("beneficiaries.view_beneficiary", as_predicate(can_view_beneficiary))
add_perm("beneficiaries.change_beneficiary", as_predicate(can_change_beneficiary))
add_perm("beneficiaries.handle_mandatory_report", as_predicate(can_handle_mandatory_report))
add_perm("beneficiaries.export_beneficiary", as_predicate(can_export_beneficiary))
add_perm("beneficiaries.erase_beneficiary", as_predicate(can_erase_beneficiary))
