"""Importing a register file: all rows or none, problems by row number in Chinese, no values echoed."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from beneficiaries.demo import demo_id_number
from beneficiaries.models import Beneficiary
from core.models import TransitionLog
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "服务对象类别",
    "性别",
    "出生日期",
    "身份证号",
    "监护人",
    "监护人手机号",
    "村/社区",
    "合同编号",
    "备注",
]
ID_A = demo_id_number("429005", dt.date(2015, 3, 12), 992)
ID_B = demo_id_number("429005", dt.date(2013, 9, 8), 991)


def _rows(contract_number="HT-QJ-TEST-001"):
    return [
        [
            "龚欣怡",
            "留守儿童",
            "女",
            "2015-03-12",
            ID_A,
            "龚桂兰",
            "13900000103",
            "高石碑镇高石碑村",
            contract_number,
            "",
        ],
        [
            "熊宇轩",
            "留守儿童",
            "",
            "",
            ID_B,
            "熊春华",
            "139-0000-0104",
            "熊口镇赵脑村",
            "",
            "四卡一袋已建档",
        ],
        ["彭德胜", "留守老人", "男", "", "", "", "", "竹根滩镇新桥村", "", ""],
    ]


def _csv(rows) -> SimpleUploadedFile:
    text = "\n".join(",".join(str(c) for c in row) for row in [HEADER, *rows])
    return SimpleUploadedFile("register.csv", ("\ufeff" + text).encode(), "text/csv")


def _xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("register.xlsx", out.getvalue())


def _upload(client, upload):
    return client.post(reverse("beneficiaries:import"), {"file": upload})


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_one_bad_row_keeps_the_whole_file_out(register, login, make):
    rows = _rows()
    rows[2][3] = ""  # the elder: year only, in a column of its own below
    response = _upload(login(register.staff), make(rows))
    body_rows = Beneficiary.objects.filter(name__in=["龚欣怡", "熊宇轩"])
    # the elder has neither a date nor an ID: refused, so nothing at all is saved
    assert response.status_code == 200 and not body_rows.exists()
    assert "第4行：" in response.content.decode()


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_all_rows_are_saved_when_all_are_good(register, login, make):
    rows = _rows()
    rows[2][3] = "1950-01-01"
    response = _upload(login(register.staff), make(rows))
    assert response.status_code == 302
    saved = {b.name: b for b in Beneficiary.objects.filter(organization=register.ngo)}
    assert {"龚欣怡", "熊宇轩", "彭德胜"} <= set(saved)
    assert saved["龚欣怡"].contract == register.contract
    assert saved["熊宇轩"].gender == "male" and saved["熊宇轩"].birth_date == dt.date(2013, 9, 8)
    assert saved["熊宇轩"].guardian_phone == "13900000104"
    assert TransitionLog.objects.filter(transition="import").count() == 3


def test_bad_rows_are_listed_in_chinese_without_their_values_and_nothing_is_saved(register, login):
    foreign = ContractFactory()
    rows = _rows(contract_number=foreign.number)
    rows[1][4] = ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1")  # wrong check digit
    rows[1][6] = "12345"
    rows.append(["万诗雨", "外星人", "", "2014-07-04", "", "万国平", "", "积玉口镇宋场村", "", ""])
    rows.append(["周子涵", "留守儿童", "", "", ID_A, "周秀英", "", "园林街道三桥村", "", ""])
    body = _upload(login(register.staff), _csv(rows)).content.decode()
    assert "第2行：合同编号不是本机构的合同" in body
    assert "身份证号校验位（最后一位）不正确" in body
    assert "请输入以1开头的11位大陆手机号码" in body
    assert "服务对象类别" in body
    assert "身份证号与第2行重复" in body
    assert rows[1][4] not in body  # the bad ID number is not echoed back
    assert not Beneficiary.objects.filter(
        name__in=["龚欣怡", "熊宇轩", "彭德胜", "万诗雨"]
    ).exists()


def test_an_id_saved_as_an_excel_number_is_refused(register, login):
    rows = _rows()
    rows[0][4] = 429005201503129000  # what Excel makes of an ID typed as a number
    body = _upload(login(register.staff), _xlsx(rows[:1])).content.decode()
    assert "身份证号被保存成了数字" in body
    assert not Beneficiary.objects.filter(name="龚欣怡").exists()


def test_missing_columns_and_wrong_files_are_explained(register, login):
    client = login(register.staff)
    text = "姓名,性别\n张三,男\n".encode()
    body = _upload(client, SimpleUploadedFile("x.csv", text)).content.decode()
    assert "缺少列" in body and "服务对象类别" in body
    body = _upload(
        client, SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a workbook")
    ).content.decode()
    assert "不是可接受的文件类型" in body


@pytest.mark.parametrize("role", ["bureau_staff", "auditor", "admin"])
def test_only_ngo_staff_import(register, login, role):
    response = _upload(login(register.users[role]), _csv(_rows()))
    assert response.status_code == 403
    assert not Beneficiary.objects.filter(name="龚欣怡").exists()
