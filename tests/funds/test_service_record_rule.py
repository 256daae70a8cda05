"""One rule for recording services, asked by the page and the API alike: only the contract's
supplier records (403 otherwise), and only while the contract is signed, in service or
completed (the page refuses, the API answers 409, a whole file included)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from funds.models import ServiceRecord
from procurement.models import Contract, ContractState
from tests.api.procurement_setup import api
from tests.factories.accounts import NgoUserFactory
from tests.funds.conftest import money  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
ONLY_SIGNED = "Service records are kept only for a signed contract."
ONLY_SUPPLIER = "Only the supplier imports its service records."


def _fields(money):  # noqa: F811
    return {
        "date": (money["contract"].start_date + dt.timedelta(days=10)).isoformat(),
        "place": "熊口镇赵脑村",
        "service_type": "home_visit",
        "beneficiary_category": "left_behind_child",
        "beneficiary_count": 2,
        "hours": "1.5",
        "social_worker": "李社工",
    }


def _workbook(money):  # noqa: F811
    wb = Workbook()
    wb.active.append(["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"])
    wb.active.append([_fields(money)["date"], "竹根滩镇", "小组", "留守儿童", 8, 2, "王社工"])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("台账.xlsx", buf.getvalue())


def _terminate(contract):
    Contract.objects.filter(pk=contract.pk).update(state=ContractState.TERMINATED)


def _zh(message):
    with translation.override("zh-hans"):
        return gettext(message)


def test_the_page_adds_a_record_for_the_supplier_and_refuses_on_an_ended_contract(money, login):  # noqa: F811
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    added = client.post(url, {"single": "1", **_fields(money)})
    assert added.status_code == 302
    assert ServiceRecord.objects.filter(contract=money["contract"]).count() == 1

    _terminate(money["contract"])
    refused = client.post(url, {"single": "1", **_fields(money)})
    assert refused.status_code == 403
    assert _zh(ONLY_SIGNED) in refused.content.decode()
    assert ServiceRecord.objects.count() == 1


def test_the_api_creates_for_the_supplier_403_for_another_ngo_409_on_an_ended_contract(money):  # noqa: F811
    body = {"contract": money["contract"].pk, **_fields(money)}
    created = api(money["ngo"]).post("/api/v1/service-records/", body, format="json")
    assert created.status_code == 201, created.data

    stranger = NgoUserFactory()
    forbidden = api(stranger).post("/api/v1/service-records/", body, format="json")
    assert forbidden.status_code == 403
    assert forbidden.data["detail"] == _zh(ONLY_SUPPLIER)

    _terminate(money["contract"])
    conflict = api(money["ngo"]).post("/api/v1/service-records/", body, format="json")
    assert conflict.status_code == 409
    assert conflict.data["detail"] == _zh(ONLY_SIGNED)
    assert ServiceRecord.objects.count() == 1


def test_an_api_import_follows_the_same_rule(money):  # noqa: F811
    url = "/api/v1/service-records/import/"
    stranger = NgoUserFactory()
    forbidden = api(stranger).post(
        url, {"contract": money["contract"].pk, "file": _workbook(money)}, format="multipart"
    )
    assert forbidden.status_code == 403

    _terminate(money["contract"])
    conflict = api(money["ngo"]).post(
        url, {"contract": money["contract"].pk, "file": _workbook(money)}, format="multipart"
    )
    assert conflict.status_code == 409
    assert conflict.data["detail"] == _zh(ONLY_SIGNED)
    assert ServiceRecord.objects.count() == 0
