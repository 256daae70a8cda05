"""Service records over the API: correct and withdraw with a reason (supplier only), warnings
from an import must be accepted, and a repeated file is refused."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import TransitionLog
from funds.models import ServiceRecord
from tests.factories.accounts import NgoUserFactory
from tests.funds.conftest import money  # noqa: F401

pytestmark = pytest.mark.django_db
HEADER = "日期,村/社区,服务类型,服务对象类别,服务人数,时长,社工\n"


def _record(money):  # noqa: F811
    return ServiceRecord.objects.create(
        contract=money["contract"],
        date=money["contract"].start_date,
        place="三桥村",
        service_type="case",
        beneficiary_category="left_behind_child",
        beneficiary_count=1,
        hours=1,
        social_worker="张敏",
    )


def test_correct_and_withdraw(money, login):  # noqa: F811
    record = _record(money)
    client = login(money["ngo"])
    url = f"/api/v1/service-records/{record.pk}/"
    assert (
        client.post(
            url + "correct/", {"beneficiary_count": 3}, content_type="application/json"
        ).status_code
        == 400
    )
    ok = client.post(
        url + "correct/",
        {"beneficiary_count": 3, "reason": "人数录错"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["beneficiary_count"] == 3
    assert "1 → 3" in TransitionLog.for_object(record).get().note
    assert (
        login(money["staff"])
        .post(url + "withdraw/", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        login(NgoUserFactory())
        .post(url + "withdraw/", {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    gone = client.post(url + "withdraw/", {"reason": "重复录入"}, content_type="application/json")
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn"
    again = client.post(url + "withdraw/", {"reason": "再次"}, content_type="application/json")
    assert again.status_code == 409
    listed = client.get(
        "/api/v1/service-records/", {"contract": money["contract"].pk, "state": "recorded"}
    )
    assert listed.json()["count"] == 0


def test_import_warnings_and_repeats(money, login):  # noqa: F811
    day = (money["contract"].start_date + dt.timedelta(days=2)).isoformat()
    client = login(money["ngo"])
    first = (HEADER + f"{day},三桥村,个案,留守儿童,1,1,张敏\n").encode("gbk")
    body = {"contract": money["contract"].pk}
    assert (
        client.post(
            "/api/v1/service-records/import/", {**body, "file": SimpleUploadedFile("a.csv", first)}
        ).status_code
        == 201
    )
    repeat = client.post(
        "/api/v1/service-records/import/", {**body, "file": SimpleUploadedFile("b.csv", first)}
    )
    assert repeat.status_code == 400 and "导入过" in str(repeat.json())
    dup = (HEADER + f"{day},三桥村,个案,留守儿童,1,2,张敏\n").encode("utf-16")
    checked = client.post(
        "/api/v1/service-records/import/",
        {**body, "dry_run": "true", "file": SimpleUploadedFile("c.csv", dup)},
    )
    assert checked.json()["warning_count"] == 1 and checked.json()["warnings"][0]["row"] == 2
    refused = client.post(
        "/api/v1/service-records/import/", {**body, "file": SimpleUploadedFile("c.csv", dup)}
    )
    assert refused.status_code == 409
    assert ServiceRecord.objects.count() == 1
    accepted = client.post(
        "/api/v1/service-records/import/",
        {**body, "accept_warnings": "true", "file": SimpleUploadedFile("c.csv", dup)},
    )
    assert accepted.status_code == 201 and ServiceRecord.objects.count() == 2
