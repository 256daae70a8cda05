"""Demo purchases: 潜江 awarded and in service, 江陵 after a failed first round, 监利 still bidding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from procurement import documents, expert_draw, publication, rounds, services
from procurement.models import ExpertProfile, Tender, TenderState
from procurement.services import CriterionInput, MilestoneInput
from projects.models import ServiceCategory

CRITERIA = [
    CriterionInput(
        "服务方案与实施计划", Decimal("35"), "需求分析准确、服务内容与“四卡一袋”“八个一”要求对应"
    ),
    CriterionInput("专业团队与社工持证情况", Decimal("25"), "持证社工人数、督导配置"),
    CriterionInput("同类项目经验", Decimal("10"), "近三年留守儿童关爱项目"),
    CriterionInput("管理制度与财务制度", Decimal("10"), "项目管理、财务管理、安全预案"),
]


def _tender(
    project: Any, staff: Any, *, method: str, days_ago: int, notice_days: int, ceiling: Decimal
) -> Tender:
    published = timezone.now() - dt.timedelta(days=days_ago)
    deadline = published + dt.timedelta(days=notice_days)
    if not project.procurement_intents.exists():
        # 采购意向 published well before the tender (at least 30 days, 财库〔2020〕10号).
        publication.intent_publish(
            project=project,
            actor=staff,
            summary=f"购买{project.title}社会工作服务",
            budget=project.budget,
            planned_month=timezone.localtime(published).strftime("%Y-%m"),
            published_on=timezone.localdate(published) - dt.timedelta(days=45),
        )
    tender = services.tender_create(
        project=project,
        actor=staff,
        title=project.title,
        method=method,
        evaluation_method="comprehensive",
        ceiling_price=ceiling,
        bid_bond=(project.budget * Decimal("0.02")).quantize(Decimal("1")),
        price_weight=Decimal("20"),
        qualification_requirements="在民政部门依法登记的社会组织；具有3名以上持证社会工作者；近三年无重大违法记录。",
        service_requirements=project.description or project.performance_targets,
        clarification_deadline=deadline - dt.timedelta(days=5),
        bid_deadline=deadline,
        opening_at=deadline,
        criteria=CRITERIA,
    )
    # The 采购文件 published with the notice (here the rendered notice itself stands in for it).
    upload = ContentFile(documents.tender_notice(tender), name="采购文件.pdf")
    publication.tender_documents_upload(tender=tender, actor=staff, upload=upload)
    return services.tender_publish(tender=tender, actor=staff, now=published)


def _bid(tender: Tender, user: Any, price: str, text: str) -> None:
    services.bid_submit(
        tender=tender,
        actor=user,
        price=Decimal(price),
        technical_proposal=text,
        now=tender.bid_deadline - dt.timedelta(days=2),
    )


def _evaluate(
    tender: Tender, staff: Any, experts: list[Any], technical: dict[str, list[int]]
) -> Tender:
    tender = services.tender_open(tender=tender, actor=staff)
    if tender.state == TenderState.FAILED:
        return tender
    # The experts are drawn at random from the pool (实施条例第39条); the draw is recorded.
    for expert in experts:
        profile, _created = ExpertProfile.objects.get_or_create(user=expert)
        if tender.project.category not in profile.categories:
            profile.categories = [*profile.categories, tender.project.category]
            profile.save(update_fields=["categories"])
    expert_draw.panel_draw(tender=tender, actor=staff)
    members = list(tender.panel.select_related("user").order_by("id"))
    services.panel_chair_set(tender=tender, actor=staff, member=members[0])
    experts = [m.user for m in members]
    for member in members:
        services.panel_declare(member=member, actor=member.user, conflict=False)
    tender = services.tender_start_evaluation(tender=tender, actor=staff)
    for bid in tender.bids.all():
        services.bid_review(bid=bid, actor=experts[0], valid=True)
    if rounds.needs_final_offers(tender):
        # 磋商: one round on the service plan, then the final offers (最后报价), a little lower.
        final = rounds.round_open(
            tender=tender,
            actor=staff,
            topics="服务人数、督导频次与安全预案；请在最后报价中体现调整。",
            closes_at=timezone.now() + dt.timedelta(hours=2),
            is_final=True,
        )
        for bid in tender.bids.select_related("supplier"):
            bidder = User.objects.filter(organization=bid.supplier, role="ngo").first()
            if bidder is not None:
                rounds.offer_submit(
                    round=final,
                    actor=bidder,
                    price=(bid.price * Decimal("0.98")).quantize(Decimal("0.01")),
                    note="督导由每月1次增至每月2次。",
                )
        rounds.round_close(round=final, actor=staff)
    criteria = list(tender.criteria.all())
    for n, expert in enumerate(experts):
        points = {}
        for bid in tender.bids.select_related("supplier"):
            for criterion, base in zip(criteria, technical[bid.supplier.name], strict=True):
                # Experts differ a little, as real panels do, within each criterion's range.
                points[(bid.pk, criterion.pk)] = min(criterion.points, Decimal(base + (n % 3) - 1))
        services.scores_save(tender=tender, actor=expert, points=points)
    tender = services.tender_award(tender=tender, actor=staff)
    return services.award_publish(tender=tender, actor=staff)


def _contract(tender: Tender, staff: Any, supplier_user: Any, number: str) -> None:
    project = tender.project
    start = project.period_start
    if tender.awarded_bid is None:  # pragma: no cover - _evaluate awards or fails first
        raise RuntimeError("demo tender was not awarded")
    contract = services.contract_draft(
        tender=tender,
        actor=staff,
        number=number,
        start_date=start,
        end_date=project.period_end,
        performance_bond=(tender.awarded_bid.price * Decimal("0.05")).quantize(Decimal("0.01")),
        milestones=[
            MilestoneInput(
                "预付款",
                Decimal("30"),
                start + dt.timedelta(days=15),
                True,
                "合同生效、服务团队到位",
            ),
            MilestoneInput(
                "中期服务成果",
                Decimal("40"),
                start + dt.timedelta(days=180),
                False,
                "中期报告、服务台账、“四卡一袋”档案",
            ),
            MilestoneInput(
                "终期验收",
                Decimal("30"),
                project.period_end,
                False,
                "终期报告、满意度调查、财务报告",
            ),
        ],
    )
    contract = services.contract_sign_supplier(contract=contract, actor=supplier_user)
    contract = services.contract_sign_bureau(contract=contract, actor=staff)
    # 合同公告 (2 working days) and 备案 (7 working days) after signing.
    publication.contract_publish_notice(contract=contract, actor=staff)
    publication.contract_record_filing(
        contract=contract,
        actor=staff,
        reference=f"{project.bureau.name[:2]}财采备〔2026〕{contract.pk:03d}号",
    )
    services.contract_start_service(contract=contract, actor=staff)


def load(ctx: dict[str, Any]) -> None:
    users, projects = ctx["users"], ctx["projects"]
    experts = [users[f"expert{i}"] for i in range(1, 6)]
    # The demo's expert pool: the five experts evaluate every service category.
    for expert in experts:
        ExpertProfile.objects.update_or_create(
            user=expert, defaults={"categories": list(ServiceCategory.values)}
        )

    qianjiang = projects["qianjiang"]
    if not qianjiang.tenders.exists():
        staff = users["qj_staff"]
        tender = _tender(
            qianjiang,
            staff,
            method="open",
            days_ago=40,
            notice_days=22,
            ceiling=Decimal("500000.00"),
        )
        _bid(
            tender,
            users["aixin"],
            "478000.00",
            "社工+志愿者双轨服务：个案40个、小组12个、社区活动24场，建立“四卡一袋”档案。",
        )
        _bid(tender, users["yangguang"], "465000.00", "依托村级儿童之家，开展“八个一”月度关爱。")
        _bid(tender, users["boya"], "492000.00", "心理支持与家庭教育指导为主线。")
        _bid(tender, users["tianying"], "455000.00", "托管加课后辅导。")
        tender = _evaluate(
            tender,
            staff,
            experts,
            {
                "武汉爱心天使社会工作服务中心": [33, 24, 9, 9],
                "潜江市阳光社会工作服务中心": [28, 20, 8, 8],
                "武汉博雅社会工作服务中心": [30, 22, 9, 8],
                "竹山县天英留守儿童托管中心": [24, 16, 6, 7],
            },
        )
        _contract(tender, staff, users["aixin"], "HT-QJ-2026-001")

    jiangling = projects["jiangling_pilot"]
    if not jiangling.tenders.exists():
        staff = users["jz_staff"]
        # First round: only one response by the deadline, so the consultation fails (流标).
        first = _tender(
            jiangling,
            staff,
            method="consultation",
            days_ago=60,
            notice_days=12,
            ceiling=Decimal("500000.00"),
        )
        _bid(first, users["boya"], "490000.00", "四位一体关爱保护机制试点方案。")
        services.tender_open(tender=first, actor=staff)
        second = _tender(
            jiangling,
            staff,
            method="consultation",
            days_ago=35,
            notice_days=12,
            ceiling=Decimal("500000.00"),
        )
        _bid(second, users["boya"], "486000.00", "四位一体关爱保护机制试点方案（修订）。")
        _bid(second, users["aixin"], "472000.00", "强制报告与监护干预并重。")
        second = _evaluate(
            second,
            staff,
            experts[:3],
            {
                "武汉博雅社会工作服务中心": [32, 23, 9, 9],
                "武汉爱心天使社会工作服务中心": [29, 21, 8, 8],
            },
        )
        awarded = second.awarded_bid.supplier.name if second.awarded_bid else ""
        winner = users["boya"] if awarded == "武汉博雅社会工作服务中心" else users["aixin"]
        _contract(second, staff, winner, "HT-JL-2026-001")

    jianli = projects["jianli_home"]
    if not jianli.tenders.exists():
        staff = users["jl_staff"]
        tender = _tender(
            jianli, staff, method="open", days_ago=5, notice_days=25, ceiling=Decimal("360000.00")
        )
        now = timezone.now()
        services.bid_submit(
            tender=tender,
            actor=users["kuaile"],
            price=Decimal("352000.00"),
            technical_proposal="六所快乐之家常态化运营，每周开放5天。",
            now=now,
        )
        services.bid_submit(
            tender=tender,
            actor=users["yangguang"],
            price=Decimal("340000.00"),
            technical_proposal="快乐之家运营与志愿者培育。",
            now=now,
        )
