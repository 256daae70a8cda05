"""Demo money: advances paid, a mid-term payment awaiting finance, a final milestone in 整改, and
service records (counts only) in real 潜江 and 江陵 villages; the ledger verifies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from funds import services
from funds.models import Milestone, MilestoneState, ServiceRecord, ServiceType
from procurement.selectors import contract_for_project

PLACES = {
    "qianjiang": [
        "园林街道三桥村",
        "竹根滩镇新桥村",
        "高石碑镇高石碑村",
        "熊口镇赵脑村",
        "积玉口镇宋场村",
        "渔洋镇洪桥村",
    ],
    "jiangling_pilot": ["郝穴镇荆江村", "熊河镇花园村", "白马寺镇立新村", "普济镇新场村"],
}
WORKERS = ["李敏", "张倩", "刘静", "陈晓", "王磊"]
CHECKS = {
    "deliverables_complete": True,
    "records_match_targets": True,
    "files_complete": True,
    "finance_compliant": True,
}
PATTERN = [
    (ServiceType.CASE, "left_behind_child", 1, Decimal("1.5")),
    (ServiceType.GROUP, "left_behind_child", 8, Decimal("2.0")),
    (ServiceType.HOME_VISIT, "guardian", 2, Decimal("1.0")),
    (ServiceType.COMMUNITY, "left_behind_child", 45, Decimal("3.0")),
    (ServiceType.VIDEO_CALL, "left_behind_child", 6, Decimal("1.0")),
    (ServiceType.TUTORING, "left_behind_child", 12, Decimal("2.0")),
]


def _records(contract: Any, key: str, days: int) -> None:
    if ServiceRecord.objects.filter(contract=contract).exists():
        return
    start = contract.start_date
    ServiceRecord.objects.bulk_create(
        ServiceRecord(
            contract=contract,
            date=start + dt.timedelta(days=i // 2),
            place=PLACES[key][i % len(PLACES[key])],
            service_type=PATTERN[i % len(PATTERN)][0],
            beneficiary_category=PATTERN[i % len(PATTERN)][1],
            beneficiary_count=PATTERN[i % len(PATTERN)][2] + i % 3,
            hours=PATTERN[i % len(PATTERN)][3],
            social_worker=WORKERS[i % len(WORKERS)],
        )
        for i in range(days * 2)
    )


def _pay_advance(advance: Milestone, staff: Any, finance: Any, cashier: Any, voucher: str) -> None:
    if advance.state != MilestoneState.PLANNED:
        return
    services.acceptance_record(
        milestone=advance,
        actor=staff,
        passed=True,
        checklist=CHECKS,
        notes="合同生效，服务团队到位",
    )
    d = services.disbursement_request(milestone=advance, actor=staff)
    d = services.disbursement_approve(disbursement=d, actor=finance)
    # Requested by staff, approved by finance, paid by the cashier: three people.
    services.disbursement_pay(
        disbursement=d, actor=cashier, voucher_number=voucher, paid_on=timezone.localdate()
    )


def load(ctx: dict[str, Any]) -> None:
    users, projects = ctx["users"], ctx["projects"]
    qj = contract_for_project(project=projects["qianjiang"])
    if qj is not None:
        staff, finance, ngo = users["qj_staff"], users["qj_finance"], users["aixin"]
        advance, midterm, final = list(qj.milestones.order_by("sequence"))
        _pay_advance(advance, staff, finance, users["qj_cashier"], "QJ-2026-0101")
        _records(qj, "qianjiang", 30)
        if midterm.state == MilestoneState.EVALUATED:
            services.deliverables_submit(
                milestone=midterm,
                actor=ngo,
                title="中期服务报告",
                report="完成个案31个、小组8个、社区活动16场；“四卡一袋”建档率91%。",
            )
            services.acceptance_record(
                milestone=midterm,
                actor=staff,
                passed=True,
                checklist=CHECKS,
                notes="中期评价良（84.50分），验收合格",
            )
            d = services.disbursement_request(milestone=midterm, actor=staff)
            services.disbursement_approve(disbursement=d, actor=finance)
        final.refresh_from_db()
        if final.state == MilestoneState.PLANNED:
            services.deliverables_submit(
                milestone=final,
                actor=ngo,
                title="终期资料（预审）",
                report="终期报告初稿与满意度调查。",
            )
            services.acceptance_record(
                milestone=final,
                actor=staff,
                passed=False,
                checklist=CHECKS | {"files_complete": False},
                notes="抽查发现12名儿童成长记录卡缺失，限期补齐。",
                rectification_deadline=timezone.localdate() + dt.timedelta(days=30),
            )
    jl = contract_for_project(project=projects["jiangling_pilot"])
    if jl is not None:
        jl_advance = jl.milestones.order_by("sequence").first()
        if jl_advance is not None:
            _pay_advance(
                jl_advance,
                users["jz_staff"],
                users["jz_finance"],
                users["jz_cashier"],
                "JZ-2026-0077",
            )
        _records(jl, "jiangling_pilot", 15)
        jl_midterm = jl.milestones.filter(sequence=2).first()
        supplier_staff = next(
            (u for u in users.values() if u.role == "ngo" and u.organization_id == jl.supplier_id),
            None,
        )
        if jl_midterm is not None and supplier_staff and not jl_midterm.deliverables.exists():
            # Handed in before the mid-term evaluation: the bureau accepts on what it received.
            services.deliverables_submit(
                milestone=jl_midterm,
                actor=supplier_staff,
                title="中期服务报告",
                report="建立留守儿童档案412份；强制报告培训6场；监护干预个案9个。",
            )
