"""Spreadsheet-safe, streaming exports: CSV with a BOM for Excel, XLSX in write-only mode."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in text; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: Any) -> str:
    cls = value.__class__
    if cls is str:  # the common case first; same result as the general path below
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if cls is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(safe_cell(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def csv_lines(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> Iterator[str]:
    """The CSV text line by line (BOM first) without holding the rows in memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([_text(h) for h in header])
    for row in rows:
        yield writer.writerow(map(_text, row))


CHUNK_CHARS = 32 * 1024


def _chunks(lines: Iterable[str]) -> Iterator[bytes]:
    """Lines joined into chunks of about CHUNK_CHARS characters: fewer, larger writes."""
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def csv_response(chunks: Iterable[bytes], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download from already encoded chunks."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def stream_csv(
    rows: Iterable[Sequence[Any]], header: Sequence[str], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download of rows, each text cell made formula-safe."""
    return csv_response(_chunks(csv_lines(rows, header)), filename)


def write_xlsx(
    target: Any, rows: Iterable[Sequence[Any]], header: Sequence[str], sheet_title: str = "Sheet1"
) -> None:
    """Write rows to an .xlsx file with openpyxl's write-only mode (constant memory)."""
    from openpyxl import Workbook  # late: heavy, loaded on first use
    from openpyxl.cell import WriteOnlyCell  # late: heavy, loaded on first use

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
            elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
            else:
                cell = WriteOnlyCell(sheet, value=safe_cell(value))
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)


def write_xlsx_fast(
    target: Any, rows: Iterable[Sequence[Any]], header: Sequence[str], sheet_title: str = "Sheet1"
) -> None:
    """As write_xlsx, with rustpy-xlsxwriter (Rust's rust_xlsxwriter, streaming rows from the
    iterator into a temporary file: constant memory, several times openpyxl's speed; see
    docs/benchmarks.md). Typed like write_xlsx: numbers stay numbers, Decimals are numbers shown
    with two decimals, datetimes are dates; text is made formula-safe. `header` must hold
    distinct names (each row is passed as a record keyed by them)."""
    # late: the Rust writer loads only when a workbook is written
    from rustpy_xlsxwriter import FastExcel

    names = [str(safe_cell(h)) for h in header]
    if len(set(names)) != len(names):
        raise ValueError("write_xlsx_fast needs distinct column names")

    def records() -> Iterator[dict[str, Any]]:
        for row in rows:
            record: dict[str, Any] = {}
            for name, value in zip(names, row, strict=True):
                cls = value.__class__
                if cls is str:
                    if value.startswith(FORMULA_PREFIXES):
                        value = "'" + value
                elif cls is Decimal:
                    value = float(value)  # 14 digits at most: exact to the fen
                elif cls is dt.datetime and value.tzinfo is not None:
                    value = value.replace(tzinfo=None)
                record[name] = value
            yield record

    with tempfile.TemporaryDirectory(prefix="sanshe-xlsx-") as folder:
        path = f"{folder}/sheet.xlsx"
        records_iter = records()
        first = next(records_iter, None)
        data = _chain_one(first, records_iter) if first is not None else [dict.fromkeys(names, "")]
        writer = FastExcel(path).format(float_format="#,##0.00")
        writer.sheet(sheet_title[:31], data).save()
        with open(path, "rb") as built:
            shutil.copyfileobj(built, target)


def _chain_one(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def stream_xlsx(
    rows: Iterable[Sequence[Any]],
    header: Sequence[str],
    filename: str,
    sheet_title: str = "Sheet1",
    *,
    fast: bool = False,
) -> FileResponse:
    """An .xlsx download built in a temporary file, so memory does not grow with the rows
    (`fast`: with write_xlsx_fast)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    (write_xlsx_fast if fast else write_xlsx)(spool, rows, header, sheet_title)
    spool.seek(0)
    response = FileResponse(
        spool,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _disposition(filename)
    return response
