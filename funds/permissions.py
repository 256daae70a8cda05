"""Who may do what with milestones, payments and the ledger. Views and admin ask only these."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from core.permissions import ALLOW, Decision, as_predicate, deny
from funds import gates
from funds.models import Disbursement, Milestone
from procurement.models import CONTRACT_SIGNED_STATES, Contract
from projects.models import ServiceProject
from projects.permissions import can_view_project, visible_projects_q


def visible_contracts_for_funds_q(user: Any, prefix: str = "") -> Q:
    """Money records a user may read: the bureau tree's, the NGO's own, everything for auditors."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN):
        return Q()
    if user.role == Role.NGO:
        return Q(**{f"{prefix}supplier_id": user.organization_id})
    if user.role in (Role.BUREAU_STAFF, Role.BUREAU_FINANCE):
        return Q(**{f"{prefix}project__in": _projects(user)})
    return Q(pk__in=[])


def _projects(user: Any) -> Any:
    return ServiceProject.objects.filter(visible_projects_q(user)).values("pk")


def can_view_milestone(user: Any, milestone: Milestone) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    contract = milestone.contract
    if user.role == Role.NGO:
        if user.organization_id == contract.supplier_id:
            return ALLOW
        return deny(_("Only the supplier, the bureau and auditors see payment details."))
    if user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN):
        return ALLOW
    if user.role in (Role.BUREAU_STAFF, Role.BUREAU_FINANCE) and can_view_project(
        user, contract.project
    ):
        return ALLOW
    return deny(_("Only the supplier, the bureau and auditors see payment details."))


def can_view_deliverable(user: Any, deliverable: Any) -> Decision:
    """Handed-in work: whoever sees its milestone, and the assessors evaluating the contract."""
    decision = can_view_milestone(user, deliverable.milestone)
    if decision:
        return decision
    return gates.can_read_evidence(user, deliverable.milestone.contract) or decision


def can_view_service_records(user: Any, contract: Any) -> Decision:
    """The service ledger (台账): the contract's money readers, and its assessors (counts only)."""
    if Contract.objects.filter(visible_contracts_for_funds_q(user), pk=contract.pk).exists():
        return ALLOW
    return gates.can_read_evidence(user, contract)


def visible_service_records_q(user: Any) -> Q:
    """Queryset twin of can_view_service_records (prefix: a ServiceRecord's contract)."""
    return visible_contracts_for_funds_q(user, "contract__") | gates.assessed_contracts_q(user)


def can_submit_deliverables(user: Any, milestone: Milestone) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == milestone.contract.supplier_id
    ):
        return deny(_("Only the supplier submits deliverables."))
    return ALLOW


def _staff_of(user: Any, milestone: Milestone) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == milestone.contract.project.bureau_id
    )


def can_accept_milestone(user: Any, milestone: Milestone) -> Decision:
    if not _staff_of(user, milestone):
        return deny(_("Only staff of the purchasing bureau record acceptance."))
    return ALLOW


def can_request_disbursement(user: Any, milestone: Milestone) -> Decision:
    if not _staff_of(user, milestone):
        return deny(_("Only staff of the purchasing bureau request payments."))
    return ALLOW


def _finance_of(user: Any, disbursement: Disbursement) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.BUREAU_FINANCE
        and user.organization_id == disbursement.milestone.contract.project.bureau_id
    )


def can_approve_disbursement(user: Any, disbursement: Disbursement) -> Decision:
    if not _finance_of(user, disbursement):
        return deny(_("Only finance staff of the purchasing bureau approve payments."))
    if user.pk == disbursement.requested_by_id:
        return deny(
            _(
                "The person who requested a payment may not approve it (incompatible duties "
                "are separated: 行政事业单位内部控制规范（试行）第十二条)."
            )
        )
    return ALLOW


def can_pay_disbursement(user: Any, disbursement: Disbursement) -> Decision:
    if not _finance_of(user, disbursement):
        return deny(_("Only finance staff of the purchasing bureau record payments."))
    if user.pk == disbursement.requested_by_id:
        return deny(
            _(
                "The person who requested a payment may not record it paid (incompatible "
                "duties are separated: 行政事业单位内部控制规范（试行）第十二条)."
            )
        )
    if disbursement.approved_by_id is not None and user.pk == disbursement.approved_by_id:
        return deny(
            _(
                "The person who approved a payment may not also record it paid (incompatible "
                "duties are separated: 行政事业单位内部控制规范（试行）第十二条)."
            )
        )
    return ALLOW


def may_record_bonds(user: Any, project: Any) -> Decision:
    """Bonds are money held for a supplier: the purchasing bureau's finance officers record them."""
    if not (
        user.is_authenticated
        and user.role == Role.BUREAU_FINANCE
        and user.organization_id == project.bureau_id
    ):
        return deny(_("Only finance staff of the purchasing bureau record bonds."))
    return ALLOW


def can_manage_bond(user: Any, bond: Any) -> Decision:
    """Record a bond received, or return it: `may_record_bonds` for the bond's project."""
    return may_record_bonds(user, bond.project)


def can_view_ledger(user: Any) -> Decision:
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.is_superuser or user.role in (
        Role.AUDITOR,
        Role.ADMIN,
        Role.BUREAU_STAFF,
        Role.BUREAU_FINANCE,
    ):
        return ALLOW
    return deny(_("The ledger is for bureaus and auditors."))


add_perm("funds.view_milestone", as_predicate(can_view_milestone))
add_perm("funds.accept_milestone", as_predicate(can_accept_milestone))
add_perm("funds.approve_disbursement", as_predicate(can_approve_disbursement))


# --- service records (服务台账) ----------------------------------------------------------------


def may_add_service_records(user: Any, contract: Any) -> Decision:
    """Who records services on a contract: its supplier alone (the API answers 403 otherwise)."""
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == contract.supplier_id
    ):
        return deny(_("Only the supplier imports its service records."))
    return ALLOW


def can_add_service_records(user: Any, contract: Any) -> Decision:
    """The supplier keeps its own ledger: adds, imports, corrects and withdraws its lines, while
    the contract is signed, in service or completed (the services answer 409 otherwise)."""
    decision = may_add_service_records(user, contract)
    if not decision:
        return decision
    if contract.state not in CONTRACT_SIGNED_STATES:
        return deny(_("Service records are kept only for a signed contract."))
    return ALLOW


def can_change_service_record(user: Any, record: Any) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == record.contract.supplier_id
    ):
        return deny(_("Only the supplier corrects or withdraws its service records."))
    return ALLOW


add_perm("funds.add_service_records", as_predicate(can_add_service_records))
add_perm("funds.change_service_record", as_predicate(can_change_service_record))
