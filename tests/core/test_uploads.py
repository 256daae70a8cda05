import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.uploads import validate_upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 40


def _xlsx() -> bytes:
    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["日期", "服务类型"])
    wb.save(buf)
    return buf.getvalue()


def test_real_types_pass():
    assert (
        validate_upload(SimpleUploadedFile("报告.pdf", PDF), kinds={"pdf"}, max_bytes=10_000)
        == "pdf"
    )
    assert (
        validate_upload(SimpleUploadedFile("a.png", PNG), kinds={"png"}, max_bytes=10_000) == "png"
    )
    assert (
        validate_upload(SimpleUploadedFile("台账.xlsx", _xlsx()), kinds={"xlsx"}, max_bytes=100_000)
        == "xlsx"
    )
    csv = "日期,服务类型\n2026-11-01,个案\n".encode()
    assert (
        validate_upload(SimpleUploadedFile("台账.csv", csv), kinds={"csv"}, max_bytes=1000) == "csv"
    )


def test_renamed_executable_is_refused():
    exe = b"MZ\x90\x00" + b"\0" * 200
    with pytest.raises(ValidationError, match=r"报告\.pdf"):
        validate_upload(SimpleUploadedFile("报告.pdf", exe), kinds={"pdf"}, max_bytes=10_000)


def test_oversized_and_empty_are_refused():
    with pytest.raises(ValidationError, match="MB"):
        validate_upload(SimpleUploadedFile("big.pdf", PDF * 1000), kinds={"pdf"}, max_bytes=1000)
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("empty.pdf", b""), kinds={"pdf"}, max_bytes=1000)


def test_zip_bomb_is_refused_before_opening():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(ValidationError, match="压缩炸弹"):
        validate_upload(
            SimpleUploadedFile("bomb.xlsx", buf.getvalue()), kinds={"xlsx"}, max_bytes=10_000_000
        )
