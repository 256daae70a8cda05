"""Demo supervision of the 潜江 contract: a monthly reporting schedule (the first report read,
the second returned), a spot check, a site visit with findings, one rectification item closed on
its evidence and one open; the service records are tied to the workforce register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.fsm import ActionRefusedError
from funds.models import ServiceRecord
from procurement.selectors import contract_for_project
from supervision import services
from supervision.models import PeriodicReport, SiteVisit, SpotCheck
from workforce.models import SocialWorker


def load(ctx: dict[str, Any]) -> None:
    users = ctx["users"]
    contract = contract_for_project(project=ctx["projects"]["qianjiang"])
    if contract is None:
        return
    for worker in SocialWorker.objects.filter(organization_id=contract.supplier_id):
        ServiceRecord.objects.filter(
            contract=contract, social_worker=worker.name, worker__isnull=True
        ).update(worker=worker)
    staff, ngo = users["qj_staff"], users["aixin"]
    if PeriodicReport.objects.filter(contract=contract).exists():
        return
    services.schedule_set(user=staff, contract=contract, frequency="monthly", days_to_report=10)
    today = timezone.localdate()
    past = list(
        PeriodicReport.objects.filter(contract=contract, period_end__lt=today).order_by(
            "period_start"
        )
    )
    try:
        if past:
            first = services.report_submit(
                user=ngo,
                report=past[0],
                summary="本月完成留守儿童入户走访86户，建立“四卡一袋”档案74份；开展“亲情连线”12次。",
            )
            services.report_review(
                user=staff, report=first, accept=True, response="已阅，按计划推进。"
            )
        if len(past) > 1:
            second = services.report_submit(
                user=ngo, report=past[1], summary="本月开展小组活动8节、社区活动4场。"
            )
            services.report_review(
                user=staff,
                report=second,
                accept=False,
                response="请补充个案服务情况和强制报告线索处置情况。",
            )
    except ActionRefusedError:
        pass
    check = SpotCheck.objects.filter(bureau=contract.project.bureau).first()
    if check is None:
        try:
            check = services.spot_check_draw(
                user=staff, bureau=staff.organization, year=today.year, share=30, seed="qj-2026-h2"
            )
        except ValidationError:
            check = None  # no contract of this bureau in service this year
    if not SiteVisit.objects.filter(contract=contract).exists():
        visit = services.site_visit_record(
            user=staff,
            contract=contract,
            visited_on=today - dt.timedelta(days=12),
            place="熊口镇龙湾村儿童之家",
            visitors="潜江市民政局 王丽、儿童福利科 刘科长",
            findings="儿童之家开放正常；抽查15份档案，3名儿童成长记录卡缺失；活动签到表无监护人签字。",
            spot_check=check if check and check.drawn.filter(pk=contract.pk).exists() else None,
        )
        done = services.item_open(
            user=staff,
            contract=contract,
            visit=visit,
            description="活动签到表补充监护人签字，今后每次活动当场签字",
            owner="李敏",
            deadline=today - dt.timedelta(days=2),
        )
        done = services.item_submit_evidence(
            user=ngo, item=done, evidence="已补签并扫描归档；已修订活动签到制度。"
        )
        services.item_decide(user=staff, item=done, close=True, note="现场复核无误")
        services.item_open(
            user=staff,
            contract=contract,
            visit=visit,
            description="补齐3名儿童的成长记录卡",
            owner="张倩",
            deadline=today + dt.timedelta(days=18),
        )
