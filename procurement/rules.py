"""The legal rules of a purchase, each returning the problems in words with the rule and the number.

Defaults from 政府采购法, 财政部令第87号 (公开招标), 财库〔2014〕214号 (竞争性磋商), 财政部令第74号
(谈判/询价/单一来源) and 财政部令第102号 (政府购买服务). A bureau may tighten them, never loosen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from core.workdays import workdays_between

if TYPE_CHECKING:
    from procurement.models import Contract, Tender

# method -> (minimum notice-to-deadline, unit)
MIN_NOTICE = {
    "open": (20, "days"),
    "consultation": (10, "days"),
    "negotiation": (3, "workdays"),
    "inquiry": (3, "workdays"),
    "single_source": (5, "workdays"),
}
MIN_VALID_BIDS = {"open": 3, "consultation": 2, "negotiation": 3, "inquiry": 3, "single_source": 1}
MIN_PANEL = {"open": 5, "consultation": 3, "negotiation": 3, "inquiry": 3, "single_source": 3}
BID_BOND_MAX = Decimal("0.02")
PERFORMANCE_BOND_MAX = Decimal("0.10")
PRICE_WEIGHT_RANGE = (Decimal("10"), Decimal("30"))
AWARD_NOTICE_WORKDAYS = 2
OBJECTION_WORKDAYS = 7
SIGN_WITHIN_DAYS = 30
SME_ADVANCE_MIN = Decimal("30")


def notice_length(tender: Tender) -> tuple[int, str]:
    """How long bidders had, counted the way the method's rule counts it."""
    start = timezone.localdate(tender.publish_at or timezone.now())
    end = timezone.localdate(tender.bid_deadline)
    _minimum, unit = MIN_NOTICE[tender.method]
    if unit == "days":
        return (end - start).days, unit
    return workdays_between(start, end), unit


def tender_problems(tender: Tender) -> list[str]:
    """Every rule the tender breaks (empty when it may be published)."""
    problems: list[str] = []
    minimum, unit = MIN_NOTICE[tender.method]
    length, _unit = notice_length(tender)
    if length < minimum:
        if unit == "days":
            problems.append(
                _(
                    "%(method)s: at least %(min)s days from the notice to the bid deadline; this tender allows %(n)s."
                )
                % {"method": tender.get_method_display(), "min": minimum, "n": length}
            )
        else:
            problems.append(
                _(
                    "%(method)s: at least %(min)s working days from the notice to the deadline; this tender allows %(n)s."
                )
                % {"method": tender.get_method_display(), "min": minimum, "n": length}
            )
    if not (tender.clarification_deadline <= tender.bid_deadline <= tender.opening_at):
        problems.append(
            _("The clarification deadline, bid deadline and opening time must be in that order.")
        )
    budget = tender.project.budget
    if tender.ceiling_price > budget:
        problems.append(
            _("The ceiling price %(ceiling)s exceeds the project budget %(budget)s.")
            % {"ceiling": tender.ceiling_price, "budget": budget}
        )
    if tender.bid_bond > (budget * BID_BOND_MAX).quantize(Decimal("0.01")):
        problems.append(
            _("The bid bond may be at most 2%% of the budget (%(max)s yuan); it is %(bond)s.")
            % {"max": (budget * BID_BOND_MAX).quantize(Decimal("0.01")), "bond": tender.bid_bond}
        )
    if tender.evaluation_method == "comprehensive":
        low, high = PRICE_WEIGHT_RANGE
        if not (low <= tender.price_weight <= high):
            problems.append(
                _(
                    "For services the price weight must be 10%%-30%% of the total score; it is %(w)s."
                )
                % {"w": tender.price_weight}
            )
        total = tender.price_weight + tender.technical_points()
        if total != Decimal("100"):
            problems.append(
                _(
                    "The price weight and the criteria must add up to 100 points; they add up to %(total)s."
                )
                % {"total": total}
            )
    return problems


def panel_problems(tender: Tender) -> list[str]:
    """Why the panel may not start (odd size, legal minimum, two-thirds experts, declarations)."""
    members = [m for m in tender.panel.all() if m.is_active]
    problems: list[str] = []
    minimum = MIN_PANEL[tender.method]
    if len(members) < minimum or len(members) % 2 == 0:
        problems.append(
            _("%(method)s needs an odd-sized panel of at least %(min)s members; it has %(n)s.")
            % {"method": tender.get_method_display(), "min": minimum, "n": len(members)}
        )
    experts = sum(1 for m in members if m.is_expert)
    if members and experts * 3 < len(members) * 2:
        problems.append(
            _("Experts must be at least two thirds of the panel; %(e)s of %(n)s are experts.")
            % {"e": experts, "n": len(members)}
        )
    undeclared = [str(m.user) for m in members if m.declared_at is None]
    if undeclared:
        problems.append(
            _("Not yet declared free of conflicts: %(names)s.") % {"names": "、".join(undeclared)}
        )
    return problems


def contract_problems(
    contract: Contract, *, percentages: list[Decimal], advance_percentage: Decimal | None
) -> list[str]:
    """Term, performance bond, milestone percentages and the SME advance."""
    problems: list[str] = []
    days = (contract.end_date - contract.start_date).days
    if days > 366 * 3:
        problems.append(_("A service contract may run at most 3 years."))
    elif days > 366 and not contract.term_reason.strip():
        problems.append(
            _(
                "A term over one year needs a stated reason (stable, continuing service with budget cover)."
            )
        )
    if contract.performance_bond > (contract.amount * PERFORMANCE_BOND_MAX).quantize(
        Decimal("0.01")
    ):
        problems.append(
            _("The performance bond may be at most 10%% of the contract amount (%(max)s yuan).")
            % {"max": (contract.amount * PERFORMANCE_BOND_MAX).quantize(Decimal("0.01"))}
        )
    total = sum(percentages, Decimal(0))
    if total != Decimal("100"):
        problems.append(
            _("Milestone percentages must add up to 100%%; they add up to %(total)s%%.")
            % {"total": total}
        )
    if (
        contract.supplier.is_sme
        and (advance_percentage or Decimal(0)) < SME_ADVANCE_MIN
        and not contract.advance_reason.strip()
    ):
        problems.append(
            _(
                "The supplier is an SME: the advance must be at least 30%% of the amount, or the contract must say why not."
            )
            % {}  # the catalogue's "%%" (a python-format entry) reads "%"
        )
    return problems
