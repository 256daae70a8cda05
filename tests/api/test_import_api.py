"""The service-record file import through the API: a dry run lists every bad row with its row
number and field and saves nothing; a real run saves every row or none."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from funds.models import ServiceRecord
from tests.api.procurement_setup import api, session
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.funds.conftest import money  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
HEADER = ["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"]
URL = "/api/v1/service-records/import/"


def xlsx(rows, header=HEADER):
    wb = Workbook()
    wb.active.append(header)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("台账.xlsx", buf.getvalue())


def day(money, offset=10):  # noqa: F811
    return (money["contract"].start_date + dt.timedelta(days=offset)).isoformat()


def good_rows(money):  # noqa: F811
    return [
        [day(money), "园林街道三桥村", "个案", "留守儿童", 1, 1.5, "李社工"],
        [day(money, 11), "竹根滩镇", "小组", "留守儿童", 8, 2, "王社工"],
    ]


def bad_rows(money):  # noqa: F811
    return [
        good_rows(money)[0],
        ["2020-13-01", "竹根滩镇", "小组", "留守儿童", 8, 2, "王社工"],
        [day(money), "", "跳舞", "留守儿童", 0, 30, ""],
    ]


def send(user, money, rows, dry_run=None, client=None):  # noqa: F811
    data = {"contract": money["contract"].pk, "file": xlsx(rows)}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return (client or api(user)).post(URL, data, format="multipart")


def test_a_dry_run_lists_every_bad_row_with_row_and_field(money):  # noqa: F811
    checked = send(money["ngo"], money, bad_rows(money), dry_run=True)
    assert checked.status_code == 200, checked.data
    assert checked.data["ok"] is False and checked.data["rows"] == 3
    found = {(p["row"], p["field"]) for p in checked.data["problems"]}
    # Row 1 is the header: the second data row is row 3, the third row 4 (as Excel numbers them).
    assert found == {
        (3, "date"),
        (4, "place"),
        (4, "service_type"),
        (4, "beneficiary_count"),
        (4, "hours"),
        (4, "social_worker"),
    }
    assert all(p["message"] for p in checked.data["problems"])
    assert ServiceRecord.objects.count() == 0

    clean = send(money["ngo"], money, good_rows(money), dry_run=True)
    assert clean.status_code == 200
    assert (clean.data["ok"], clean.data["rows"], clean.data["problems"]) == (True, 2, [])
    assert ServiceRecord.objects.count() == 0  # a dry run saves nothing, even a good file

    headless = send(money["ngo"], money, [], dry_run=True)
    assert headless.data["ok"] is False and headless.data["problems"][0]["row"] is None
    missing = money["ngo"]
    columns = api(missing).post(
        URL,
        {"contract": money["contract"].pk, "file": xlsx([], header=["日期"]), "dry_run": "true"},
        format="multipart",
    )
    assert columns.status_code == 200
    assert [(p["row"], p["field"]) for p in columns.data["problems"]] == [(1, None)]


def test_a_real_run_saves_all_rows_or_none(money):  # noqa: F811
    refused = send(money["ngo"], money, bad_rows(money), dry_run=False)
    assert refused.status_code == 400
    assert len(refused.data["file"]) == 2  # one sentence per bad row, as the page shows them
    assert {p["row"] for p in refused.data["problems"]} == {3, 4}
    assert ServiceRecord.objects.count() == 0  # the good first row was not kept either
    saved = send(money["ngo"], money, good_rows(money), client=session(money["ngo"]))
    assert saved.status_code == 201 and saved.data == {"imported": 2}
    assert set(
        ServiceRecord.objects.filter(contract=money["contract"]).values_list("place", flat=True)
    ) == {"园林街道三桥村", "竹根滩镇"}


def test_only_the_supplier_imports(money):  # noqa: F811
    for user in (money["staff"], money["finance"], NgoUserFactory(), AuditorFactory()):
        for dry_run in (True, False):
            refused = send(user, money, good_rows(money), dry_run=dry_run)
            assert refused.status_code == 403 and refused.data["detail"], user.role
    assert ServiceRecord.objects.count() == 0
    unreadable = api(money["ngo"]).post(
        URL,
        {
            "contract": money["contract"].pk,
            # An image named .xlsx: refused by its content, before any row is read.
            "file": SimpleUploadedFile("a.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64)),
            "dry_run": "true",
        },
        format="multipart",
    )
    assert unreadable.status_code == 400
    assert api(money["ngo"]).post(URL, {"dry_run": "true"}, format="multipart").status_code == 400
