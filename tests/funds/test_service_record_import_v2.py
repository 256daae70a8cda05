"""台账 import: every encoding Chinese Excel writes, a re-imported file, duplicates and
implausible totals as warnings to confirm, and correcting or withdrawing a row with a reason."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.models import TransitionLog
from funds.models import ServiceRecord, ServiceRecordImport
from tests.factories.accounts import NgoUserFactory

pytestmark = pytest.mark.django_db
HEADER = ["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"]


def _day(money, offset=10):
    return (money["contract"].start_date + dt.timedelta(days=offset)).isoformat()


def _rows(money, n, worker="李社工"):
    return [
        [
            _day(money, i % 20),
            f"园林街道三桥村{i % 7}",
            "家访",
            "留守儿童",
            1 + i % 3,
            "1.5",
            f"{worker}{i % 9}",
        ]
        for i in range(n)
    ]


def _csv(rows, *, encoding, delimiter=",", bom=b""):
    text = "\r\n".join(delimiter.join(str(c) for c in r) for r in [HEADER, *rows]) + "\r\n"
    return SimpleUploadedFile("台账.csv", bom + text.encode(encoding))


def _url(money):
    return reverse("funds:service_records", args=[money["contract"].pk])


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("utf-8", ",", b""),
        ("utf-8", ",", b"\xef\xbb\xbf"),
        ("gbk", ",", b""),
        ("gb18030", ",", b""),
        ("utf-16-le", "\t", b"\xff\xfe"),
        ("utf-16-be", ",", b"\xfe\xff"),
    ],
)
def test_each_encoding_is_read_whole_and_imported(money, login, encoding, delimiter, bom):
    rows = _rows(money, 400)  # well over 8 KB: reads cross many buffer boundaries
    upload = _csv(rows, encoding=encoding, delimiter=delimiter, bom=bom)
    assert upload.size > 8192
    client = login(money["ngo"])
    checked = client.post(_url(money), {"file": upload})
    assert checked.context["result"].errors == []
    assert checked.context["result"].rows == 400
    client.post(_url(money), {"confirm": "1", "token": checked.context["token"]})
    assert ServiceRecord.objects.filter(contract=money["contract"]).count() == 400
    assert set(ServiceRecord.objects.values_list("place", flat=True)) == {
        f"园林街道三桥村{i}" for i in range(7)
    }


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_character_split_at_byte_8192_is_joined(money, login, encoding):
    # Pad the first row so that a two- or three-byte character straddles byte 8192.
    width = 3 if encoding == "utf-8" else 2
    head = (",".join(HEADER) + "\r\n").encode(encoding)
    line = f"{_day(money)},三桥村,家访,留守儿童,1,1,王社工\r\n".encode(encoding)
    rows_before = (8192 - len(head)) // len(line)
    used = len(head) + rows_before * len(line)
    pad = 8192 - used - len(f"{_day(money)},".encode(encoding)) - 1
    filler = "a" * pad + "村"  # the 村 starts one byte before 8192
    data = (
        head
        + line * rows_before
        + f"{_day(money)},{filler},家访,留守儿童,1,1,王社工\r\n".encode(encoding)
        + line * 10
    )
    split_at = data.index("村".encode(encoding), used)
    assert split_at < 8192 < split_at + width
    result = login(money["ngo"]).post(_url(money), {"file": SimpleUploadedFile("a.csv", data)})
    assert result.context["result"].errors == []
    assert result.context["result"].rows == rows_before + 11


def test_xlsx_still_imports(money, login):
    wb = Workbook()
    wb.active.append(HEADER)
    for r in _rows(money, 3):
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    client = login(money["ngo"])
    checked = client.post(_url(money), {"file": SimpleUploadedFile("台账.xlsx", buf.getvalue())})
    client.post(_url(money), {"confirm": "1", "token": checked.context["token"]})
    assert ServiceRecord.objects.count() == 3


def test_binary_is_still_refused(money, login):
    body = login(money["ngo"]).post(
        _url(money), {"file": SimpleUploadedFile("a.csv", b"\x00\x01\x02\xff" * 50)}
    )
    assert "不是" in body.content.decode()
    assert ServiceRecord.objects.count() == 0


def test_same_file_twice_is_refused(money, login):
    client = login(money["ngo"])
    data = _csv(_rows(money, 5), encoding="utf-8").read()
    checked = client.post(_url(money), {"file": SimpleUploadedFile("a.csv", data)})
    client.post(_url(money), {"confirm": "1", "token": checked.context["token"]})
    assert ServiceRecord.objects.count() == 5
    again = client.post(_url(money), {"file": SimpleUploadedFile("renamed.csv", data)})
    assert "已于" in again.content.decode() and "导入过" in again.content.decode()
    assert again.context["token"] == ""
    assert ServiceRecord.objects.count() == 5
    assert ServiceRecordImport.objects.get().rows == 5


def test_duplicates_of_rows_on_file_must_be_confirmed(money, login):
    client = login(money["ngo"])
    first = client.post(_url(money), {"file": _csv(_rows(money, 3), encoding="utf-8")})
    client.post(_url(money), {"confirm": "1", "token": first.context["token"]})
    # The same rows again with another hour count: a different file, the same services.
    rows = [[*r[:5], "2", r[6]] for r in _rows(money, 3)]
    checked = client.post(_url(money), {"file": _csv(rows, encoding="utf-8")})
    result = checked.context["result"]
    assert result.ok and result.warning_count == 3
    assert "重复" in checked.content.decode()
    unconfirmed = client.post(_url(money), {"confirm": "1", "token": checked.context["token"]})
    assert ServiceRecord.objects.count() == 3
    assert unconfirmed.context["token"]  # offered again, nothing saved
    client.post(
        _url(money),
        {"confirm": "1", "token": checked.context["token"], "accept_warnings": "1"},
    )
    assert ServiceRecord.objects.count() == 6


def test_implausible_hours_per_worker_per_day_warn(money, login):
    rows = [[_day(money), "三桥村", "个案", "留守儿童", 1, "8", "张敏"]] * 2 + [
        [_day(money), "三桥村", "小组", "留守儿童", 1, "60", "张敏"]
    ]
    rows[2][5] = "9"
    body = login(money["ngo"]).post(_url(money), {"file": _csv(rows, encoding="utf-8")})
    warnings = [w.message for w in body.context["result"].warnings]
    assert any("张敏" in w and "25" in w for w in warnings), warnings


def test_more_people_than_on_file_warn(money, login):
    from tests.factories.beneficiaries import BeneficiaryFactory

    for _ in range(3):
        BeneficiaryFactory(
            organization=money["contract"].supplier,
            contract=money["contract"],
            category="left_behind_child",
        )
    rows = [[_day(money), "三桥村", "社区活动", "留守儿童", 40, "2", "张敏"]]
    body = login(money["ngo"]).post(_url(money), {"file": _csv(rows, encoding="utf-8")})
    result = body.context["result"]
    assert result.warning_count == 1
    assert "40" in result.warnings[0].message and "3" in result.warnings[0].message


def test_worker_must_be_on_the_register_when_it_keeps_one(money, login):
    from workforce.models import SocialWorker

    SocialWorker.objects.create(
        organization=money["contract"].supplier, name="张敏", joined_on=dt.date(2020, 1, 1)
    )
    rows = [
        [_day(money), "三桥村", "个案", "留守儿童", 1, "1", "张敏"],
        [_day(money), "三桥村", "个案", "留守儿童", 1, "1", "路人甲"],
    ]
    client = login(money["ngo"])
    body = client.post(_url(money), {"file": _csv(rows, encoding="utf-8")})
    assert "第3行" in body.content.decode() and "路人甲" in body.content.decode()
    ok = client.post(_url(money), {"file": _csv(rows[:1], encoding="utf-8")})
    client.post(_url(money), {"confirm": "1", "token": ok.context["token"]})
    assert ServiceRecord.objects.get().worker.name == "张敏"


def test_list_pages_filter_and_export_cover_every_row(money, login):
    client = login(money["ngo"])
    checked = client.post(_url(money), {"file": _csv(_rows(money, 130), encoding="utf-8")})
    client.post(_url(money), {"confirm": "1", "token": checked.context["token"]})
    page3 = client.get(_url(money), {"page": 3})
    assert len(page3.context["records"]) == 30
    assert "第 3 页" in page3.content.decode() or "3" in page3.content.decode()
    filtered = client.get(_url(money), {"social_worker": "李社工0"})
    assert filtered.context["records"].paginator.count == len([i for i in range(130) if i % 9 == 0])
    export = client.get(_url(money), {"export": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 131


def test_correct_and_withdraw_with_a_logged_reason(money, login):
    client = login(money["ngo"])
    checked = client.post(_url(money), {"file": _csv(_rows(money, 2), encoding="utf-8")})
    client.post(_url(money), {"confirm": "1", "token": checked.context["token"]})
    record = ServiceRecord.objects.order_by("id").first()
    edit = reverse("funds:service_record_edit", args=[record.pk])
    no_reason = client.post(
        edit,
        {
            "date": record.date,
            "place": record.place,
            "service_type": "home_visit",
            "beneficiary_category": "left_behind_child",
            "beneficiary_count": 5,
            "hours": "1.5",
            "social_worker": record.social_worker,
            "reason": "",
        },
    )
    assert no_reason.status_code == 200
    client.post(
        edit,
        {
            "date": record.date,
            "place": record.place,
            "service_type": "home_visit",
            "beneficiary_category": "left_behind_child",
            "beneficiary_count": 5,
            "hours": "1.5",
            "social_worker": record.social_worker,
            "reason": "人数录错",
        },
    )
    record.refresh_from_db()
    assert record.beneficiary_count == 5
    log = TransitionLog.for_object(record).get()
    assert log.transition == "correct" and "人数录错" in log.note and "→ 5" in log.note
    client.post(edit, {"withdraw": "1", "reason": "重复录入"})
    record.refresh_from_db()
    assert record.state == "withdrawn"
    assert TransitionLog.for_object(record).last().note == "重复录入"
    # A withdrawn row counts nowhere.
    summary = client.get(_url(money)).context["summary"]
    assert (
        sum(r["people"] for r in summary)
        == ServiceRecord.objects.exclude(pk=record.pk).get().beneficiary_count
    )


def test_only_the_supplier_corrects_or_withdraws(money, login):
    record = ServiceRecord.objects.create(
        contract=money["contract"],
        date=money["contract"].start_date,
        place="三桥村",
        service_type="case",
        beneficiary_category="left_behind_child",
        beneficiary_count=1,
        hours=1,
        social_worker="张敏",
    )
    edit = reverse("funds:service_record_edit", args=[record.pk])
    assert login(money["staff"]).post(edit, {"withdraw": "1", "reason": "x"}).status_code == 403
    assert login(NgoUserFactory()).post(edit, {"withdraw": "1", "reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.state == "recorded"
    assert not TransitionLog.for_object(record).exists()
