"""Demo service projects from published civil-affairs reports (see shared/data/scenarios.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from projects import services
from projects.models import BeneficiaryCategory as B
from projects.models import FundSource, ServiceCategory, ServiceProject


def _period(months_from_now: int, length_days: int = 364) -> tuple[date, date]:
    start = timezone.localdate() + timedelta(days=30 * months_from_now)
    return start, start + timedelta(days=length_days)


# key, staff username, title, category, region, budget, fund source, start offset (months),
# description, performance targets, target groups, final demo state for this app
PROJECTS: list[dict[str, Any]] = [
    {
        "key": "qianjiang",
        "staff": "qj_staff",
        "title": "“携手成长、守护阳光”关爱农村留守儿童保护项目",
        "category": ServiceCategory.LEFT_BEHIND_CHILDREN,
        "region": "湖北省潜江市",
        "budget": Decimal("500000.00"),
        "fund_source": FundSource.GENERAL_BUDGET,
        "start": 2,
        "description": "以社工+志愿者模式，为全市农村留守儿童提供个案辅导、小组活动、社区活动和家庭探访等专业服务。",
        "targets": "服务农村留守儿童不少于800人；个案不少于40个、小组不少于12个、社区活动不少于24场；"
        "“四卡一袋”建档率100%；服务对象满意度不低于90%。",
        "groups": [(B.LEFT_BEHIND_CHILD, 800), (B.GUARDIAN, 300)],
        "approve": True,
    },
    {
        "key": "jianli_home",
        "staff": "jl_staff",
        "title": "监利县老人儿童快乐之家运营服务项目",
        "category": ServiceCategory.HAPPY_HOME,
        "region": "湖北省荆州市监利县",
        "budget": Decimal("360000.00"),
        "fund_source": FundSource.WELFARE_LOTTERY,
        "start": 1,
        "description": "每个快乐之家辐射周边5个村，建立运营制度，定期为留守老人、妇女和儿童提供常态化、专业化服务。",
        "targets": "运营快乐之家6所，每所每周开放不少于5天；固定参与老人40人、儿童180人；服务台账完整率100%。",
        "groups": [
            (B.LEFT_BEHIND_ELDER, 240),
            (B.LEFT_BEHIND_WOMAN, 180),
            (B.LEFT_BEHIND_CHILD, 1080),
        ],
        "approve": True,
    },
    {
        "key": "jiangling_pilot",
        "staff": "jz_staff",
        "title": "江陵县农村留守儿童关爱保护机制试点项目",
        "category": ServiceCategory.LEFT_BEHIND_CHILDREN,
        "region": "湖北省荆州市江陵县",
        "budget": Decimal("500000.00"),
        "fund_source": FundSource.CENTRAL_TRANSFER,
        "start": 1,
        "description": "省级试点：建立强制报告、应急处置、评估帮扶、监护干预“四位一体”关爱保护机制。",
        "targets": "委托监护责任确认书签订率100%；“八个一”月度关爱落实率不低于95%；服务人次不少于6000。",
        "groups": [(B.LEFT_BEHIND_CHILD, 1500)],
        "approve": True,
    },
    {
        "key": "daying_qinqing",
        "staff": "dy_staff",
        "title": "大英县“亲青家园”留守儿童关爱服务项目",
        "category": ServiceCategory.LEFT_BEHIND_CHILDREN,
        "region": "四川省遂宁市大英县",
        "budget": Decimal("200000.00"),
        "fund_source": FundSource.WELFARE_LOTTERY,
        "start": 3,
        "description": "开展结对帮扶、关爱活动100场以上，为村小200余名儿童提供午餐。",
        "targets": "结对与关爱活动不少于100场；午餐服务儿童不少于200人；满意度不低于90%。",
        "groups": [(B.LEFT_BEHIND_CHILD, 260)],
        "approve": False,
    },
    {
        "key": "guangxi",
        "staff": "gx_staff",
        "title": "广西20个深度贫困县政府购买儿童关爱服务项目",
        "category": ServiceCategory.CHILDREN_IN_DIFFICULTY,
        "region": "广西壮族自治区",
        "budget": Decimal("10000000.00"),
        "fund_source": FundSource.CENTRAL_TRANSFER,
        "start": 2,
        "description": "在20个深度贫困县购买儿童关爱服务，由社会工作服务机构驻县开展服务。",
        "targets": "服务人次不少于80000；志愿服务人次不少于27000；覆盖20个县。",
        "groups": [(B.CHILD_IN_DIFFICULTY, 12000), (B.LEFT_BEHIND_CHILD, 20000)],
        "approve": False,
    },
]


def load(ctx: dict[str, Any]) -> None:
    """Create the demo projects once; a second run leaves existing ones as they are."""
    users = ctx["users"]
    projects: dict[str, ServiceProject] = ctx.setdefault("projects", {})
    for spec in PROJECTS:
        staff = users[spec["staff"]]
        existing = ServiceProject.objects.filter(
            title=spec["title"], bureau=staff.organization
        ).first()
        if existing:
            projects[spec["key"]] = existing
            continue
        start, end = _period(spec["start"])
        project = services.project_create(
            actor=staff,
            title=spec["title"],
            category=spec["category"],
            region=spec["region"],
            budget=spec["budget"],
            fund_source=spec["fund_source"],
            period_start=start,
            period_end=end,
            description=spec["description"],
            performance_targets=spec["targets"],
            targets=spec["groups"],
        )
        if spec["approve"]:
            services.project_approve(project=project, actor=staff, note="局务会审议通过")
        projects[spec["key"]] = project
    # A project stopped before procurement, so the terminated state is visible too.
    title = "荆州市沙市区社区儿童之家试点服务项目"
    if not ServiceProject.objects.filter(title=title).exists():
        staff = users["jz_staff"]
        start, end = _period(1, 180)
        project = services.project_create(
            actor=staff,
            title=title,
            category=ServiceCategory.COMMUNITY,
            region="湖北省荆州市沙市区",
            budget=Decimal("150000.00"),
            fund_source=FundSource.GENERAL_BUDGET,
            period_start=start,
            period_end=end,
            performance_targets="覆盖3个社区；开展社区活动不少于12场。",
            targets=[(B.RESIDENT, 300)],
        )
        services.project_terminate(
            project=project, actor=staff, reason="预算调整，项目并入市级统筹，本年度不再单独采购。"
        )
