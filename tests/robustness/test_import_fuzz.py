"""Hostile and random input to the importers: a clear refusal or a list of row errors, never a crash."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funds.imports import HEADER_HINT, import_service_records, parse_service_records
from funds.models import ServiceRecord
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "=1+1",
            "+cmd",
            "@SUM(A1)",
            "<script>alert(1)</script>",
            "2026-13-45",
            "个案",
            "留守儿童",
            "-5",
            "1e309",
            "NaN",
        ]
    ),
    st.integers(min_value=-(10**9), max_value=10**9).map(str),
)


def _parse(contract, data: bytes, name: str):
    try:
        return parse_service_records(contract, SimpleUploadedFile(name, data))
    except ValidationError as exc:  # refused as a whole file (type, size): a message, not a crash
        assert exc.messages
        return None


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=9), max_size=12))
def test_random_csv_rows(rows):
    contract = ContractFactory()
    text = HEADER_HINT + "\n" + "\n".join(",".join(r) for r in rows)
    result = _parse(contract, text.encode("utf-8"), "台账.csv")
    if result is not None and result.ok:
        assert result.rows > 0 and result.saved == 0
    assert ServiceRecord.objects.count() == 0  # parsing never writes


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(data):
    contract = ContractFactory()
    _parse(contract, data, "台账.xlsx")
    _parse(contract, data, "台账.csv")
    assert ServiceRecord.objects.count() == 0


def test_zip_bomb_disguised_as_xlsx():
    contract = ContractFactory()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<" * (80 * 1024 * 1024))
    with pytest.raises(ValidationError, match="压缩炸弹"):
        parse_service_records(contract, SimpleUploadedFile("bomb.xlsx", buf.getvalue()))


def test_formula_and_script_cells_are_kept_as_text():
    contract = ContractFactory()
    day = contract.start_date.isoformat()
    text = HEADER_HINT + f'\n{day},=HYPERLINK("x"),个案,留守儿童,1,1,<script>alert(1)</script>\n'
    result = import_service_records(contract, SimpleUploadedFile("a.csv", text.encode()))
    assert result.ok and result.saved == 1
    record = ServiceRecord.objects.get(contract=contract)
    assert record.place.startswith("=HYPERLINK")  # stored as text; exports escape it
    assert record.social_worker == "<script>alert(1)</script>"  # templates escape it
