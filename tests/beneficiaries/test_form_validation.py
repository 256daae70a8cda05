"""The create/edit form checks ID numbers, phones and dates and explains itself in Chinese."""

import datetime as dt

import pytest
from django.urls import reverse

from beneficiaries.demo import demo_id_number
from beneficiaries.models import Beneficiary
from core.models import TransitionLog
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db

GOOD_ID = demo_id_number("429005", dt.date(2015, 3, 12), 992)  # a girl born 2015-03-12


def _post(client, **overrides):
    data = {
        "category": "left_behind_child",
        "name": "龚欣怡",
        "gender": "",
        "birth_year": "",
        "birth_date": "",
        "id_number": GOOD_ID,
        "guardian_name": "龚桂兰",
        "guardian_phone": "139 0000 0103",
        "village": "高石碑镇高石碑村",
        "notes": "",
        "contract": "",
    }
    data.update(overrides)
    return client.post(reverse("beneficiaries:create"), data)


def _errors(response) -> str:
    assert response.status_code == 200, "the form is shown again with its errors"
    return response.content.decode()


def test_a_good_file_is_saved_with_what_the_id_number_says(register, login):
    response = _post(
        login(register.staff), id_number=" ".join([GOOD_ID[:6], GOOD_ID[6:14], GOOD_ID[14:]])
    )
    assert response.status_code == 302
    saved = Beneficiary.objects.get(name="龚欣怡")
    assert saved.organization == register.ngo
    assert (saved.birth_date, saved.birth_year, saved.gender) == (
        dt.date(2015, 3, 12),
        2015,
        "female",
    )
    assert saved.guardian_phone == "13900000103"  # spaces dropped
    assert TransitionLog.for_object(saved).get().transition == "create"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": GOOD_ID[:-1]}, "身份证号应为18位"),
        ({"id_number": "42900520150312A92" + GOOD_ID[-1]}, "身份证号前17位应为数字"),
        (
            {"id_number": GOOD_ID[:-1] + str((int(GOOD_ID[-1], 16) + 1) % 10)},
            "身份证号校验位（最后一位）不正确",
        ),
        ({"id_number": demo_id_number("999999", dt.date(2015, 3, 12), 992)}, "地区码不存在"),
        ({"guardian_phone": "1234567"}, "请输入以1开头的11位大陆手机号码"),
        ({"guardian_phone": "12900000103"}, "请输入以1开头的11位大陆手机号码"),
        ({"birth_date": "2015-03-13"}, "出生日期与身份证号中的出生日期不一致"),
        ({"gender": "male"}, "性别与身份证号不一致"),
        (
            {"id_number": "", "birth_date": "", "birth_year": ""},
            "请填写出生年份、出生日期或身份证号",
        ),
        ({"id_number": "", "birth_date": "2099-01-01"}, "出生日期不能晚于今天"),
        ({"id_number": "", "birth_year": "1850"}, "出生年份应在1900年至今年之间"),
        ({"birth_year": "2014"}, "出生年份与出生日期不一致"),
        ({"guardian_name": ""}, "儿童档案须填写监护人"),
        ({"name": ""}, "该字段是必填项"),
    ],
)
def test_errors_are_explained_in_chinese(register, login, overrides, message):
    body = _errors(_post(login(register.staff), **overrides))
    assert message in body
    assert not Beneficiary.objects.filter(name="龚欣怡").exists()


def test_an_elder_without_papers_needs_only_a_year(register, login):
    response = _post(
        login(register.staff),
        category="left_behind_elder",
        name="彭德胜",
        id_number="",
        birth_year="1950",
        guardian_name="",
        guardian_phone="",
    )
    assert response.status_code == 302
    assert Beneficiary.objects.get(name="彭德胜").birth_date is None


def test_one_file_per_id_number_per_ngo(register, login):
    client = login(register.staff)
    assert _post(client).status_code == 302
    body = _errors(_post(client, name="龚欣怡二"))
    assert "本机构已有该身份证号的服务对象档案" in body
    # Another NGO serving the same child keeps its own file.
    assert _post(login(register.other_ngo_staff)).status_code == 302


def test_only_the_ngos_own_contracts_can_be_chosen(register, login):
    foreign = ContractFactory()
    client = login(register.staff)
    body = _errors(_post(client, contract=foreign.pk))
    assert "选择一个有效的选项" in body
    assert _post(client, contract=register.contract.pk).status_code == 302


def test_editing_logs_the_changed_fields_not_their_values(register, login):
    child = register.files[0]
    client = login(register.staff)
    response = client.post(
        reverse("beneficiaries:edit", args=[child.pk]),
        {
            "category": child.category,
            "name": child.name,
            "gender": child.gender,
            "birth_year": child.birth_year,
            "birth_date": child.birth_date.isoformat(),
            "id_number": child.id_number,
            "guardian_name": "周秀英（祖母）",
            "guardian_phone": "13900000999",
            "village": child.village,
            "notes": "",
            "contract": register.contract.pk,
        },
    )
    assert response.status_code == 302
    entry = TransitionLog.for_object(child).get()
    assert entry.transition == "update" and entry.note == "监护人、监护人手机号"
    assert "13900000999" not in entry.note


def test_the_form_is_in_chinese(register, login):
    body = login(register.staff).get(reverse("beneficiaries:create")).content.decode()
    for label in ("姓名", "身份证号", "监护人手机号", "出生年份", "村/社区", "新建服务对象档案"):
        assert label in body


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("42900520150312992" + "x", "42900520150312992X"), ("4290-0520-1503", "429005201503")],
)
def test_id_numbers_are_normalised_as_people_type_them(typed, stored):
    from beneficiaries.validators import normalize_id_number

    assert normalize_id_number(typed) == stored


@pytest.mark.parametrize("typed", ["+86 139 0000 0103", "86-139-0000-0103", "139-0000-0103"])
def test_phones_are_normalised_as_people_type_them(typed):
    from beneficiaries.validators import normalize_phone

    assert normalize_phone(typed) == "13900000103"
