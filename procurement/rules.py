"""The legal rules of a purchase: every number with its source, and the checks that quote them.

A refusal names its source (law and article) in its message; docs/procurement.md lists the same
table. A bureau may tighten these numbers, never loosen them.

Sources: 政府采购法 (法), 政府采购法实施条例 (实施条例), 财政部令第87号 (货物和服务招标投标管理办法),
财库〔2014〕214号 (竞争性磋商), 财库〔2015〕124号, 财政部令第74号 (非招标方式), 财政部令第94号
(质疑和投诉办法), 财政部令第102号 (政府购买服务管理办法), 财库〔2020〕10号 (采购意向公开),
招标投标法 (for the secrecy of bidders and the panel).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from core.workdays import add_workdays, workdays_between
from procurement.models import ProcurementIntent

if TYPE_CHECKING:
    from procurement.models import Contract, Tender

# method -> (minimum notice-to-deadline, unit, source)
MIN_NOTICE = {
    "open": (20, "days"),
    "consultation": (10, "days"),
    "negotiation": (3, "workdays"),
    "inquiry": (3, "workdays"),
    "single_source": (5, "workdays"),
}
MIN_NOTICE_SOURCE = {
    "open": "政府采购法第35条",
    "consultation": "财库〔2014〕214号第10条",
    "negotiation": "财政部令第74号第29条",
    "inquiry": "财政部令第74号第45条",
    "single_source": "政府采购法实施条例第38条",
}
MIN_VALID_BIDS = {"open": 3, "consultation": 2, "negotiation": 3, "inquiry": 3, "single_source": 1}
MIN_VALID_BIDS_SOURCE = {
    "open": "政府采购法第36条",
    "consultation": "财库〔2015〕124号",
    # 谈判: fewer than 3 ends it (第37条); 询价: at least 3 suppliers take part (第12条).
    "negotiation": "财政部令第74号第12条、第37条",
    "inquiry": "财政部令第74号第12条",
    "single_source": "政府采购法第39条",
}

# Panel (评标委员会 / 磋商小组 / 谈判小组): odd size, minimum by method; larger when the budget or
# the complexity asks; experts at least two thirds; experts drawn at random from the pool.
MIN_PANEL = {"open": 5, "consultation": 3, "negotiation": 3, "inquiry": 3, "single_source": 3}
LARGE_PANEL = {"open": 7, "consultation": 5, "negotiation": 5, "inquiry": 5, "single_source": 5}
LARGE_PANEL_BUDGET = {
    # 公开招标: 7 members at ≥ 10 million yuan or when technically complex (87号令第47条).
    "open": Decimal("10000000"),
    # 谈判/询价: 5 members when the purchase reaches the open-tender threshold (74号令第7条).
    # That threshold is set per province (政府采购法第27条; central units 2 million yuan,
    # 国办发〔2019〕55号); 4 million yuan is this system's default, not a national figure.
    # 214号第14条 sets no larger 磋商 panel, and 74号令第41条 no size for 单一来源's
    # negotiators: for those two the larger panel is this system's own tightening.
    "consultation": Decimal("4000000"),
    "negotiation": Decimal("4000000"),
    "inquiry": Decimal("4000000"),
    "single_source": Decimal("4000000"),
}
PANEL_SOURCE = {
    "open": "财政部令第87号第47条",
    "consultation": "财库〔2014〕214号第14条",
    "negotiation": "财政部令第74号第7条",
    "inquiry": "财政部令第74号第7条",
    # 单一来源 has no panel in law (74号令第41条: experienced staff negotiate, number not set);
    # the system keeps the 谈判 panel's rule for it.
    "single_source": "比照财政部令第74号第7条",
}
# The source of the larger panel where it is the system's tightening rather than the law's.
LARGE_PANEL_SOURCE = {"consultation": "比照财政部令第74号第7条"}
EXPERT_SHARE = (2, 3)
EXPERT_DRAW_SOURCE = "政府采购法实施条例第39条、财政部令第87号第48条"

BID_BOND_MAX = Decimal("0.02")  # 实施条例第33条
PERFORMANCE_BOND_MAX = Decimal("0.10")  # 实施条例第48条
# 追加: a signed contract's amendments may add at most 10% of the original amount.
AMENDMENT_ADD_MAX = Decimal("0.10")  # 政府采购法第49条
AMENDMENT_SOURCE = "政府采购法第49条"

# Price weight in 综合评分法 for services: 公开招标 a floor only; 竞争性磋商 a range.
PRICE_WEIGHT_MIN = {"open": Decimal("10"), "consultation": Decimal("10")}
PRICE_WEIGHT_MAX = {"consultation": Decimal("30")}
PRICE_WEIGHT_SOURCE = {"open": "财政部令第87号第55条", "consultation": "财库〔2014〕214号第24条"}
PRICE_WEIGHT_RANGE = (Decimal("10"), Decimal("30"))  # 竞争性磋商's range (kept for callers)

AWARD_DECISION_WORKDAYS = 5  # winner within 5 working days of the report (实施条例第43条)
AWARD_NOTICE_WORKDAYS = 2  # notice within 2 working days of the decision (实施条例第43条)
RESULT_NOTICE_PERIOD_WORKDAYS = 1  # the result notice runs 1 working day (实施条例第43条)

# 质疑 and 投诉
OBJECTION_WORKDAYS = 7  # 法第52条; the starting day by kind: 实施条例第53条
OBJECTION_SOURCE = "政府采购法第52条、实施条例第53条"
OBJECTION_ANSWER_WORKDAYS = 7  # 法第53条
OBJECTION_ANSWER_SOURCE = "政府采购法第53条"
COMPLAINT_WORKDAYS = 15  # 法第55条
COMPLAINT_SOURCE = "政府采购法第55条"
COMPLAINT_DECISION_WORKDAYS = 30  # 法第56条
# A correction of the documents that affects bids must leave this much time before the deadline,
# or the deadline moves (87号令第27条, 214号第10条, 74号令第29条 谈判 and 第45条 询价).
CORRECTION_NOTICE = {
    "open": (15, "days"),
    "consultation": (5, "days"),
    "negotiation": (3, "workdays"),
    "inquiry": (3, "workdays"),
    "single_source": (3, "workdays"),
}
CORRECTION_SOURCE = {
    "open": "财政部令第87号第27条",
    "consultation": "财库〔2014〕214号第10条",
    "negotiation": "财政部令第74号第29条",
    "inquiry": "财政部令第74号第45条",
    # 单一来源 has no correction rule of its own; the 谈判 one is applied.
    "single_source": "比照财政部令第74号第29条",
}
# The purchaser's own action on an upheld 质疑 (第16条); 第31-32条 are the finance department's
# on an upheld 投诉.
UPHELD_SOURCE = "财政部令第94号第16条"

# Contract
SIGN_WITHIN_DAYS = 30  # 法第46条
SIGN_SOURCE = "政府采购法第46条"
CONTRACT_NOTICE_WORKDAYS = 2  # 实施条例第50条
CONTRACT_NOTICE_SOURCE = "政府采购法实施条例第50条"
FILING_WORKDAYS = 7  # 法第47条
FILING_SOURCE = "政府采购法第47条"
SME_ADVANCE_MIN = Decimal("30")

INTENT_DAYS_BEFORE = 30  # 财库〔2020〕10号
INTENT_SOURCE = "财库〔2020〕10号"
TIE_SOURCE = "财政部令第87号第55条、第68条"


def notice_length(tender: Tender) -> tuple[int, str]:
    """How long bidders had, counted the way the method's rule counts it."""
    start = timezone.localdate(tender.publish_at or timezone.now())
    end = timezone.localdate(tender.bid_deadline)
    _minimum, unit = MIN_NOTICE[tender.method]
    if unit == "days":
        return (end - start).days, unit
    return workdays_between(start, end), unit


def price_weight_problem(method: str, weight: Decimal) -> str | None:
    low = PRICE_WEIGHT_MIN.get(method)
    high = PRICE_WEIGHT_MAX.get(method)
    source = PRICE_WEIGHT_SOURCE.get(method, "")
    if low is not None and high is not None and not (low <= weight <= high):
        return _(
            "The price weight must be %(low)s%%-%(high)s%% of the total score (%(source)s); it is %(w)s."
        ) % {"low": low, "high": high, "w": weight, "source": source}
    if low is not None and weight < low:
        return _(
            "The price weight must be at least %(low)s%% of the total score (%(source)s); it is %(w)s."
        ) % {"low": low, "w": weight, "source": source}
    return None


def tender_problems(tender: Tender) -> list[str]:
    """Every rule the tender breaks (empty when it may be published)."""
    problems: list[str] = []
    minimum, unit = MIN_NOTICE[tender.method]
    length, _unit = notice_length(tender)
    source = MIN_NOTICE_SOURCE[tender.method]
    if length < minimum:
        if unit == "days":
            problems.append(
                _(
                    "%(method)s: at least %(min)s days from the notice to the bid deadline (%(source)s); this tender allows %(n)s."
                )
                % {
                    "method": tender.get_method_display(),
                    "min": minimum,
                    "n": length,
                    "source": source,
                }
            )
        else:
            problems.append(
                _(
                    "%(method)s: at least %(min)s working days from the notice to the deadline (%(source)s); this tender allows %(n)s."
                )
                % {
                    "method": tender.get_method_display(),
                    "min": minimum,
                    "n": length,
                    "source": source,
                }
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
            _(
                "The bid bond may be at most 2%% of the budget (%(max)s yuan; 政府采购法实施条例第33条); it is %(bond)s."
            )
            % {"max": (budget * BID_BOND_MAX).quantize(Decimal("0.01")), "bond": tender.bid_bond}
        )
    if tender.evaluation_method == "comprehensive":
        problem = price_weight_problem(tender.method, tender.price_weight)
        if problem:
            problems.append(problem)
        total = tender.price_weight + tender.technical_points()
        if total != Decimal("100"):
            problems.append(
                _(
                    "The price weight and the criteria must add up to 100 points; they add up to %(total)s."
                )
                % {"total": total}
            )
    problems += intent_problems(tender)
    return problems


def intent_problems(tender: Tender, now: dt.datetime | None = None) -> list[str]:
    """采购意向: published for the project at least 30 days before the tender's notice."""
    start = timezone.localdate(tender.publish_at or now or timezone.now())
    intent = (
        ProcurementIntent.objects.filter(project_id=tender.project_id)
        .order_by("published_on")
        .first()
    )
    if intent is None:
        return [
            _(
                "The procurement intention (采购意向) of this project has not been published; it must be public at least %(days)s days before the tender (%(source)s)."
            )
            % {"days": INTENT_DAYS_BEFORE, "source": INTENT_SOURCE}
        ]
    earliest = intent.published_on + dt.timedelta(days=INTENT_DAYS_BEFORE)
    if start < earliest:
        return [
            _(
                "The procurement intention was published on %(on)s: the tender may be published from %(earliest)s, %(days)s days later (%(source)s)."
            )
            % {
                "on": intent.published_on,
                "earliest": earliest,
                "days": INTENT_DAYS_BEFORE,
                "source": INTENT_SOURCE,
            }
        ]
    return []


def panel_size_required(tender: Tender) -> int:
    """The smallest legal panel for this tender's method, budget and complexity."""
    large = tender.ceiling_price >= LARGE_PANEL_BUDGET[tender.method] or (
        tender.method == "open" and tender.is_complex
    )
    return LARGE_PANEL[tender.method] if large else MIN_PANEL[tender.method]


def panel_problems(tender: Tender) -> list[str]:
    """Why the panel may not start (odd size, legal minimum, two-thirds experts, declarations)."""
    members = [m for m in tender.panel.all() if m.is_active]
    problems: list[str] = []
    minimum = panel_size_required(tender)
    source = PANEL_SOURCE[tender.method]
    if minimum > MIN_PANEL[tender.method]:
        source = LARGE_PANEL_SOURCE.get(tender.method, source)
    if len(members) < minimum or len(members) % 2 == 0:
        problems.append(
            _(
                "%(method)s needs an odd-sized panel of at least %(min)s members (%(source)s); it has %(n)s."
            )
            % {
                "method": tender.get_method_display(),
                "min": minimum,
                "n": len(members),
                "source": source,
            }
        )
    experts = sum(1 for m in members if m.is_expert)
    numerator, denominator = EXPERT_SHARE
    if members and experts * denominator < len(members) * numerator:
        problems.append(
            _(
                "Experts must be at least two thirds of the panel (%(source)s); %(e)s of %(n)s are experts."
            )
            % {"e": experts, "n": len(members), "source": source}
        )
    undrawn = [str(m.user) for m in members if m.is_expert and m.draw_id is None]
    if undrawn:
        problems.append(
            _("Experts are drawn at random from the pool (%(source)s); not drawn: %(names)s.")
            % {"names": "、".join(undrawn), "source": EXPERT_DRAW_SOURCE}
        )
    undeclared = [str(m.user) for m in members if m.declared_at is None]
    if undeclared:
        problems.append(
            _("Not yet declared free of conflicts: %(names)s.") % {"names": "、".join(undeclared)}
        )
    return problems


def result_notice_ends(tender: Tender) -> dt.date:
    """The last day of the result notice's publication period (1 working day, 实施条例第43条)."""
    if tender.award_published_at is None:
        raise ValueError("the result notice has not been published")
    return add_workdays(
        timezone.localdate(tender.award_published_at), RESULT_NOTICE_PERIOD_WORKDAYS
    )


def sign_deadline(tender: Tender) -> dt.date:
    if tender.award_published_at is None:
        raise ValueError("the result notice has not been published")
    return timezone.localdate(tender.award_published_at) + dt.timedelta(days=SIGN_WITHIN_DAYS)


def contract_problems(
    contract: Contract, *, percentages: list[Decimal], advance_percentage: Decimal | None
) -> list[str]:
    """Term, performance bond, milestone percentages and the SME advance."""
    problems: list[str] = []
    days = (contract.end_date - contract.start_date).days
    if days > 366 * 3:
        problems.append(_("A service contract may run at most 3 years (财政部令第102号第24条)."))
    elif days > 366 and not contract.term_reason.strip():
        problems.append(
            _(
                "A term over one year needs a stated reason (stable, continuing service with budget cover; 财政部令第102号第24条)."
            )
        )
    if contract.performance_bond > (contract.amount * PERFORMANCE_BOND_MAX).quantize(
        Decimal("0.01")
    ):
        problems.append(
            _(
                "The performance bond may be at most 10%% of the contract amount (%(max)s yuan; 政府采购法实施条例第48条)."
            )
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
