"""Who may see and do what in a purchase. Views, admin and API ask only these functions.

Sealed bids: before the tender's opening time a bid's price, proposal and file are readable by
the bidding organisation alone — not by bureau staff, administrators, auditors or the panel.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from core.permissions import ALLOW, Decision, as_predicate, deny
from procurement.models import (
    CONTRACT_SIGNED_STATES,
    Bid,
    BidState,
    Contract,
    ContractState,
    Objection,
    PanelMember,
    Tender,
    TenderState,
)
from projects.models import ProjectState, ServiceProject
from projects.permissions import (
    BUREAU_ROLES,
    SEES_EVERYTHING,
    can_view_project,
    sees_every_project,
    visible_projects_q,
)

UNPUBLISHED_TENDER_STATES = [TenderState.DRAFT]


def _bureau_staff_of(user: Any, tender: Tender) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == tender.project.bureau_id
    )


def _panel_member(user: Any, tender: Tender) -> bool:
    return bool(
        user.is_authenticated
        and any(m.user_id == user.pk and not m.withdrawn for m in tender.panel.all())
    )


# The roles whose lists include their projects' unpublished tenders and contracts.
PROJECT_READERS = (*BUREAU_ROLES, *SEES_EVERYTHING)


def _reads_projects(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in PROJECT_READERS)


def _sees_everything(user: Any) -> bool:
    # The users for whom _projects_of is every project (a superuser with an NGO's role is not).
    return _reads_projects(user) and sees_every_project(user)


def visible_tenders_q(user: Any) -> Q:
    """Drafts only for the owning bureau (and bureaus above it); the rest once published.

    The published test comes first and as "not a draft": PostgreSQL tries the arms of an OR in
    order, so a row that passes the one comparison never probes the bureau's projects (a
    province's tender count: 13.6 → 1.5 ms)."""
    if _sees_everything(user):
        return Q()
    published = ~Q(state__in=UNPUBLISHED_TENDER_STATES)
    return published | Q(project__in=_projects_of(user))


def _projects_of(user: Any) -> Any:
    if not _reads_projects(user):
        return ServiceProject.objects.none()
    return ServiceProject.objects.filter(visible_projects_q(user)).values("pk")


def can_view_tender(user: Any, tender: Tender) -> Decision:
    if tender.state != TenderState.DRAFT:
        return ALLOW
    if user.is_authenticated and can_view_project(user, tender.project):
        return ALLOW
    return deny(_("This tender has not been published."))


def can_manage_tender(user: Any, tender: Tender) -> Decision:
    if not _bureau_staff_of(user, tender):
        return deny(_("Only staff of the purchasing bureau may do this."))
    return ALLOW


def can_open_tender(user: Any, tender: Tender) -> Decision:
    return can_manage_tender(user, tender)


def can_create_tender(user: Any, project: Any) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == project.bureau_id
    ):
        return deny(_("Only staff of the purchasing bureau may create a tender."))
    if project.state not in (ProjectState.APPROVED, ProjectState.TENDERING):
        return deny(_("A tender needs an approved project (立项) without a tender in progress."))
    return ALLOW


def can_bid(user: Any, tender: Tender, now: Any = None) -> Decision:
    """`now` is the request's arrival time when there is a request (core.arrival)."""
    if not (user.is_authenticated and user.role == Role.NGO and user.organization_id):
        return deny(_("Only a registered social organisation may bid."))
    if not tender.is_open_for_bids(now):
        return deny(_("The bid deadline has passed or the tender is not accepting bids."))
    return ALLOW


def can_view_bid_content(user: Any, bid: Bid) -> Decision:
    """Price, proposal and file: the bidder always; others only after the opening time."""
    if user.is_authenticated and user.organization_id == bid.supplier_id and user.role == Role.NGO:
        return ALLOW
    if bid.tender.is_sealed():
        return deny(_("Bids are sealed until the opening time."))
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN):
        return ALLOW
    if user.role in (Role.BUREAU_STAFF, Role.BUREAU_FINANCE) and can_view_project(
        user, bid.tender.project
    ):
        return ALLOW
    if _panel_member(user, bid.tender):
        return ALLOW
    return deny(_("Only the bidder, the panel and the bureau see bid contents."))


# --- secrecy before opening and before the result notice --------------------------------------


def _oversees(user: Any, tender: Tender) -> bool:
    """The purchasing bureau's staff, auditors and administrators: they see the whole file."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in (Role.AUDITOR, Role.ADMIN):
        return True
    return _bureau_staff_of(user, tender)


def can_view_panel(user: Any, tender: Tender) -> Decision:
    """Who sits on the panel stays confidential until the award notice names it."""
    if tender.state in (TenderState.AWARD_PUBLISHED, TenderState.CONTRACTED):
        return ALLOW
    if _oversees(user, tender) or _panel_member(user, tender):
        return ALLOW
    return deny(
        _(
            "The panel's names are confidential until the result notice "
            "(招标投标法第37条, 政府采购法实施条例第43条)."
        )
    )


def can_view_bidders(user: Any, tender: Tender) -> Decision:
    """Who is bidding, and how many, is known only to the bureau before the opening; a bidder
    sees its own bid."""
    if not tender.is_sealed() or _oversees(user, tender):
        return ALLOW
    return deny(
        _("Until the opening nobody may learn who is bidding or how many bid (招标投标法第22条).")
    )


# The `may_*` functions answer only "who": the API refuses on them with 403, while the rest of
# the matching `can_*` (state, deadlines) is checked again by the service and answers 409.


def _seat(user: Any, tender: Tender) -> PanelMember | None:
    return next(
        (m for m in tender.panel.all() if user.is_authenticated and m.user_id == user.pk), None
    )


def may_declare_on_panel(user: Any, tender: Tender) -> Decision:
    """A panel member declares (no conflict, or 回避) for their own seat only."""
    if _seat(user, tender) is None:
        return deny(_("Only a member of this tender's panel makes this declaration."))
    return ALLOW


def may_chair_panel(user: Any, tender: Tender) -> Decision:
    """The panel chair (not withdrawn) records the review and the panel's tie decision."""
    seat = _seat(user, tender)
    if seat is None or not seat.is_chair or seat.withdrawn:
        return deny(_("The panel chair records the panel's decision."))
    return ALLOW


def can_review_bid(user: Any, bid: Bid) -> Decision:
    tender = bid.tender
    if tender.state != TenderState.EVALUATING:
        return deny(_("Qualification review happens while the tender is under evaluation."))
    if not may_chair_panel(user, tender):
        return deny(_("The panel chair records the qualification review."))
    return ALLOW


def may_score(user: Any, tender: Tender) -> Decision:
    seat = _seat(user, tender)
    if seat is None or seat.withdrawn:
        return deny(_("Only panel members score."))
    return ALLOW


def can_score(user: Any, tender: Tender) -> Decision:
    if tender.state != TenderState.EVALUATING:
        return deny(_("Scoring happens while the tender is under evaluation."))
    decision = may_score(user, tender)
    if not decision:
        return decision
    seat = _seat(user, tender)
    if seat is None or seat.declared_at is None:
        return deny(_("Declare that you have no conflict of interest first."))
    return ALLOW


def may_ask_clarification(user: Any, tender: Tender) -> Decision:
    if not (user.is_authenticated and user.role == Role.NGO and user.organization_id):
        return deny(_("Only a social organisation may ask a question about a tender."))
    return ALLOW


def may_object(user: Any, tender: Tender, kind: str = "result") -> Decision:
    """Who may object: any supplier against the documents; a bidder against the process or the
    result (政府采购法第52条). The window is checked by the service (409)."""
    if not (user.is_authenticated and user.role == Role.NGO and user.organization_id):
        return deny(_("Only a supplier may object (政府采购法第52条)."))
    if kind == "documents":
        return ALLOW
    if (
        not tender.bids.filter(supplier_id=user.organization_id)
        .exclude(state=BidState.WITHDRAWN)
        .exists()
    ):
        return deny(_("Only a bidder in this tender may object to its process or result."))
    return ALLOW


def can_object(user: Any, tender: Tender) -> Decision:
    """Whether the page offers the objection form: a supplier, on a published tender. The
    window of each kind (documents, process, result) is checked when the objection is filed."""
    if not (user.is_authenticated and user.role == Role.NGO and user.organization_id):
        return deny(_("Only a supplier may object (政府采购法第52条)."))
    if tender.state in (TenderState.DRAFT, TenderState.CANCELLED):
        return deny(_("There is nothing to object to yet."))
    return ALLOW


def can_answer_objection(user: Any, objection: Objection) -> Decision:
    return can_manage_tender(user, objection.tender)


def may_complain(user: Any, objection: Objection) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == objection.bidder_id
    ):
        return deny(_("Only the bidder who objected may complain about the answer."))
    return ALLOW


def can_record_complaint_decision(user: Any, complaint: Any) -> Decision:
    """The finance department's decision is entered by its officers (role: auditor, 财政监督)
    or by the purchasing bureau's staff from the written decision."""
    if user.is_authenticated and (
        user.role == Role.AUDITOR or _bureau_staff_of(user, complaint.objection.tender)
    ):
        return ALLOW
    return deny(_("The finance department's officers or the bureau record its decision."))


def visible_contracts_q(user: Any) -> Q:
    """Signed contracts for everyone logged in; the rest for the supplier and the bureau tree.
    The signed test comes first, for the reason given at visible_tenders_q."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if _sees_everything(user):
        return Q()
    signed = Q(state__in=CONTRACT_SIGNED_STATES)
    if user.role == Role.NGO:
        return signed | Q(supplier_id=user.organization_id)
    return signed | Q(project__in=_projects_of(user))


def can_view_contract(user: Any, contract: Contract) -> Decision:
    if (
        contract.state in (*CONTRACT_SIGNED_STATES, ContractState.TERMINATED)
        and user.is_authenticated
    ):
        return ALLOW
    if (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == contract.supplier_id
    ):
        return ALLOW
    if user.is_authenticated and user.role != Role.NGO and can_view_project(user, contract.project):
        return ALLOW
    return deny(_("This contract is not public yet."))


def can_manage_contract(user: Any, contract: Contract) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == contract.project.bureau_id
    ):
        return deny(_("Only staff of the purchasing bureau may do this."))
    return ALLOW


def can_sign_as_supplier(user: Any, contract: Contract) -> Decision:
    if not (
        user.is_authenticated
        and user.role == Role.NGO
        and user.organization_id == contract.supplier_id
    ):
        return deny(_("Only the supplier signs first."))
    return ALLOW


def can_sign_as_bureau(user: Any, contract: Contract) -> Decision:
    return can_manage_contract(user, contract)


add_perm("procurement.view_tender", as_predicate(can_view_tender))
add_perm("procurement.change_tender", as_predicate(can_manage_tender))
add_perm("procurement.view_bid_content", as_predicate(can_view_bid_content))
add_perm("procurement.view_contract", as_predicate(can_view_contract))
