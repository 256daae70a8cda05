"""Demo register for 武汉爱心天使社会工作服务中心 on the 潜江 contract: five social workers (three
certified, one who has left) and volunteers at the summer tutoring and video-call activities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from procurement.selectors import contract_for_project
from workforce.models import SocialWorker, Volunteer, VolunteerService

WORKERS = [
    ("李敏", "social_worker", "S2019420100123", "full_time", dt.date(2021, 3, 1), None),
    ("张倩", "assistant", "A2021420100456", "full_time", dt.date(2022, 7, 1), None),
    ("刘静", "assistant", "A2023420100789", "full_time", dt.date(2023, 9, 1), None),
    ("陈晓", "none", "", "part_time", dt.date(2024, 2, 1), None),
    ("王磊", "none", "", "full_time", dt.date(2024, 5, 1), None),
    (
        "周涛",
        "social_worker",
        "S2018420100901",
        "full_time",
        dt.date(2019, 3, 1),
        dt.date(2025, 12, 31),
    ),
]
VOLUNTEERS = ["江汉大学 赵雨", "江汉大学 孙悦", "潜江市实验中学 何老师", "社区党员 郑建国"]
ACTIVITIES = [
    ("暑期课业辅导", Decimal("3.0")),
    ("亲情视频连线", Decimal("1.5")),
    ("防溺水安全讲座", Decimal("2.0")),
]


def load(ctx: dict[str, Any]) -> None:
    contract = contract_for_project(project=ctx["projects"]["qianjiang"])
    if contract is None:
        return
    org = contract.supplier
    for name, level, number, employment, joined, left in WORKERS:
        SocialWorker.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "certificate_level": level,
                "certificate_number": number,
                "employment": employment,
                "joined_on": joined,
                "left_on": left,
            },
        )
    if VolunteerService.objects.filter(contract=contract).exists():
        return
    for i, name in enumerate(VOLUNTEERS):
        volunteer, _ = Volunteer.objects.get_or_create(organization=org, name=name)
        for j, (activity, hours) in enumerate(ACTIVITIES):
            if (i + j) % 4 == 3:
                continue
            VolunteerService.objects.create(
                volunteer=volunteer,
                contract=contract,
                date=contract.start_date + dt.timedelta(days=7 + j * 5),
                activity=activity,
                hours=hours,
            )
