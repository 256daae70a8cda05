"""A crafted .xlsx whose sheet claims cell XFD1048576 is refused before any reader allocates it."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.uploads import validate_upload
from funds.models import ServiceRecord

HEADER = ["日期", "村/社区", "服务类型", "服务对象类别", "服务人数", "时长", "社工"]


def _crafted(dimension: str | None, cell: str | None) -> bytes:
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["2027-03-01", "园林街道三桥村", "个案", "留守儿童", 1, 1.5, "李社工"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                if dimension:
                    xml = xml.replace('<dimension ref="A1:G2"/>', f'<dimension ref="{dimension}"/>')
                if cell:
                    row = "".join(ch for ch in cell if ch.isdigit())
                    xml = xml.replace(
                        "</sheetData>",
                        f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
                    )
                data = xml.encode()
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("dimension", "cell"),
    [("A1:XFD1048576", None), (None, "XFD1048576"), (None, "G9000000"), ("A1:ZZ10", None)],
)
def test_a_sheet_claiming_a_huge_extent_is_refused_fast(dimension, cell):
    data = _crafted(dimension, cell)
    assert len(data) < 10_000
    started = time.monotonic()
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile("台账.xlsx", data), kinds={"xlsx"}, max_bytes=10 << 20)
    assert time.monotonic() - started < 2
    assert "台账.xlsx" in exc.value.messages[0] and "列" in exc.value.messages[0]


def test_an_ordinary_sheet_passes():
    data = _crafted(None, None)
    assert (
        validate_upload(SimpleUploadedFile("台账.xlsx", data), kinds={"xlsx"}, max_bytes=10 << 20)
        == "xlsx"
    )


@pytest.mark.django_db
def test_the_import_page_refuses_it_with_the_reason_and_saves_nothing(money, login):
    client = login(money["ngo"])
    url = reverse("funds:service_records", args=[money["contract"].pk])
    started = time.monotonic()
    response = client.post(
        url, {"file": SimpleUploadedFile("台账.xlsx", _crafted("A1:XFD1048576", "XFD1048576"))}
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    body = response.content.decode()
    assert "1,048,576" in body and "16,384" in body
    assert ServiceRecord.objects.count() == 0
