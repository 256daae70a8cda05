"""Bulk seeding of realistic rows for benchmarks and size tests (never used by the app)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal


def seed_projects(n: int, *, seed: int = 2026) -> None:
    """Add n service projects spread over the demo bureaus, states and categories."""
    from accounts.models import Organization, OrgKind, User
    from projects.models import (
        BeneficiaryCategory,
        FundSource,
        ProjectState,
        ServiceCategory,
        ServiceProject,
        TargetGroup,
    )

    rng = random.Random(seed)
    bureaus = list(Organization.objects.filter(kind=OrgKind.BUREAU))
    creator = User.objects.filter(role="bureau_staff").first()
    titles = [
        "关爱农村留守儿童服务项目",
        "困境儿童保护服务项目",
        "留守老人关爱服务项目",
        "老人儿童快乐之家运营项目",
    ]
    start = dt.date(2024, 1, 1)
    rows = []
    for i in range(n):
        bureau = rng.choice(bureaus)
        begin = start + dt.timedelta(days=rng.randrange(0, 1000))
        rows.append(
            ServiceProject(
                code=f"GMB{i:07d}",
                title=f"{bureau.region}{rng.choice(titles)}（第{i % 97 + 1}期）",
                bureau=bureau,
                category=rng.choice(ServiceCategory.values),
                region=bureau.region or "湖北省",
                budget=Decimal(rng.randrange(50_000, 2_000_000)) + Decimal("0.50"),
                fund_source=rng.choice(FundSource.values),
                period_start=begin,
                period_end=begin + dt.timedelta(days=364),
                performance_targets="服务人次不少于1000；满意度不低于90%。",
                state=rng.choice(ProjectState.values),
                created_by=creator,
            )
        )
    ServiceProject.objects.bulk_create(rows, batch_size=2000)
    created = ServiceProject.objects.filter(code__startswith="GMB").values_list("id", flat=True)
    TargetGroup.objects.bulk_create(
        (
            TargetGroup(
                project_id=pk,
                category=BeneficiaryCategory.LEFT_BEHIND_CHILD,
                count=rng.randrange(50, 3000),
            )
            for pk in created.iterator()
        ),
        batch_size=5000,
    )
