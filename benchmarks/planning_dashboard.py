"""The bureau dashboard at 100 and at 10,000 projects: queries must not grow, time < 300 ms.

    .venv/bin/python -m benchmarks.planning_dashboard [--projects 100 10000] [--repeat 20]

Migrates a throwaway SQLite database (or BENCH_DATABASE_URL if it names a database made for
this; never the development or test database, the generated rows are not removed) and, for each size, generates a province → city → three counties tree with an annual plan
per bureau, allocations down the tree, N projects drawing on the county lines (one or two lines
each), a contract, target groups, service records and two paid disbursements per project in the
hash-chained ledger. It then asks the province's dashboard page through the test client, counts
its queries and reports p50 and p95 of --repeat timed requests, p95 against the 300 ms target
(ratio below 1.00 meets it), the app process's CPU time per request and the load average (on a
shared machine wall time is mostly waiting for a CPU). The sizes are cumulative (the
second run adds to the first), so the rows the page reads grow a hundredfold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

YEAR = 2026
TARGET_MS = 300.0


def _setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _tree() -> dict[str, Any]:
    """The bureaus, their staff and plans; made once."""
    from accounts.models import AdminLevel, Organization, OrgKind, Role, User
    from planning import services
    from planning.models import FundSource

    province = Organization.objects.create(
        name="湖北省民政厅", kind=OrgKind.BUREAU, level=AdminLevel.PROVINCE
    )
    city = Organization.objects.create(
        name="荆州市民政局", kind=OrgKind.BUREAU, level=AdminLevel.CITY, parent=province
    )
    counties = [
        Organization.objects.create(
            name=n, kind=OrgKind.BUREAU, level=AdminLevel.COUNTY, parent=city
        )
        for n in ("江陵县民政局", "监利县民政局", "石首市民政局")
    ]
    staff = {
        b.pk: User.objects.create_user(
            username=f"bench-{b.pk}", password=None, role=Role.BUREAU_STAFF, organization=b
        )
        for b in (province, city, *counties)
    }
    ngo = Organization.objects.create(name="武汉爱心天使社会工作服务中心", kind=OrgKind.NGO)
    top = services.line_add(
        actor=staff[province.pk],
        plan=services.plan_create(actor=staff[province.pk], year=YEAR),
        fund_source=FundSource.OWN_BUDGET,
        name="留守儿童关爱保护试点专项",
        amount=Decimal("9000000000.00"),
    )
    city_line = services.allocation_make(
        actor=staff[province.pk], source=top, child=city, amount=Decimal("6000000000.00")
    )
    county_lines = []
    for county in counties:
        received = services.allocation_make(
            actor=staff[city.pk], source=city_line, child=county, amount=Decimal("1500000000.00")
        )
        own = services.line_add(
            actor=staff[county.pk],
            plan=received.plan,
            fund_source=FundSource.WELFARE_LOTTERY,
            name="福彩公益金",
            amount=Decimal("500000000.00"),
        )
        county_lines.append((county, received, own))
    return {"province": province, "staff": staff, "ngo": ngo, "county_lines": county_lines}


def _add_projects(world: dict[str, Any], start: int, n: int, rng: random.Random) -> None:
    """n projects in bulk (plain inserts; the ledger lines are chained one by one)."""
    from django.db import transaction

    from funds.models import ServiceRecord
    from planning.models import ProjectDraw
    from procurement.models import Contract, ContractState
    from projects.models import ProjectState, ServiceCategory, ServiceProject, TargetGroup

    with transaction.atomic():
        projects = []
        for i in range(start, start + n):
            county, _received, _own = world["county_lines"][i % 3]
            projects.append(
                ServiceProject(
                    code=f"GMP{i:07d}",
                    title=f"关爱农村留守儿童服务项目（第{i + 1}期）",
                    bureau=county,
                    category=rng.choice(ServiceCategory.values),
                    region="湖北省荆州市",
                    budget=Decimal("200000.00"),
                    fund_source="general_budget",
                    period_start=dt.date(YEAR, 1, 1),
                    period_end=dt.date(YEAR, 12, 31),
                    performance_targets="服务人次不少于1000；满意度不低于90%。",
                    state=ProjectState.IN_SERVICE,
                    created_by=world["staff"][county.pk],
                )
            )
        ServiceProject.objects.bulk_create(projects, batch_size=2000)
        projects = list(ServiceProject.objects.filter(code__gte=f"GMP{start:07d}").order_by("pk"))
        draws, targets, contracts = [], [], []
        for i, p in enumerate(projects, start=start):
            _county, received, own = world["county_lines"][i % 3]
            if i % 2:
                draws += [
                    ProjectDraw(project=p, line=received, amount=Decimal("150000.00")),
                    ProjectDraw(project=p, line=own, amount=Decimal("50000.00")),
                ]
            else:
                draws.append(ProjectDraw(project=p, line=received, amount=Decimal("200000.00")))
            targets.append(TargetGroup(project=p, category="left_behind_child", count=300))
            contracts.append(
                Contract(
                    project=p,
                    supplier=world["ngo"],
                    number=f"HT-P{i:07d}",
                    amount=Decimal("190000.00"),
                    start_date=dt.date(YEAR, 1, 15),
                    end_date=dt.date(YEAR, 12, 31),
                    state=ContractState.IN_SERVICE,
                )
            )
        ProjectDraw.objects.bulk_create(draws, batch_size=5000)
        TargetGroup.objects.bulk_create(targets, batch_size=5000)
        Contract.objects.bulk_create(contracts, batch_size=2000)
        by_project = {
            c.project_id: c for c in Contract.objects.filter(number__gte=f"HT-P{start:07d}")
        }
        records = []
        paid: list[tuple[Any, Any, int]] = []
        for p in projects:
            contract = by_project[p.pk]
            records.append(
                ServiceRecord(
                    contract=contract,
                    date=dt.date(YEAR, rng.randrange(1, 12), 10),
                    place="郝穴镇",
                    service_type="group",
                    beneficiary_category="left_behind_child",
                    beneficiary_count=rng.randrange(5, 40),
                    hours=Decimal("2.0"),
                    social_worker=rng.choice(["王芳", "李强", "陈静"]),
                )
            )
            paid += [(p, contract, month) for month in (3, 9)]
        _chain_paid(paid)
        ServiceRecord.objects.bulk_create(records, batch_size=5000)


def _chain_paid(paid: list[tuple[Any, Any, int]]) -> None:
    """Append paid disbursements to the hash chain in bulk (as ledger_post would, one by one)."""
    from funds.ledger import GENESIS
    from funds.models import LedgerEntry, LedgerHead, LedgerKind

    head, _created = LedgerHead.objects.get_or_create(pk=1)
    seq, previous = head.seq, head.hash if head.seq else GENESIS
    rows = []
    for project, contract, month in paid:
        seq += 1
        entry = LedgerEntry(
            seq=seq,
            occurred_at=dt.datetime(YEAR, month, 5, 10, tzinfo=dt.UTC),
            kind=LedgerKind.DISBURSEMENT_PAID,
            debit="已支付服务费",
            credit="应付承接主体款",
            amount=Decimal("57000.00"),
            project=project,
            contract=contract,
            memo="基准测试",
            prev_hash=previous,
        )
        entry.hash = entry.compute_hash()
        previous = entry.hash
        rows.append(entry)
    LedgerEntry.objects.bulk_create(rows, batch_size=5000)
    LedgerHead.objects.filter(pk=1).update(seq=seq, hash=previous)


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in production."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _percentile(times: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported time was measured)."""
    ordered = sorted(times)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def _measure(world: dict[str, Any], repeat: int) -> tuple[int, float, float, float]:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(world["staff"][world["province"].pk])
    url = f"/planning/?year={YEAR}"
    assert client.get(url).status_code == 200  # warm caches and templates
    # Count every statement the request sends (an execute wrapper survives the connection being
    # closed and reopened at the end of a request, which CaptureQueriesContext does not).
    counted: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    times, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
    # Wall time includes waiting for a CPU on a shared machine; the app process's own CPU time
    # (the database server's excluded) says what the page costs Python when the load is high.
    return len(counted), statistics.median(times), _percentile(times, 0.95), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sanshe-dashboard-"))
    db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/dashboard.sqlite3")
    _setup(db_url)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    # Production runs without DEBUG; with it every query is also kept in memory.
    settings.DEBUG = False
    settings.AXES_ENABLED = False
    world = _tree()
    rng = random.Random(2026)
    made = 0
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        _add_projects(world, 0, 300, rng)
        from django.test import Client

        client = Client()
        client.force_login(world["staff"][world["province"].pk])
        client.get(f"/planning/?year={YEAR}")
        cProfile.runctx(
            "client.get(f'/planning/?year={YEAR}')", globals(), locals(), sort="tottime"
        )
        return
    print(f"dashboard of 湖北省民政厅 for {YEAR}; {db_url.split(':')[0]}")
    for size in sorted(args.projects):
        began = time.perf_counter()
        _add_projects(world, made, size - made, rng)
        made = size
        seeded = time.perf_counter() - began
        _analyze()
        queries, p50, p95, cpu = _measure(world, args.repeat)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"{size:>6} projects (seeded in {seeded:.1f} s): {queries} queries, "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms over {args.repeat} requests, "
            f"p95/target {p95 / TARGET_MS:.2f} (target {TARGET_MS:.0f} ms); "
            f"app CPU p50 {cpu:.0f} ms; load average {load:.1f}"
        )


if __name__ == "__main__":
    main()
