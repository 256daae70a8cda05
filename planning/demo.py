"""Planning's part of `load_demo`: the Hubei pilot money flowing down to Jingzhou's counties
(省级每个试点县50万元), the province's purchase catalogue, NGOs' credit profiles and a county's
submitted statistics report. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.credit import (
    AnnualInspection,
    CreditListing,
    CreditProfile,
    InspectionResult,
    ListingKind,
)
from accounts.models import Organization, User
from planning import postings, services
from planning.models import (
    AnnualPlan,
    BudgetLine,
    CatalogueItem,
    FundSource,
    ProjectCatalogue,
    ProjectDraw,
    StatsReport,
)
from planning.selectors import last_due_period

CATALOGUE = [
    ("A07", "社会救助与社会福利服务", None),
    ("A0701", "困境儿童关爱保护服务", "A07"),
    ("A0702", "农村留守儿童关爱服务", "A07"),
    ("A0703", "农村留守老年人关爱服务", "A07"),
    ("A0704", "老人儿童快乐之家运营服务", "A07"),
    ("A08", "社区建设与社会工作服务", None),
    ("A0801", "社区社会工作服务", "A08"),
]

# organisation, certificate, valid for (days from today), rating, inspections, listing
CREDIT: list[
    tuple[str, str, int, str, list[tuple[int, str]], tuple[str, int, int | None] | None]
] = [
    (
        "武汉爱心天使社会工作服务中心",
        "鄂民证字第010233号",
        900,
        "4A",
        [(-1, "qualified"), (-2, "qualified")],
        None,
    ),
    ("武汉博雅社会工作服务中心", "鄂民证字第010871号", 600, "3A", [(-1, "qualified")], None),
    (
        "竹山县天英留守儿童托管中心",
        "竹民证字第0052号",
        400,
        "2A",
        [(-1, "basically_qualified")],
        (ListingKind.ABNORMAL, -420, -300),
    ),
    ("潜江市阳光社会工作服务中心", "潜民证字第0117号", 45, "3A", [(-1, "qualified")], None),
    ("监利县乡村快乐之家服务协会", "监民证字第0031号", 700, "", [(-1, "qualified")], None),
]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _catalogue(province: Organization) -> dict[str, CatalogueItem]:
    items: dict[str, CatalogueItem] = {}
    for code, name, parent in CATALOGUE:
        items[code], _created = CatalogueItem.objects.get_or_create(
            owner=province,
            code=code,
            defaults={"name": name, "parent": items.get(parent) if parent else None},
        )
    return items


def _line(plan: AnnualPlan, fund: str, name: str, amount: str, actor: User) -> BudgetLine:
    existing = plan.lines.filter(name=name).first()
    return existing or services.line_add(
        actor=actor, plan=plan, fund_source=fund, name=name, amount=Decimal(amount)
    )


def _allocate(source: BudgetLine, child: Organization, amount: str, actor: User) -> BudgetLine:
    existing = BudgetLine.objects.filter(source=source, plan__bureau=child).first()
    return existing or services.allocation_make(
        actor=actor, source=source, child=child, amount=Decimal(amount)
    )


def _fund(project: Any, draws: list[tuple[BudgetLine, str]], actor: User) -> None:
    """The demo projects were approved by projects.demo before this loader ran; record the lines
    they drew on as the funding page would have (same rows, same ledger lines)."""
    if ProjectDraw.objects.filter(project=project).exists():
        return
    for line, amount in draws:
        draw = ProjectDraw.objects.create(project=project, line=line, amount=Decimal(amount))
        draw.ledger_entry = postings.post_draw(draw=draw, actor=actor)
        draw.save(update_fields=["ledger_entry"])


def load(ctx: dict[str, Any]) -> None:
    projects = ctx.get("projects", {})
    province, city = _org("湖北省民政厅"), _org("荆州市民政局")
    jianli = _org("监利县民政局")
    items = _catalogue(province)
    hb_staff = User.objects.filter(organization=province, role="bureau_staff").first()
    jz_staff, jl_staff = _user("jz_staff"), _user("jl_staff")
    pilot, home = projects.get("jiangling_pilot"), projects.get("jianli_home")
    year = pilot.period_start.year if pilot else timezone.localdate().year
    if hb_staff is None:
        hb_staff = User.objects.create_user(
            username="hb_staff",
            password=None,
            role="bureau_staff",
            organization=province,
            display_name="孙伟（湖北省民政厅）",
        )
    hb_plan = services.plan_create(actor=hb_staff, year=year, note="农村留守儿童关爱保护试点")
    special = _line(
        hb_plan, FundSource.OWN_BUDGET, "农村留守儿童关爱保护试点专项", "5000000.00", hb_staff
    )
    to_city = _allocate(special, city, "1500000.00", hb_staff)
    for county in ("江陵县民政局", "监利县民政局", "石首市民政局"):
        _allocate(to_city, _org(county), "500000.00", jz_staff)
    jz_plan = to_city.plan
    city_own = _line(
        jz_plan, FundSource.OWN_BUDGET, "市本级购买社会工作服务资金", "800000.00", jz_staff
    )
    jl_plan = AnnualPlan.objects.get(bureau=jianli, year=year)
    jl_received = jl_plan.lines.get(source__isnull=False)
    lottery = _line(
        jl_plan, FundSource.WELFARE_LOTTERY, "福彩公益金（快乐之家）", "200000.00", jl_staff
    )
    if pilot:
        _fund(pilot, [(city_own, "500000.00")], jz_staff)
        ProjectCatalogue.objects.get_or_create(project=pilot, defaults={"item": items["A0702"]})
    if home:
        _fund(home, [(jl_received, "160000.00"), (lottery, "200000.00")], jl_staff)
        ProjectCatalogue.objects.get_or_create(project=home, defaults={"item": items["A0704"]})
    qianjiang = projects.get("qianjiang")
    if qianjiang:
        ProjectCatalogue.objects.get_or_create(project=qianjiang, defaults={"item": items["A0702"]})
    today = timezone.localdate()
    for name, number, days, rating, inspections, listing in CREDIT:
        ngo = _org(name)
        CreditProfile.objects.get_or_create(
            organization=ngo,
            defaults={
                "certificate_number": number,
                "certificate_expires": today + dt.timedelta(days=days),
                "rating": rating,
                "rating_awarded_on": today - dt.timedelta(days=400) if rating else None,
                "rating_expires": today + dt.timedelta(days=1400) if rating else None,
            },
        )
        for offset, result in inspections:
            AnnualInspection.objects.get_or_create(
                organization=ngo,
                year=today.year + offset,
                defaults={"result": InspectionResult(result)},
            )
        if listing and not CreditListing.objects.filter(organization=ngo).exists():
            kind, listed, removed = listing
            CreditListing.objects.create(
                organization=ngo,
                kind=kind,
                listed_on=today + dt.timedelta(days=listed),
                removed_on=today + dt.timedelta(days=removed) if removed is not None else None,
                authority="竹山县民政局",
                reason="未按规定报送上一年度工作报告",
            )
    # 监利 has sent its report for the last quarter that is due; 江陵 and 石首 are late.
    r_year, r_quarter = last_due_period(today)
    if not StatsReport.objects.filter(bureau=jianli, year=r_year, quarter=r_quarter).exists():
        report = services.report_generate(actor=jl_staff, year=r_year, quarter=r_quarter)
        services.report_review(actor=_user("jl_finance"), report=report)
        services.report_submit(actor=jl_staff, report=report)
