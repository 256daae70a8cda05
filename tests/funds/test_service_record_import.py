"""NGOs import 服务台账 from Excel or CSV: a dry run lists every bad row; nothing is saved unless all are good."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from funds.models import ServiceRecord

pytestmark = pytest.mark.django_db
HEADER = ["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"]


def _xlsx(rows):
    wb = Workbook()
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("台账.xlsx", buf.getvalue())


def _day(money, offset=10):
    import datetime as dt

    return (money["contract"].start_date + dt.timedelta(days=offset)).isoformat()


def test_good_file_checked_then_imported(money, login):
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    rows = [
        [_day(money), "园林街道三桥村", "个案", "留守儿童", 1, 1.5, "李社工"],
        [_day(money, 11), "竹根滩镇", "小组", "留守儿童", 8, 2, "王社工"],
    ]
    checked = client.post(url, {"file": _xlsx(rows)})
    assert "全部无误" in checked.content.decode()
    assert ServiceRecord.objects.count() == 0
    token = checked.context["token"]
    client.post(url, {"confirm": "1", "token": token})
    assert ServiceRecord.objects.count() == 2
    assert ServiceRecord.objects.get(place="竹根滩镇").service_type == "group"


def test_every_bad_row_is_listed_and_nothing_saved(money, login):
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    rows = [
        [_day(money), "园林街道三桥村", "个案", "留守儿童", 1, 1.5, "李社工"],
        ["2020-13-01", "竹根滩镇", "小组", "留守儿童", 8, 2, "王社工"],
        [_day(money), "", "跳舞", "留守儿童", 0, 30, ""],
        ["1999-01-01", "杨市街道", "家访", "外星人", 3, 1, "赵社工"],
    ]
    body = client.post(url, {"file": _xlsx(rows)}).content.decode()
    assert "第3行" in body and "不是有效日期" in body
    assert (
        "第4行" in body
        and "服务类型“跳舞”无法识别" in body
        and "村/社区为空" in body
        and "服务人数" in body
    )
    assert "第5行" in body and "不在合同服务期" in body and "外星人" in body
    assert "第2行" not in body
    assert ServiceRecord.objects.count() == 0


def test_csv_and_wrong_type(money, login):
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    csv = (
        "\ufeff" + ",".join(HEADER) + f"\n{_day(money)},三桥村,家访,留守老人,2,1,李社工\n"
    ).encode()
    assert (
        "全部无误" in client.post(url, {"file": SimpleUploadedFile("a.csv", csv)}).content.decode()
    )
    exe = SimpleUploadedFile("台账.xlsx", b"MZ\x90\x00" + b"\0" * 100)
    assert "不是可接受的文件类型" in client.post(url, {"file": exe}).content.decode()


def test_only_the_supplier_imports(money, login):
    url = reverse("funds:service_records", args=[money["contract"].pk])
    assert login(money["staff"]).post(url, {"file": _xlsx([])}).status_code == 403


def test_one_record_typed_in(money, login):
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    data = {
        "single": "1",
        "date": _day(money),
        "place": "熊口镇赵脑村",
        "service_type": "home_visit",
        "beneficiary_category": "left_behind_child",
        "beneficiary_count": "2",
        "hours": "1.5",
        "social_worker": "李社工",
    }
    client.post(url, data)
    assert ServiceRecord.objects.get().place == "熊口镇赵脑村"
    bad = client.post(url, data | {"date": "1999-01-01", "beneficiary_count": "0"}).content.decode()
    assert "不在合同服务期" in bad
    assert ServiceRecord.objects.count() == 1


def test_totals_name_the_service_type_in_chinese(money, login):
    """Regression: the totals table showed the stored code (home_visit) instead of 家访."""
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    checked = client.post(
        url, {"file": _xlsx([[_day(money), "三桥村", "家访", "留守儿童", 2, 1, "李"]])}
    )
    client.post(url, {"confirm": "1", "token": checked.context["token"]})
    page = client.get(url)
    assert [(str(row["label"]), row["people"]) for row in page.context["summary"]] == [("家访", 2)]
    body = page.content.decode()
    assert "<td>家访</td>" in body and ">home_visit<" not in body


def test_excel_cells_as_excel_stores_them(money, login):
    """Dates as date cells and counts as numbers (Excel keeps 8 as 8.0) import like typed text."""
    import datetime as dt

    start = money["contract"].start_date
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    rows = [
        [start + dt.timedelta(days=3), "三桥村", "个案", "留守儿童", 8.0, 1.5, "李社工"],
        [
            dt.datetime.combine(start, dt.time(9, 30)),
            "三桥村",
            "家访",
            "留守老人",
            2,
            0.5,
            "王社工",
        ],
        [start, "三桥村", "小组", "留守儿童", 2.5, 1, "王社工"],
    ]
    body = client.post(url, {"file": _xlsx(rows)}).content.decode()
    assert "第4行" in body and "2.5" in body
    assert "第2行" not in body and "第3行" not in body
    assert ServiceRecord.objects.count() == 0


def test_a_sheet_over_the_row_limit_is_refused(money, login, monkeypatch):
    from funds import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    row = [_day(money), "三桥村", "个案", "留守儿童", 1, 1, "李社工"]
    body = client.post(url, {"file": _xlsx([row] * 5)}).content.decode()
    assert "每个文件最多3行" in body
    assert ServiceRecord.objects.count() == 0


def test_a_bad_row_after_written_batches_leaves_nothing(money, monkeypatch):
    """Rows are written batch by batch as they pass; a later bad row rolls all of them back."""
    from funds import imports

    monkeypatch.setattr(imports, "BATCH", 2)
    good = [[_day(money), "三桥村", "个案", "留守儿童", 1, 1, "李社工"]] * 5
    result = imports.import_service_records(
        money["contract"], _xlsx([*good, [_day(money), "三桥村", "个案", "外星人", 1, 1, "李"]])
    )
    assert not result.ok and result.saved == 0
    assert len(result.errors) == 1 and result.errors[0].startswith("第7行")
    assert ServiceRecord.objects.count() == 0
    result = imports.import_service_records(money["contract"], _xlsx(good))
    assert result.ok and result.saved == 5 == ServiceRecord.objects.count()
