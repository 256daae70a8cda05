"""The procurement documents: tender notice, award notice, panel report and contract (PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from documents.rendering import render_pdf
from documents.selectors import template_source
from procurement import scoring
from procurement.models import BidState, Contract, Tender

TEMPLATES = Path(__file__).resolve().parent / "document_templates"

# Facts about a project that apps above procurement print on its notices (a registry, so that
# procurement never imports them): e.g. planning's 指导性目录 entry. Each provider gives
# (label, value) rows for a project, and rows of the same shape for the template preview.
NoticeFacts = Callable[[Any], list[tuple[str, str]]]
_notice_facts: list[tuple[NoticeFacts, Callable[[], list[tuple[str, str]]]]] = []


def register_notice_facts(
    facts: NoticeFacts, *, sample: Callable[[], list[tuple[str, str]]]
) -> NoticeFacts:
    """Rows the tender and award notices print under 项目基本情况 (`project_facts`)."""
    if all(facts is not known for known, _sample in _notice_facts):
        _notice_facts.append((facts, sample))
    return facts


def notice_facts(project: Any) -> list[tuple[str, str]]:
    return [row for facts, _sample in _notice_facts for row in facts(project)]


def _sample_facts() -> list[tuple[str, str]]:
    return [row for _facts, sample in _notice_facts for row in sample()]


def _tender_context(tender: Tender) -> dict[str, Any]:
    return {
        "tender": tender,
        "project": tender.project,
        "project_facts": notice_facts(tender.project),
        "bureau": tender.project.bureau,
        "criteria": list(tender.criteria.all()),
        "method": tender.get_method_display(),
        "now": timezone.now(),
    }


def tender_notice(tender: Tender) -> bytes:
    source = template_source(key="tender_notice", bureau=tender.project.bureau)
    return render_pdf(source, _tender_context(tender))


def award_notice(tender: Tender) -> bytes:
    ranking = scoring.rank(tender)
    # The notice names the panel (实施条例第43条); until now its names were confidential.
    panel = [m for m in tender.panel.select_related("user") if m.is_active]
    context = _tender_context(tender) | {
        "winner": tender.awarded_bid,
        "ranking": ranking,
        "panel": panel,
    }
    return render_pdf(template_source(key="award_notice", bureau=tender.project.bureau), context)


def panel_report(tender: Tender) -> bytes:
    ranking = scoring.rank(tender)
    context = _tender_context(tender) | {
        "panel": [m for m in tender.panel.all() if not m.withdrawn],
        "withdrawn": [m for m in tender.panel.all() if m.withdrawn],
        "bids": list(tender.bids.exclude(state=BidState.WITHDRAWN).select_related("supplier")),
        "ranking": ranking,
    }
    return render_pdf(template_source(key="panel_report", bureau=tender.project.bureau), context)


def contract_pdf(contract: Contract) -> bytes:
    # A signed contract prints with the template in force when it was signed: the public copy
    # (OCDS contractSigned links it) must not change when the bureau edits its template later.
    source = template_source(
        key="contract", bureau=contract.project.bureau, as_of=contract.signed_at
    )
    context = {
        "contract": contract,
        "project": contract.project,
        "milestones": list(contract.milestones.all()),
    }
    return render_pdf(source, context)


def _sample_project() -> SimpleNamespace:
    bureau = SimpleNamespace(name="潜江市民政局", region="湖北省潜江市")
    return SimpleNamespace(
        title="“携手成长、守护阳光”关爱农村留守儿童保护项目",
        code="GM202600001",
        bureau=bureau,
        budget=Decimal("500000.00"),
        region="湖北省潜江市",
        performance_targets="服务农村留守儿童不少于800人",
        get_category_display=lambda: "农村留守儿童关爱",
    )


def _sample_tender() -> SimpleNamespace:
    now = timezone.now()
    return SimpleNamespace(
        title="“携手成长、守护阳光”关爱农村留守儿童保护项目",
        round=1,
        ceiling_price=Decimal("500000.00"),
        bid_bond=Decimal("10000.00"),
        price_weight=Decimal("20"),
        publish_at=now,
        clarification_deadline=now + dt.timedelta(days=10),
        bid_deadline=now + dt.timedelta(days=21),
        opening_at=now + dt.timedelta(days=21),
        qualification_requirements="依法登记的社会组织，具备社会工作专业人员",
        service_requirements="个案、小组、社区活动和家庭探访",
        awarded_at=now,
        award_published_at=now,
        get_evaluation_method_display=lambda: "综合评分法",
        failure_reason="",
    )


def sample_tender_context() -> dict[str, Any]:
    project = _sample_project()
    tender = _sample_tender()
    supplier = SimpleNamespace(name="潜江市阳光社会工作服务中心")
    bid = SimpleNamespace(
        supplier=supplier,
        price=Decimal("468000.00"),
        state=BidState.WON,
        invalid_reason="",
        get_state_display=lambda: "中标",
    )
    rank = SimpleNamespace(
        bid=bid,
        technical=Decimal("72.50"),
        price_points=Decimal("20.00"),
        total=Decimal("92.50"),
        rank=1,
    )
    member = SimpleNamespace(
        user="张建国（评审专家）", is_chair=True, is_expert=True, declaration=""
    )
    return {
        "tender": tender,
        "project": project,
        "bureau": project.bureau,
        "criteria": [
            SimpleNamespace(name="服务方案", points=Decimal("40"), guidance=""),
            SimpleNamespace(name="团队与经验", points=Decimal("40"), guidance=""),
        ],
        "project_facts": _sample_facts(),
        "method": "公开招标",
        "now": timezone.now(),
        "winner": bid,
        "ranking": [rank],
        "panel": [member],
        "withdrawn": [],
        "bids": [bid],
    }


def sample_contract_context() -> dict[str, Any]:
    project = _sample_project()
    contract = SimpleNamespace(
        number="HT-GM202600001",
        project=project,
        supplier=SimpleNamespace(name="潜江市阳光社会工作服务中心"),
        amount=Decimal("468000.00"),
        current_amount=Decimal("468000.00"),
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
        performance_bond=Decimal("23400.00"),
        service_content="个案、小组、社区活动",
        term_reason="",
        advance_reason="",
        signed_at=None,
        supplier_signed_at=None,
    )
    milestones = [
        SimpleNamespace(
            sequence=1,
            name="预付款",
            percentage=Decimal("30"),
            amount=Decimal("140400.00"),
            due_date=dt.date(2027, 1, 15),
            is_advance=True,
            deliverables_required="",
        ),
        SimpleNamespace(
            sequence=2,
            name="中期服务成果",
            percentage=Decimal("40"),
            amount=Decimal("187200.00"),
            due_date=dt.date(2027, 6, 30),
            is_advance=False,
            deliverables_required="中期报告、服务台账",
        ),
        SimpleNamespace(
            sequence=3,
            name="终期验收",
            percentage=Decimal("30"),
            amount=Decimal("140400.00"),
            due_date=dt.date(2027, 12, 31),
            is_advance=False,
            deliverables_required="终期报告",
        ),
    ]
    return {"contract": contract, "project": project, "milestones": milestones}
