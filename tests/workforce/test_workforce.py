"""The NGO's register of social workers and volunteers, and the figures computed from it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Contract
from tests.factories.accounts import BureauStaffFactory, NgoUserFactory
from workforce import figures
from workforce.models import SocialWorker, VolunteerService

pytestmark = pytest.mark.django_db


def _add(client, **values):
    data = {
        "worker": "1",
        "w-name": "张敏",
        "w-certificate_level": "none",
        "w-certificate_number": "",
        "w-employment": "full_time",
        "w-joined_on": "2024-03-01",
    }
    data.update({f"w-{k}": v for k, v in values.items()})
    return client.post(reverse("workforce:home"), data)


def test_register_and_certified_share(money, login):
    client = login(money["ngo"])
    _add(
        client, name="张敏", certificate_level="social_worker", certificate_number="S2019420100123"
    )
    _add(client, name="李娜", certificate_level="assistant", certificate_number="A2021420100456")
    _add(client, name="王芳")
    _add(client, name="刘洋", left_on="2024-06-30")
    bad = _add(client, name="陈静", certificate_level="senior", certificate_number="")
    assert "证书编号" in bad.content.decode()
    dup = _add(client, name="张敏")
    assert "已在名册中" in dup.content.decode()
    org = money["contract"].supplier
    assert SocialWorker.objects.filter(organization=org).count() == 4
    share = figures.certified_share(org, dt.date.today())
    assert share.value == Decimal("66.7")  # 2 of the 3 still employed
    assert "3" in share.how and "2" in share.how
    assert figures.certified_share(org, dt.date(2024, 4, 1)).value == Decimal("50.0")


def test_volunteer_hours_and_person_times(money, login):
    client = login(money["ngo"])
    contract = money["contract"]
    day = contract.start_date + dt.timedelta(days=3)
    for name, activity in [
        ("赵磊", "暑期课业辅导"),
        ("黄丽", "暑期课业辅导"),
        ("赵磊", "亲情视频连线"),
    ]:
        client.post(
            reverse("workforce:home"),
            {
                "volunteer": "1",
                "v-contract": contract.pk,
                "v-volunteer_name": name,
                "v-date": day.isoformat(),
                "v-activity": activity,
                "v-hours": "2.5",
            },
        )
    again = client.post(
        reverse("workforce:home"),
        {
            "volunteer": "1",
            "v-contract": contract.pk,
            "v-volunteer_name": "赵磊",
            "v-date": day.isoformat(),
            "v-activity": "暑期课业辅导",
            "v-hours": "1",
        },
    )
    assert "已有记录" in again.content.decode()
    assert VolunteerService.objects.count() == 3
    times = figures.volunteer_person_times(contract, dt.date.today())
    assert times.value == 3 and "2" in times.how and "7.5" in times.how
    assert figures.volunteer_person_times(contract, day - dt.timedelta(days=1)) is None


def test_another_ngos_contract_is_refused(money, login):
    other = NgoUserFactory()
    login(other).post(
        reverse("workforce:home"),
        {
            "volunteer": "1",
            "v-contract": money["contract"].pk,
            "v-volunteer_name": "x",
            "v-date": "2026-01-01",
            "v-activity": "y",
            "v-hours": "1",
        },
    )
    assert VolunteerService.objects.count() == 0
    assert Contract.objects.filter(supplier=other.organization).count() == 0


@pytest.mark.parametrize(("role", "status"), [("ngo", 200), ("staff", 403), ("other_ngo", 200)])
def test_pages_by_role(money, login, role, status):
    user = {"ngo": money["ngo"], "staff": money["staff"], "other_ngo": NgoUserFactory()}[role]
    assert login(user).get(reverse("workforce:home")).status_code == status


def test_api_lists_only_own_register(money, login):
    SocialWorker.objects.create(
        organization=money["contract"].supplier, name="张敏", joined_on=dt.date(2024, 1, 1)
    )
    SocialWorker.objects.create(
        organization=NgoUserFactory().organization, name="别人", joined_on=dt.date(2024, 1, 1)
    )
    client = login(money["ngo"])
    names = [w["name"] for w in client.get("/api/v1/social-workers/").json()["results"]]
    assert names == ["张敏"]
    created = client.post(
        "/api/v1/social-workers/",
        {
            "name": "李娜",
            "certificate_level": "assistant",
            "certificate_number": "A1",
            "employment": "part_time",
            "joined_on": "2025-01-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    refused = login(BureauStaffFactory()).post(
        "/api/v1/social-workers/",
        {
            "name": "x",
            "certificate_level": "none",
            "employment": "full_time",
            "joined_on": "2025-01-01",
        },
        content_type="application/json",
    )
    assert refused.status_code == 409


def test_api_create_with_only_the_required_fields(money, login):
    created = login(money["ngo"]).post(
        "/api/v1/social-workers/",
        {"name": "王磊", "joined_on": "2025-01-01"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["certificate_level"] == "none"
    assert created.json()["employment"] == "full_time"
