"""Demo case files for 爱心天使 under the 潜江 contract: fictitious people, clearly marked.

Names are invented; ID numbers are built from a real region code and birth date with sequence
codes 990-999 and a correct check digit (GB 11643-1999), so they validate like real ones; mobile
numbers are 139-0000-xxxx. Every note starts with 【演示数据】.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.cn import ric

from beneficiaries import casework, services
from beneficiaries.models import Beneficiary, HomeSchoolCard, RiskClass
from procurement.selectors import contract_for_project

DEMO_NOTE = "【演示数据】虚构人物，与真实个人无关。"


def demo_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """A check-digit-valid 身份证号 with a demo sequence code (990-999; odd for men)."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


# name, category, gender, birth date (or year), region code, sequence, guardian, phone, village, note
PEOPLE: list[tuple[str, str, str, dt.date | int, str, int | None, str, str, str, str]] = [
    (
        "周子涵",
        "left_behind_child",
        "female",
        dt.date(2015, 3, 12),
        "429005",
        992,
        "周秀英（祖母）",
        "13900000101",
        "园林街道三桥村",
        "父母在武汉务工，每周视频一次。",
    ),
    (
        "彭浩然",
        "left_behind_child",
        "male",
        dt.date(2013, 9, 8),
        "429005",
        991,
        "彭德胜（祖父）",
        "13900000102",
        "竹根滩镇新桥村",
        "学业辅导小组成员。",
    ),
    (
        "龚欣怡",
        "left_behind_child",
        "female",
        dt.date(2016, 11, 23),
        "429005",
        994,
        "龚桂兰（外祖母）",
        "13900000103",
        "高石碑镇高石碑村",
        "情绪低落，已开个案。",
    ),
    (
        "熊宇轩",
        "left_behind_child",
        "male",
        dt.date(2012, 5, 30),
        "429005",
        993,
        "熊春华（姑姑）",
        "13900000104",
        "熊口镇赵脑村",
        "",
    ),
    (
        "万诗雨",
        "left_behind_child",
        "female",
        dt.date(2014, 7, 4),
        "429005",
        996,
        "万国平（祖父）",
        "13900000105",
        "积玉口镇宋场村",
        "四卡一袋已建档。",
    ),
    (
        "程俊杰",
        "child_in_difficulty",
        "male",
        dt.date(2011, 1, 17),
        "429005",
        995,
        "程丽（母亲）",
        "13900000106",
        "渔洋镇洪桥村",
        "父亲重病，申请临时救助中。",
    ),
    (
        "彭德茂",
        "left_behind_elder",
        "male",
        dt.date(1948, 10, 2),
        "422429",
        997,
        "",
        "13900000107",
        "竹根滩镇新桥村",
        "独居，每月探访两次。",
    ),
    (
        "龚桂兰",
        "guardian",
        "female",
        1957,
        "",
        None,
        "",
        "13900000103",
        "高石碑镇高石碑村",
        "龚欣怡的外祖母，参加隔代养育小组。",
    ),
]


def load(ctx: dict[str, Any]) -> None:
    users, projects = ctx["users"], ctx["projects"]
    ngo = users["aixin"]
    contract = contract_for_project(project=projects["qianjiang"])
    if contract is None or contract.supplier_id != ngo.organization_id:
        return
    for name, category, gender, birth, region, sequence, guardian, phone, village, note in PEOPLE:
        if Beneficiary.objects.filter(
            organization_id=ngo.organization_id, name=name, village=village
        ).exists():
            continue
        fields: dict[str, Any] = {
            "contract": contract,
            "category": category,
            "name": name,
            "gender": gender,
            "guardian_name": guardian,
            "guardian_phone": phone,
            "village": village,
            "notes": f"{DEMO_NOTE}{note}",
        }
        if isinstance(birth, dt.date):
            fields["birth_date"] = birth
            if sequence is not None:
                fields["id_number"] = demo_id_number(region, birth, sequence)
        else:
            fields["birth_year"] = birth
        services.beneficiary_create(actor=ngo, fields=fields)
    _case_work(ngo)


def _demo_pdf(title: str) -> Any:
    """A one-page PDF standing in for a scanned paper (the demo has no real scans)."""
    from reportlab.pdfgen import canvas  # late: heavy, loaded on first use

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 770, f"DEMO DATA - fictitious {title}")
    page.save()
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), content_type="application/pdf")


def _case_work(ngo: Any) -> None:
    """四卡一袋 for three of the children (one complete, two with parts missing), risk classes,
    follow-up visits (彭浩然's monthly visit overdue) and one 强制报告 handled to its close."""
    files = {b.name: b for b in Beneficiary.objects.filter(organization_id=ngo.organization_id)}
    zihan, haoran, xinyi = files.get("周子涵"), files.get("彭浩然"), files.get("龚欣怡")
    if zihan is None or haoran is None or xinyi is None:
        return
    if HomeSchoolCard.objects.filter(beneficiary=zihan).exists():
        return  # loaded before
    today = timezone.localdate()
    classes = {c.code: c for c in RiskClass.objects.all()}

    def risks(*codes: str) -> Any:
        return RiskClass.objects.filter(pk__in=[classes[c].pk for c in codes if c in classes])

    # 周子涵: every card and a paper in the bag — complete.
    casework.risk_classes_set(beneficiary=zihan, actor=ngo, risk_classes=risks("hardship"))
    casework.home_school_card_save(
        beneficiary=zihan,
        actor=ngo,
        fields={
            "school": "潜江市园林第三小学",
            "grade_class": "四年级（2）班",
            "head_teacher": "刘老师",
            "head_teacher_phone": "13900000301",
            "parents_whereabouts": "武汉市汉阳区 建筑工地",
            "parent_phone": "13900000302",
            "contact_plan": f"{DEMO_NOTE}每月第一周与班主任电话沟通一次学习情况。",
        },
    )
    casework.pairing_card_save(
        beneficiary=zihan,
        actor=ngo,
        fields={
            "helper_name": "江汉大学 赵雨",
            "helper_unit": "志愿者",
            "helper_phone": "13900000303",
            "paired_on": today - dt.timedelta(days=120),
            "help_plan": f"{DEMO_NOTE}每周六上午课业辅导两小时。",
        },
    )
    casework.growth_record_add(
        beneficiary=zihan,
        actor=ngo,
        recorded_on=today - dt.timedelta(days=30),
        aspect="study",
        content=f"{DEMO_NOTE}数学单元测验由68分提高到85分。",
    )
    casework.document_add(
        beneficiary=zihan,
        actor=ngo,
        title="低保证明复印件",
        kind="certificate",
        file=_demo_pdf("certificate"),
    )
    casework.guardianship_confirm(
        beneficiary=zihan,
        actor=ngo,
        entrusted_guardian="周秀英",
        relation="祖母",
        signed_on=today - dt.timedelta(days=150),
        scan=_demo_pdf("guardianship"),
    )
    casework.follow_up_record(
        beneficiary=zihan,
        actor=ngo,
        visited_on=today - dt.timedelta(days=20),
        method="home",
        visitor="李敏",
        findings=f"{DEMO_NOTE}祖母身体尚可，孩子作息规律。",
    )
    # 彭浩然: no one at home looks after him (monthly visits), last visit 45 days ago: overdue.
    casework.risk_classes_set(
        beneficiary=haoran, actor=ngo, risk_classes=risks("guardianship_lacking")
    )
    casework.follow_up_record(
        beneficiary=haoran,
        actor=ngo,
        visited_on=today - dt.timedelta(days=45),
        method="phone",
        visitor="张倩",
        findings=f"{DEMO_NOTE}祖父住院，孩子暂住邻居家，需尽快入户核实。",
    )
    # 龚欣怡: a 强制报告, reported to the police station and closed with its outcome.
    report = casework.mandatory_report_record(
        beneficiary=xinyi,
        actor=ngo,
        discovered_on=today - dt.timedelta(days=60),
        harm="injury",
        description=f"{DEMO_NOTE}社工入户时发现手臂有不明淤青。",
    )
    reported = casework.mandatory_report_send(
        report=report,
        actor=ngo,
        reported_to="police",
        office="潜江市公安局园林派出所",
        reported_at=timezone.now() - dt.timedelta(days=59),
    )
    casework.mandatory_report_close(
        report=reported,
        actor=ngo,
        outcome=f"{DEMO_NOTE}经核实系玩耍摔伤，已联合村委会加强看护。",
        closed_on=today - dt.timedelta(days=50),
    )
