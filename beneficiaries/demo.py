"""Demo case files for 爱心天使 under the 潜江 contract: fictitious people, clearly marked.

Names are invented; ID numbers are built from a real region code and birth date with sequence
codes 990-999 and a correct check digit (GB 11643-1999), so they validate like real ones; mobile
numbers are 139-0000-xxxx. Every note starts with 【演示数据】.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stdnum.cn import ric

from beneficiaries import services
from beneficiaries.models import Beneficiary
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
