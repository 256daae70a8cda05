"""Who may read and act on supervision records. The bureau that bought the service (or one above
it) supervises; the supplier reports and rectifies; auditors and administrators read."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from core.permissions import ALLOW, Decision, as_predicate, deny
from evaluation.permissions import can_read_contract_evidence
from funds.permissions import visible_contracts_for_funds_q


def visible_supervision_q(user: Any, prefix: str = "contract__") -> Q:
    return visible_contracts_for_funds_q(user, prefix)


def _contract(obj: Any) -> Any:
    return getattr(obj, "contract", obj)


def can_view_supervision(user: Any, obj: Any) -> Decision:
    contract = _contract(obj)
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN):
        return ALLOW
    if user.role == Role.NGO and user.organization_id == contract.supplier_id:
        return ALLOW
    if (
        user.role in (Role.BUREAU_STAFF, Role.BUREAU_FINANCE)
        and user.organization_id
        and contract.project.bureau.is_within(user.organization)
    ):
        return ALLOW
    # The evaluation page lists the open supervision matters: its assessors (the lead and those
    # cleared of conflicts) read them, as they read the deliverables and service records.
    if user.role == Role.ASSESSOR and can_read_contract_evidence(user, contract):
        return ALLOW
    return deny(
        _(
            "Only the bureau, the supplier, the contract's assessors and auditors see the "
            "supervision of a contract."
        )
    )


def can_manage_supervision(user: Any, obj: Any) -> Decision:
    """Schedules, reviews, visits and rectification items: staff of the purchasing bureau or of
    a bureau above it."""
    contract = _contract(obj)
    if not (
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id
        and contract.project.bureau.is_within(user.organization)
    ):
        return deny(
            _("Only staff of the purchasing bureau (or one above it) supervise a contract.")
        )
    return ALLOW


def can_draw_spot_check(user: Any, bureau: Any) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == getattr(bureau, "pk", bureau)
    ):
        return deny(_("Only the bureau's own staff draw its spot checks."))
    return ALLOW


def _supplier(user: Any, obj: Any, message: Any) -> Decision:
    contract = _contract(obj)
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == contract.supplier_id
    ):
        return deny(message)
    return ALLOW


def can_submit_report(user: Any, report: Any) -> Decision:
    return _supplier(user, report, _("Only the supplier hands in its reports."))


def can_review_report(user: Any, report: Any) -> Decision:
    return can_manage_supervision(user, report)


def can_answer_item(user: Any, item: Any) -> Decision:
    return _supplier(user, item, _("Only the supplier answers a rectification item."))


add_perm("supervision.view_supervision", as_predicate(can_view_supervision))
add_perm("supervision.manage_supervision", as_predicate(can_manage_supervision))
add_perm("supervision.submit_report", as_predicate(can_submit_report))
add_perm("supervision.answer_item", as_predicate(can_answer_item))
