import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from core.exports import csv_lines, safe_cell, stream_csv, stream_xlsx


def test_formula_cells_are_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+86 138") == "'+86 138"
    assert safe_cell("-1+1") == "'-1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("潜江市民政局") == "潜江市民政局"
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")


def test_csv_streams_lazily_with_bom_and_escaping():
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield ["=cmd|' /C calc'!A0", Decimal("500000.00"), f"第{i}行"]

    lines = csv_lines(rows(), ["备注", "金额", "行"])
    assert next(lines) == "\ufeff"
    next(lines)
    assert consumed == []  # nothing read before it is needed
    body = "".join(lines)
    parsed = list(csv.reader(io.StringIO(body)))
    assert parsed[0] == ["'=cmd|' /C calc'!A0", "500000.00", "第0行"]
    assert len(parsed) == 3


def test_stream_csv_response():
    response = stream_csv([["a", Decimal("1.50")]], ["名称", "金额"], "台账.csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff名称,金额")
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6.csv" in response["Content-Disposition"]


def test_xlsx_keeps_numbers_and_escapes_text():
    response = stream_xlsx(
        [["=1+1", Decimal("1234.56")], ["武汉爱心天使社会工作服务中心", Decimal("0.01")]],
        ["名称", "金额"],
        "ledger.xlsx",
        sheet_title="台账",
    )
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "台账"
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].value == 1234.56
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["A3"].value == "武汉爱心天使社会工作服务中心"
