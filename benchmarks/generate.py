"""A full-lifecycle data set at provincial scale, for the load benchmark and size tests.

Size: one writer per kind of row in dependency order, read top to bottom as the recipe of the
data set; splitting it would scatter the shared ids each step hands to the next.

    createdb -h 127.0.0.1 -U postgres sanshe_bench_large      # an empty database made for it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_bench_large \\
        .venv/bin/python -m benchmarks.generate --size large   # or --size small

Migrates the database named by DATABASE_URL, loads the demo's bureau tree and logins, then adds
(bulk_create in batches, in one transaction per kind of row):

| size  | projects | tenders, bids (3 each) | contracts | milestones | disbursements | service records | ledger |
|-------|---------:|-----------------------:|----------:|-----------:|--------------:|----------------:|-------:|
| small |      100 |                98, 294 |        97 |        291 |           210 |           1,053 |  10,000 |
| large |   10,006 |         ~9,800, ~29,400 |     9,703 |     29,109 |        21,039 |         105,339 | 1,000,000 |

and the evaluations that gate those payments (three assessors each, 32 leaves per sheet):

| size  | evaluations | assignments, sheets | score entries | leaf results |
|-------|------------:|--------------------:|--------------:|-------------:|
| small |         113 |            339, 339 |        10,848 |        3,616 |
| large |      11,336 |      34,008, 34,008 |     1,088,256 |      362,752 |

Every project sits in a demo bureau and goes through the states a real one does: a few stay
draft, approved or tendering (published, sealed bids waiting); the rest are contracted, in
service, accepted or closed, with an awarded tender (one winning bid, two lost), a contract in the
matching state, three milestones (30 % advance, 40 % mid-term, 30 % final), their disbursements
(requested → approved → paid) and thirteen service records, four weeks apart. Each milestone
whose payment got approved has the confirmed third-party evaluation it was gated on
(`write_evaluations`), scored at or above the full-pay score, so its disbursement is the whole
milestone amount and the ledger memo quotes that evaluation's total. The ledger gets what those
events post (appropriation per approved project; request, approval and payment per
disbursement), chained by
`LedgerEntry.compute_hash`, then is filled up to the size's entry count with earlier years'
budget allocations down the bureau tree and projects' draws (the planning postings) — dated
before the lifecycle, so sequence and time still rise together. Finally the whole demo is loaded
on top (its own projects, evaluations, supervision), so every demo login has work on its pages,
and `verify_ledger` must pass.

Refuses any database that is not PostgreSQL, or that already holds tables and was not made by
this script (`COMMENT ON DATABASE ... 'sanshe benchmark data set'`); `--reset` empties one this
script made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import heapq
import os
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MARK = "sanshe benchmark data set"
SIZES = {
    "small": {"projects": 100, "ledger": 10_000},
    "large": {"projects": 10_006, "ledger": 1_000_000},
}
BATCH = 5_000
THEMES = [
    "关爱农村留守儿童服务项目",
    "“携手成长、守护阳光”留守儿童保护项目",
    "困境儿童保护服务项目",
    "留守老人关爱服务项目",
    "老人儿童快乐之家运营项目",
    "“城市微光”社工服务项目",
    "“亲青家园”结对帮扶项目",
    "“情暖童心”午餐助学项目",
    "农村留守妇女互助服务项目",
    "社区儿童之家驻点服务项目",
]
PLACES = ["三桥村", "墨斋村", "白螺镇", "周老嘴镇", "园林街道", "熊口镇", "高石碑镇", "浩口镇"]
WORKERS = ["李社工", "王社工", "张社工", "刘社工", "陈社工", "杨社工"]
# The lifecycle runs over these 35 months; padding entries come before.
LIFE_START = dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.UTC)
PAD_START = dt.datetime(2019, 1, 2, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 1)
# Every four weeks from the first week of the contract: 13 fall within its 364 days, which at
# large size gives the hundred thousand records.
RECORDS_PER_CONTRACT = 13


def _check_database(reset: bool) -> None:
    """Refuse a database this script did not make (or an empty one: then mark it)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("benchmarks.generate writes to PostgreSQL only (set DATABASE_URL)")
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
        comment = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        tables = cursor.fetchone()[0]
        if comment != MARK and tables:
            raise SystemExit(
                f"refusing {name}: it holds {tables} tables and was not made by "
                "benchmarks.generate; create an empty database for it"
            )
        if comment == MARK and tables:
            if not reset:
                raise SystemExit(f"{name} already holds a generated data set; pass --reset")
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        cursor.execute(f"COMMENT ON DATABASE {connection.ops.quote_name(name)} IS %s", [MARK])


def require_generated(tool: str) -> None:
    """Refuse to run `tool` on anything but a PostgreSQL database this script made."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"{tool} runs on PostgreSQL (set DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [connection.settings_dict["NAME"]],
        )
        if cursor.fetchone()[0] != MARK:
            raise SystemExit(
                f"{tool}: run benchmarks.generate on {connection.settings_dict['NAME']} first "
                "(it refuses others)"
            )


def _batched(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_ledger(events: Iterable[dict[str, Any]]) -> int:
    """Append the events after the current head, chained; the one place ledger rows are written.

    Each event holds LedgerEntry field values (occurred_at aware, in UTC); seq, prev_hash and
    hash are set here with the model's own `compute_hash`, and the head moves with each batch."""
    from django.db import transaction

    from funds.ledger import GENESIS
    from funds.models import LedgerEntry, LedgerHead

    head, _created = LedgerHead.objects.get_or_create(pk=1)
    seq, previous = head.seq, (head.hash if head.seq else GENESIS)
    written = 0
    for batch in _batched(events):
        entries = []
        for values in batch:
            seq += 1
            entry = LedgerEntry(seq=seq, prev_hash=previous, recipe=2, **values)
            entry.hash = entry.compute_hash()
            previous = entry.hash
            entries.append(entry)
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
            LedgerHead.objects.filter(pk=1).update(seq=seq, hash=previous)
        written += len(entries)
    return written


class World:
    """What the demo's first loader made: bureaus with their staff and finance, NGOs."""

    def __init__(self) -> None:
        from accounts.models import Organization, OrgKind, Role, User

        self.bureaus = list(Organization.objects.filter(kind=OrgKind.BUREAU).order_by("pk"))
        self.ngos = list(Organization.objects.filter(kind=OrgKind.NGO).order_by("pk"))
        users = list(User.objects.filter(organization__kind=OrgKind.BUREAU))
        fallback_staff = next(u for u in users if u.role == Role.BUREAU_STAFF)
        fallback_finance = next(u for u in users if u.role == Role.BUREAU_FINANCE)
        self.staff = {
            b.pk: next(
                (u for u in users if u.organization_id == b.pk and u.role == Role.BUREAU_STAFF),
                fallback_staff,
            )
            for b in self.bureaus
        }
        self.finance = {
            b.pk: next(
                (u for u in users if u.organization_id == b.pk and u.role == Role.BUREAU_FINANCE),
                fallback_finance,
            )
            for b in self.bureaus
        }


def _project_state(i: int) -> str:
    from projects.models import ProjectState

    return {
        0: ProjectState.DRAFT,
        1: ProjectState.APPROVED,
        2: ProjectState.TENDERING,
    }.get(
        i % 100,
        (
            ProjectState.CONTRACTED,
            ProjectState.IN_SERVICE,
            ProjectState.IN_SERVICE,
            ProjectState.IN_SERVICE,
            ProjectState.ACCEPTED,
            ProjectState.CLOSED,
        )[i % 6],
    )


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def generate(
    size: str, *, projects: int | None = None, ledger: int | None = None, start: int = 0
) -> dict:
    """Add the data set to the current database (the demo's first loader must have run).

    `start` numbers the projects from there, so a second call adds more (the size tests)."""
    from django.db import transaction

    from funds.models import (
        Disbursement,
        DisbursementState,
        LedgerKind,
        Milestone,
        MilestoneState,
        ServiceRecord,
        ServiceType,
    )
    from procurement.models import (
        Bid,
        BidState,
        Contract,
        ContractState,
        EvaluationMethod,
        Method,
        Tender,
        TenderState,
    )
    from projects.models import (
        BeneficiaryCategory,
        FundSource,
        ProjectState,
        ServiceCategory,
        ServiceProject,
        TargetGroup,
    )

    n = SIZES[size]["projects"] if projects is None else projects
    ledger_total = SIZES[size]["ledger"] if ledger is None else ledger
    rng = random.Random(2026)
    world = World()
    system, profiles = _score_profiles()
    counts: dict[str, int] = {}
    events: list[tuple[dt.datetime, int, dict[str, Any]]] = []  # (time, tiebreak, entry values)

    def post(when: dt.datetime, kind: str, amount: Decimal, **values: Any) -> None:
        from funds.ledger import ACCOUNTS

        debit, credit = ACCOUNTS[kind]
        values.setdefault("memo", "")
        values.setdefault("memo_key", "")
        values.setdefault("memo_args", {})
        events.append(
            (
                when,
                len(events),
                {
                    "occurred_at": when,
                    "kind": kind,
                    "debit": debit,
                    "credit": credit,
                    "amount": amount,
                    **values,
                },
            )
        )

    # Projects and their target groups.
    with transaction.atomic():
        rows = []
        for i in range(start, start + n):
            bureau = world.bureaus[i % len(world.bureaus)]
            begin = LIFE_START + dt.timedelta(days=rng.randrange(0, 700))
            region = bureau.region or "湖北省"
            rows.append(
                ServiceProject(
                    code=f"GMS{begin.year}{i:06d}",
                    title=f"{region.removeprefix('湖北省')}{THEMES[i % len(THEMES)]}"
                    f"（{begin.year}年第{i // len(THEMES) % 50 + 1}期）",
                    bureau=bureau,
                    category=ServiceCategory.values[i % len(ServiceCategory.values)],
                    region=region,
                    budget=Decimal(rng.randrange(100, 2_000)) * 1000,
                    fund_source=FundSource.values[i % len(FundSource.values)],
                    period_start=begin.date(),
                    period_end=begin.date() + dt.timedelta(days=364),
                    description="社工驻村开展个案、小组和社区活动，建立“四卡一袋”档案。",
                    performance_targets="服务人次不少于1000；满意度不低于90%。",
                    state=_project_state(i),
                    approved_at=None if i % 100 == 0 else begin - dt.timedelta(days=40),
                    created_by=world.staff[bureau.pk],
                )
            )
        made = ServiceProject.objects.bulk_create(rows, batch_size=BATCH)
        TargetGroup.objects.bulk_create(
            (
                TargetGroup(
                    project=p,
                    category=BeneficiaryCategory.values[k % len(BeneficiaryCategory.values)],
                    count=rng.randrange(50, 3000),
                )
                for k, p in enumerate(made)
            ),
            batch_size=BATCH,
        )
    counts["projects"] = len(made)
    for p in made:
        if p.state != ProjectState.DRAFT:
            post(
                p.approved_at + dt.timedelta(hours=2),
                LedgerKind.BUDGET_APPROPRIATED,
                p.budget,
                project_id=p.pk,
                actor_id=world.finance[p.bureau_id].pk,
                memo_key="budget_appropriated",
                memo_args={"code": p.code},
            )

    # Tenders (round 1) for every project past approval, three sealed bids each.
    tendered = [p for p in made if p.state not in (ProjectState.DRAFT, ProjectState.APPROVED)]
    with transaction.atomic():
        # A tendering project's tender is open now (its deadline ahead); the others' ran after
        # their approval.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        opened = {
            p.pk: (
                now - dt.timedelta(days=16) if p.state == ProjectState.TENDERING else p.approved_at
            )
            for p in tendered
        }
        tenders = Tender.objects.bulk_create(
            (
                Tender(
                    project=p,
                    title=f"{p.title}竞争性磋商公告",
                    method=Method.CONSULTATION,
                    evaluation_method=EvaluationMethod.COMPREHENSIVE,
                    ceiling_price=p.budget,
                    qualification_requirements="依法登记的社会组织，具备社会工作专业人员。",
                    service_requirements="按合同约定开展留守儿童关爱服务并建立台账。",
                    publish_at=opened[p.pk] + dt.timedelta(days=3),
                    clarification_deadline=opened[p.pk] + dt.timedelta(days=18),
                    bid_deadline=opened[p.pk] + dt.timedelta(days=23),
                    opening_at=opened[p.pk] + dt.timedelta(days=23),
                    state=(
                        TenderState.PUBLISHED
                        if p.state == ProjectState.TENDERING
                        else TenderState.CONTRACTED
                    ),
                    awarded_at=(
                        None
                        if p.state == ProjectState.TENDERING
                        else p.approved_at + dt.timedelta(days=26)
                    ),
                    award_published_at=(
                        None
                        if p.state == ProjectState.TENDERING
                        else p.approved_at + dt.timedelta(days=27)
                    ),
                    created_by=world.staff[p.bureau_id],
                )
                for p in tendered
            ),
            batch_size=BATCH,
        )
        bids = []
        for k, t in enumerate(tenders):
            open_ = t.state == TenderState.PUBLISHED
            for b in range(3):
                supplier = world.ngos[(k + b) % len(world.ngos)]
                price = _money(float(t.ceiling_price) * (0.90 + 0.03 * b))
                bids.append(
                    Bid(
                        tender=t,
                        supplier=supplier,
                        price=price,
                        technical_proposal="驻村社工两名，每月家访、视频通话和小组活动各一次。",
                        receipt=hashlib.sha256(
                            f"{t.project_id}:{supplier.pk}".encode()
                        ).hexdigest(),
                        submitted_at=min(t.bid_deadline - dt.timedelta(days=1), now)
                        - dt.timedelta(hours=b),
                        state=(
                            BidState.SUBMITTED
                            if open_
                            else (BidState.WON if b == 0 else BidState.LOST)
                        ),
                    )
                )
        bids = Bid.objects.bulk_create(bids, batch_size=BATCH)
        for k, t in enumerate(tenders):
            if t.state != TenderState.PUBLISHED:
                t.awarded_bid = bids[3 * k]
        Tender.objects.bulk_update(
            [t for t in tenders if t.awarded_bid_id], ["awarded_bid"], batch_size=BATCH
        )
    counts["tenders"], counts["bids"] = len(tenders), len(bids)

    # Contracts, milestones, disbursements and service records for every awarded tender.
    contract_state = {
        ProjectState.CONTRACTED: ContractState.SIGNED,
        ProjectState.IN_SERVICE: ContractState.IN_SERVICE,
        ProjectState.ACCEPTED: ContractState.COMPLETED,
        ProjectState.CLOSED: ContractState.COMPLETED,
    }
    awarded = [(t, bids[3 * k]) for k, t in enumerate(tenders) if t.awarded_bid_id]
    with transaction.atomic():
        contracts = Contract.objects.bulk_create(
            (
                Contract(
                    project=t.project,
                    supplier_id=bid.supplier_id,
                    tender=t,
                    number=f"HT-GS-{t.project.period_start.year}-{t.project_id:07d}",
                    amount=bid.price,
                    start_date=t.project.period_start,
                    end_date=t.project.period_end,
                    service_content=t.service_requirements,
                    state=contract_state[t.project.state],
                    supplier_signed_at=t.award_published_at + dt.timedelta(days=5),
                    signed_at=t.award_published_at + dt.timedelta(days=6),
                    notice_published_at=t.award_published_at + dt.timedelta(days=7),
                )
                for t, bid in awarded
            ),
            batch_size=BATCH,
        )
        # How far each contract's payments got: signed → advance requested; in service →
        # advance and mid-term paid (every third: mid-term approved, not paid); completed → all.
        plan = (
            ("预付款", "30.00", True, 0),
            ("中期服务成果", "40.00", False, 180),
            ("终期服务成果", "30.00", False, 364),
        )
        milestones = []
        paid_states = []
        for k, c in enumerate(contracts):
            if c.state == ContractState.SIGNED:
                reach = [DisbursementState.REQUESTED]
            elif c.state == ContractState.IN_SERVICE:
                reach = [
                    DisbursementState.PAID,
                    DisbursementState.APPROVED if k % 3 == 0 else DisbursementState.PAID,
                ]
            else:
                reach = [DisbursementState.PAID] * 3
            for seq, (name, pct, advance, days) in enumerate(plan, start=1):
                paying = reach[seq - 1] if seq <= len(reach) else None
                stone = Milestone(
                    contract=c,
                    sequence=seq,
                    name=name,
                    percentage=Decimal(pct),
                    amount=(c.amount * Decimal(pct) / 100).quantize(Decimal("0.01")),
                    due_date=c.start_date + dt.timedelta(days=days),
                    is_advance=advance,
                    requires_evaluation=not advance,
                    state=(
                        MilestoneState.PLANNED
                        if paying is None
                        else MilestoneState.PAID
                        if paying == DisbursementState.PAID
                        else MilestoneState.PAYABLE
                    ),
                )
                milestones.append(stone)
                if paying is not None:
                    paid_states.append((stone, paying))
        disbursements = []
        milestones = Milestone.objects.bulk_create(milestones, batch_size=BATCH)
        for stone, state in paid_states:
            contract = stone.contract
            finance = world.finance[contract.project.bureau_id]
            accepted = max(
                contract.signed_at.date() + dt.timedelta(days=3),
                stone.due_date,
            )
            paid = state == DisbursementState.PAID
            disbursements.append(
                Disbursement(
                    milestone=stone,
                    part=1,
                    amount=stone.amount,
                    calculation=f"{stone.name}：合同金额 × {stone.percentage}% = {stone.amount}",
                    state=state,
                    requested_by=world.staff[contract.project.bureau_id],
                    approved_by=None if state == DisbursementState.REQUESTED else finance,
                    approved_at=(
                        None
                        if state == DisbursementState.REQUESTED
                        else dt.datetime.combine(accepted, dt.time(10), dt.UTC)
                        + dt.timedelta(days=2)
                    ),
                    paid_by=finance if paid else None,
                    paid_on=accepted + dt.timedelta(days=5) if paid else None,
                    voucher_number=f"PZ-{contract.pk:07d}-{stone.sequence}" if paid else "",
                    accepted_on=accepted,
                    due_by=accepted + dt.timedelta(days=15),
                )
            )
        disbursements = Disbursement.objects.bulk_create(disbursements, batch_size=BATCH)
        for d in disbursements:
            stone = d.milestone
            contract = stone.contract
            refs = {
                "project_id": contract.project_id,
                "contract_id": contract.pk,
                "milestone_id": stone.pk,
                "disbursement_id": d.pk,
            }
            requested = dt.datetime.combine(d.accepted_on, dt.time(9), dt.UTC)
            post(
                requested,
                LedgerKind.DISBURSEMENT_REQUESTED,
                d.amount,
                actor_id=d.requested_by_id,
                memo_key="advance" if stone.is_advance else "full_pay",
                memo_args=(
                    {"a": str(d.amount)}
                    if stone.is_advance
                    else {
                        "s": str(profiles[stone.pk % len(profiles)].total),
                        "f": str(stone.full_pay_score.quantize(Decimal("0.01"))),
                        "a": str(d.amount),
                        "p": str(d.amount),
                    }
                ),
                **refs,
            )
            if d.approved_at:
                post(
                    d.approved_at,
                    LedgerKind.DISBURSEMENT_APPROVED,
                    d.amount,
                    actor_id=d.approved_by_id,
                    memo_key="approved",
                    **refs,
                )
            if d.paid_on:
                post(
                    dt.datetime.combine(d.paid_on, dt.time(15), dt.UTC),
                    LedgerKind.DISBURSEMENT_PAID,
                    d.amount,
                    actor_id=d.paid_by_id,
                    memo_key="paid",
                    memo_args={"v": d.voucher_number, "d": d.paid_on.isoformat()},
                    **refs,
                )
        serving = [c for c in contracts if c.state != ContractState.SIGNED]
        records = (
            ServiceRecord(
                contract=c,
                date=min(c.start_date + dt.timedelta(days=7 + 28 * r), TODAY),
                place=PLACES[(c.pk + r) % len(PLACES)],
                service_type=ServiceType.values[r % len(ServiceType.values)],
                beneficiary_category=BeneficiaryCategory.LEFT_BEHIND_CHILD,
                beneficiary_count=1 + (c.pk * 7 + r) % 30,
                hours=Decimal(1 + r % 4) + Decimal("0.5"),
                social_worker=WORKERS[(c.pk + r) % len(WORKERS)],
            )
            for c in serving
            for r in range(RECORDS_PER_CONTRACT)
        )
        for batch in _batched(records):
            ServiceRecord.objects.bulk_create(batch)
    counts["contracts"] = len(contracts)
    counts["milestones"] = len(milestones)
    counts["disbursements"] = len(disbursements)
    counts["service records"] = RECORDS_PER_CONTRACT * len(serving)
    counts.update(write_evaluations(disbursements, world, system, profiles))

    # The ledger: earlier years' allocations and draws first, then the lifecycle in time order.
    padding = max(0, ledger_total - len(events))
    events.sort(key=lambda e: (e[0], e[1]))
    counts["ledger entries"] = write_ledger(
        v for _when, _k, v in heapq.merge(_padding(padding, world, made, rng), events)
    )
    return counts


@dataclass(frozen=True)
class Profile:
    """One way three assessors scored the template's leaves, consolidated as the service does."""

    inputs: list[dict[int, dict[str, Any]]]  # per assessor: leaf pk → inputs
    scores: list[dict[int, Decimal]]  # per assessor: leaf pk → score
    leaves: dict[int, tuple[Decimal, Decimal, bool]]  # leaf pk → (score, spread, flagged)
    total: Decimal
    alpha: Decimal | None


PROFILES = 8
ASSESSOR_ORG = "荆楚社会服务绩效评估中心"
ASSESSORS = ("assessor2", "assessor3", "assessor4")


def _score_profiles() -> tuple[Any, list[Profile]]:
    """The shipped social-work system and a few scorings of it, each at least the full-pay score.

    Evaluations take them in turn, so each one's total is known before the ledger is written:
    a paid milestone pays its whole amount (score ≥ FULL_PAY_SCORE), as `funds.policy` says."""
    import numpy as np

    from evaluation import services
    from evaluation.consolidation import consolidate, from_hundredths, hundredths
    from evaluation.models import Indicator
    from evaluation.scoring import score_leaf
    from funds.models.milestones import FULL_PAY_SCORE

    system = services.templates_install()[0]
    leaves = list(Indicator.objects.filter(system=system, level=3).order_by("position"))
    rng = random.Random(14)
    profiles = []
    for _p in range(PROFILES):
        inputs: list[dict[int, dict[str, Any]]] = []
        for _a in ASSESSORS:
            given: dict[int, dict[str, Any]] = {}
            for leaf in leaves:
                short = rng.random() < 0.3  # most leaves earn full marks, some fall short
                if leaf.method == "rubric":
                    factor = Decimal(rng.randrange(75, 100) if short else 100) / 100
                    given[leaf.pk] = {"score": str((leaf.points * factor).quantize(Decimal("0.1")))}
                elif leaf.method == "ratio":
                    target = Decimal(str(leaf.params.get("target", "1")))
                    actual = target * Decimal(rng.randrange(80, 100) if short else 100) / 100
                    given[leaf.pk] = {
                        "actual": str(actual.quantize(Decimal("1"))),
                        "target": str(target),
                    }
                elif leaf.method == "threshold":
                    given[leaf.pk] = {"actual": str(leaf.params["threshold"])}
                elif leaf.method == "deduction":
                    given[leaf.pk] = {"count": "1" if short else "0"}
                else:
                    given[leaf.pk] = {"met": True}
            inputs.append(given)
        scores = [
            {
                leaf.pk: score_leaf(
                    method=leaf.method,
                    points=leaf.points,
                    params=leaf.params,
                    inputs=given[leaf.pk],
                )
                for leaf in leaves
            }
            for given in inputs
        ]
        matrix = np.array(
            [[[hundredths(sheet[leaf.pk]) for leaf in leaves] for sheet in scores]],
            dtype=np.int64,
        )
        points = np.array([hundredths(leaf.points) for leaf in leaves], dtype=np.int64)
        done = consolidate(matrix, points, Decimal("30.00"))
        total = from_hundredths(done.totals[0])
        if total < FULL_PAY_SCORE:
            raise AssertionError(f"a generated scoring totals {total} < {FULL_PAY_SCORE}")
        profiles.append(
            Profile(
                inputs=inputs,
                scores=scores,
                leaves={
                    leaf.pk: (
                        from_hundredths(done.scores[0][k]),
                        from_hundredths(done.spread[0][k]),
                        bool(done.flagged[0][k]),
                    )
                    for k, leaf in enumerate(leaves)
                },
                total=total,
                alpha=done.alphas[0] if done.alphas else None,
            )
        )
    return system, profiles


def write_evaluations(
    disbursements: list[Any], world: World, system: Any, profiles: list[Profile]
) -> dict[str, int]:
    """A confirmed third-party evaluation for each milestone whose payment got approved.

    That is what `funds.gates` asks of such a milestone: the 荆楚 centre's mid-term evaluation of
    an in-service contract, mid-term and final ones of a completed contract. Each has its three
    assessors cleared, their submitted score sheets, the consolidated result with its leaves,
    and is confirmed three days before the milestone was accepted; the score is the profile's
    total the ledger memo already quotes (`stone.pk % len(profiles)`)."""
    from django.db import transaction

    from accounts.models import Organization, User
    from evaluation.models import (
        AssessorAssignment,
        AssignmentState,
        ConsolidationMethod,
        Evaluation,
        EvaluationKind,
        EvaluationResult,
        EvaluationState,
        LeafResult,
        ScoreEntry,
        ScoreSheet,
        SheetState,
    )
    from evaluation.models.evaluations import grade_for
    from evaluation.services import appeal_deadline_from
    from funds.models import DisbursementState

    org = Organization.objects.get(name=ASSESSOR_ORG)
    lead = User.objects.get(username="assessor_lead")
    assessors = [User.objects.get(username=name) for name in ASSESSORS]
    gated = [
        d
        for d in disbursements
        if d.milestone.requires_evaluation
        and d.state in (DisbursementState.APPROVED, DisbursementState.PAID)
    ]
    counts = dict.fromkeys(
        ("evaluations", "assessor assignments", "score sheets", "score entries", "leaf results"),
        0,
    )
    for batch in _batched(gated, BATCH // 10):
        with transaction.atomic():
            evaluations = []
            for d in batch:
                stone, contract = d.milestone, d.milestone.contract
                profile = profiles[stone.pk % len(profiles)]
                confirmed = dt.datetime.combine(d.accepted_on, dt.time(16), dt.UTC) - dt.timedelta(
                    days=3
                )
                evaluations.append(
                    Evaluation(
                        project_id=contract.project_id,
                        contract=contract,
                        milestone=stone,
                        assessor_org=org,
                        state=EvaluationState.CONFIRMED,
                        total_score=profile.total,
                        grade=grade_for(profile.total),
                        confirmed_at=confirmed,
                        kind=EvaluationKind.FINAL
                        if stone.sequence == 3
                        else EvaluationKind.MID_TERM,
                        system=system,
                        lead=lead,
                        due_date=d.accepted_on,
                        commissioned_by=world.staff[contract.project.bureau_id],
                        commissioned_at=confirmed - dt.timedelta(days=30),
                        appeal_deadline=appeal_deadline_from(confirmed.date()),
                    )
                )
            evaluations = Evaluation.objects.bulk_create(evaluations)
            assignments, sheets, results = [], [], []
            for e in evaluations:
                profile = profiles[e.milestone_id % len(profiles)]
                for assessor in assessors:
                    assignments.append(
                        AssessorAssignment(
                            evaluation=e,
                            assessor=assessor,
                            state=AssignmentState.CLEARED,
                            declaration="本人与被评估机构及其投标人无利害关系。",
                            declared_at=e.commissioned_at + dt.timedelta(days=1),
                            assigned_at=e.commissioned_at + dt.timedelta(hours=2),
                        )
                    )
                    sheets.append(
                        ScoreSheet(
                            evaluation=e,
                            assessor=assessor,
                            state=SheetState.SUBMITTED,
                            submitted_at=e.confirmed_at - dt.timedelta(days=7),
                        )
                    )
                results.append(
                    EvaluationResult(
                        evaluation=e,
                        total=profile.total,
                        grade=grade_for(profile.total),
                        method=ConsolidationMethod.MEAN,
                        assessor_count=len(assessors),
                        agreement_alpha=profile.alpha,
                        summary="服务按合同推进，台账完整；个别指标进度略慢。",
                        consolidated_by=lead,
                        consolidated_at=e.confirmed_at - dt.timedelta(days=2),
                        confirmed_at=e.confirmed_at,
                    )
                )
            AssessorAssignment.objects.bulk_create(assignments)
            sheets = ScoreSheet.objects.bulk_create(sheets)
            results = EvaluationResult.objects.bulk_create(results)
            entries = [
                ScoreEntry(
                    sheet=sheet,
                    indicator_id=leaf,
                    inputs=profile.inputs[k % len(assessors)][leaf],
                    score=score,
                )
                for k, sheet in enumerate(sheets)
                for profile in [profiles[sheet.evaluation.milestone_id % len(profiles)]]
                for leaf, score in profile.scores[k % len(assessors)].items()
            ]
            ScoreEntry.objects.bulk_create(entries, batch_size=BATCH)
            leaves = [
                LeafResult(
                    result=result,
                    indicator_id=leaf,
                    score=score,
                    computed=score,
                    spread=spread,
                    flagged=flagged,
                )
                for result in results
                for leaf, (score, spread, flagged) in profiles[
                    result.evaluation.milestone_id % len(profiles)
                ].leaves.items()
            ]
            LeafResult.objects.bulk_create(leaves, batch_size=BATCH)
        counts["evaluations"] += len(evaluations)
        counts["assessor assignments"] += len(assignments)
        counts["score sheets"] += len(sheets)
        counts["score entries"] += len(entries)
        counts["leaf results"] += len(leaves)
    return counts


def _padding(
    n: int, world: World, projects: list[Any], rng: random.Random
) -> Iterator[tuple[dt.datetime, int, dict[str, Any]]]:
    """Earlier years' planning postings: allocations down the tree and projects' draws."""
    from funds.models import LedgerKind
    from planning.postings import ALLOCATED, DRAWN

    span = (LIFE_START - PAD_START).total_seconds()
    parents = [b for b in world.bureaus if b.parent_id]
    for k in range(n):
        when = PAD_START + dt.timedelta(seconds=span * k / max(n, 1))
        amount = Decimal(rng.randrange(1_000, 500_000)) * 10
        if k % 2 == 0 and parents:
            bureau = parents[k // 2 % len(parents)]
            values = {
                "kind": LedgerKind.BUDGET_ALLOCATED,
                "debit": ALLOCATED[0],
                "credit": ALLOCATED[1],
                "project_id": None,
                "memo": f"{when.year}年度「留守儿童关爱保护专项」→ {bureau.name}",
                "actor_id": world.finance[bureau.parent_id].pk,
            }
        else:
            project = projects[k % len(projects)]
            values = {
                "kind": LedgerKind.BUDGET_DRAWN,
                "debit": DRAWN[0],
                "credit": DRAWN[1],
                "project_id": project.pk,
                "memo": f"{when.year}年度「留守儿童关爱保护专项」",
                "actor_id": world.finance[project.bureau_id].pk,
            }
        yield (
            when,
            -1,
            {"occurred_at": when, "amount": amount, "memo_key": "", "memo_args": {}, **values},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--projects", type=int, help="override the size's project count")
    parser.add_argument("--ledger", type=int, help="override the size's ledger entry count")
    parser.add_argument("--reset", action="store_true", help="empty a generated database first")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to an empty PostgreSQL database made for this")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts import demo

    _check_database(args.reset)
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    demo.load({})
    counts = generate(args.size, projects=args.projects, ledger=args.ledger)
    generated = time.perf_counter() - began
    call_command("load_demo", verbosity=0)
    with connection.cursor() as cursor:
        # A live database is vacuumed by autovacuum (on by default; this machine's server has it
        # off): the generator's updates leave dead rows and no visibility map, so counts read
        # every heap page instead of an index. Benchmarks measure the vacuumed steady state.
        cursor.execute("VACUUM (ANALYZE)")
    from funds.ledger import ledger_verify

    checked = time.perf_counter()
    verification = ledger_verify()
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()))
    print(
        f"generated in {generated:.0f} s, demo loaded on top and vacuumed in "
        f"{checked - began - generated:.0f} s; ledger_verify: {verification.ok} "
        f"({verification.checked:,} entries, {time.perf_counter() - checked:.0f} s)"
    )
    if not verification.ok:
        raise SystemExit(f"the chain does not verify: {verification}")


if __name__ == "__main__":
    main()
