"""志愿者人次 and 持证社工占比 are computed from the NGO's workforce register as at the cut-off,
shown on the assessor's sheet with how they were computed; records after the cut-off don't count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.records import ComputedIndicator
from tests.evaluation.conftest import to_scoring
from tests.factories.evaluation import SMALL_TREE, IndicatorSystemFactory
from workforce.models import SocialWorker, Volunteer, VolunteerService

pytestmark = pytest.mark.django_db


def _tree():
    rows = []
    for row in SMALL_TREE:
        if row["path"].endswith("个案数"):
            row = dict(row, params="target=200; measure=volunteer_times")
        elif row["path"].endswith("社区活动场次"):
            row = dict(row, params="threshold=60; measure=certified_share")
        rows.append(row)
    return rows


def test_volunteer_times_and_certified_share_come_from_the_register(cast, login):
    cast.system = IndicatorSystemFactory(rows=_tree())
    contract, ngo = cast.contract, cast.contract.supplier
    today = dt.date.today()
    for name, level, left in [
        ("张敏", "social_worker", None),
        ("李娜", "assistant", None),
        ("王芳", "none", None),
        ("刘洋", "senior", today - dt.timedelta(days=400)),  # left long ago: not counted
    ]:
        SocialWorker.objects.create(
            organization=ngo,
            name=name,
            certificate_level=level,
            certificate_number="" if level == "none" else f"S{name}",
            employment="full_time",
            joined_on=today - dt.timedelta(days=800),
            left_on=left,
        )
    volunteers = [Volunteer.objects.create(organization=ngo, name=n) for n in ("赵磊", "黄丽")]
    for i, (volunteer, days_ago) in enumerate(
        [(volunteers[0], 5), (volunteers[1], 5), (volunteers[0], 3)]
    ):
        VolunteerService.objects.create(
            volunteer=volunteer,
            contract=contract,
            date=today - dt.timedelta(days=days_ago),
            activity=f"暑期课业辅导{i}",
            hours=Decimal("2.5"),
        )
    # After the cut-off (commissioning day): must not count.
    VolunteerService.objects.create(
        volunteer=volunteers[1],
        contract=contract,
        date=today + dt.timedelta(days=2),
        activity="亲情视频连线",
        hours=Decimal("1.0"),
    )

    evaluation = to_scoring(cast)

    figures = {c.measure: c for c in ComputedIndicator.objects.filter(evaluation=evaluation)}
    volunteer = figures["volunteer_times"]
    assert volunteer.value == Decimal("3") and volunteer.target == Decimal("200")
    assert "2" in volunteer.how and "7.5" in volunteer.how
    share = figures["certified_share"]
    assert share.value == Decimal("66.7")  # 2 of the 3 employed on the cut-off day
    page = login(cast.assessors[0]).get(reverse("evaluation:sheet", args=[evaluation.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "66.7" in body and "社工名册" in body and "志愿服务记录" in body
