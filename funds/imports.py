"""Service-record import (服务台账) from Excel or CSV: every bad row listed, nothing saved unless all are good."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import validate_upload
from funds.models import ServiceRecord, ServiceType
from procurement.models import Contract
from projects.models import BeneficiaryCategory

MAX_ROWS = 200_000
# The INSERT values of one checked row, in INSERT_COLUMNS order (created_at added on insert).
Row = tuple[int, dt.date, str, str, str, int, Decimal, str]
MIN_HOURS, MAX_HOURS = Decimal("0.1"), Decimal("24")
HEADER_HINT = "日期,村/社区,服务类型,服务对象类别,服务人数,时长,社工"
MAX_BYTES = 30 * 1024 * 1024
COLUMNS = {
    "date": ("日期", "date"),
    "place": ("村/社区", "村（社区）", "place", "village"),
    "service_type": ("服务类型", "service_type"),
    "beneficiary_category": ("服务对象类别", "beneficiary_category"),
    "beneficiary_count": ("服务人数", "人数", "beneficiary_count"),
    "hours": ("时长", "时长（小时）", "hours"),
    "social_worker": ("社工", "社会工作者", "social_worker"),
}


def _choices(enum: Any) -> dict[str, str]:
    from django.utils import translation

    table: dict[str, str] = {}
    for member in enum:
        table[member.value] = member.value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                table[str(member.label)] = member.value
    # Short Chinese names as written in ledgers, e.g. 个案 for "Casework (个案)".
    for label, value in list(table.items()):
        if "（" in label or "(" in label:
            inner = label.split("(")[-1].split("（")[-1].rstrip(")）")
            table.setdefault(inner, value)
    return table


@dataclass(frozen=True)
class RowProblem:
    """One problem, for a client to point at: the row as numbered in the file (1 is the header,
    None for the file as a whole) and the record field concerned (None when it is the file)."""

    row: int | None
    field_name: str | None
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    saved: int = 0
    # `errors` reads as sentences on the page; `problems` holds the same, one per field.
    errors: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def file_problem(self, message: str, row: int | None = None) -> None:
        self.errors.append(message)
        self.problems.append(RowProblem(row, None, message))

    @property
    def ok(self) -> bool:
        return not self.errors


def _csv_rows(upload: Any, name: str) -> Iterator[list[str]]:
    # Decoded and split as it is read, so a large file never sits in memory as one string.
    raw = getattr(upload, "file", upload)
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("“%(name)s” is not a UTF-8 CSV file; save it as “CSV UTF-8” or as .xlsx.")
            % {"name": name}
        ) from exc
    except csv.Error as exc:
        raise ValidationError(
            _("“%(name)s” is not a readable CSV file: %(error)s") % {"name": name, "error": exc}
        ) from exc
    finally:
        text.detach()  # the upload stays open for the caller (e.g. to stash it)


def _xlsx_rows(upload: Any, name: str) -> Iterator[list[Any]]:
    # calamine (Rust) reads a 100,000-row sheet several times faster than openpyxl, which was
    # most of an .xlsx import's time; numbers arrive as floats, empty cells as "".
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(upload).get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:
        raise ValidationError(
            _("“%(name)s” is not a readable Excel workbook.") % {"name": name}
        ) from exc
    # Rows above the used range are not yielded; keep line numbers those of the sheet.
    yield from ([] for _ in range(sheet.start[0] if sheet.start else 0))
    yield from rows


def _rows(upload: Any) -> Iterator[Sequence[Any]]:
    """The file's rows (the header first), read lazily after checking the file's real type."""
    kind = validate_upload(upload, kinds={"csv", "xlsx"}, max_bytes=MAX_BYTES)
    name = getattr(upload, "name", "")
    return _csv_rows(upload, name) if kind == "csv" else _xlsx_rows(upload, name)


def _checked(contract: Contract, upload: Any, result: ImportResult) -> Iterator[Row]:
    """Each good row as INSERT values, in file order; every problem goes to `result.errors`.

    One pass, nothing kept per row: memory does not grow with the file's length.
    """
    rows = _rows(upload)
    header = [str(h or "").strip() for h in next(rows, [])]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[key] = i
    missing = [COLUMNS[k][0] for k in COLUMNS if k not in index]
    if missing:
        result.file_problem(_("Missing columns: %(cols)s") % {"cols": "、".join(missing)}, row=1)
        return
    types, categories = _choices(ServiceType), _choices(BeneficiaryCategory)
    start, end = contract.start_date, contract.current_end_date
    # Plain locals and one pass per row: this loop runs for every line of a 100,000-row file.
    i_date, i_place, i_type, i_cat, i_count, i_hours, i_worker = (index[k] for k in COLUMNS)
    contract_id = contract.pk
    for line, row in enumerate(rows, start=2):
        if line > MAX_ROWS + 1:
            result.file_problem(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
            return
        width = len(row)
        values = [
            (v.strip() if isinstance(v, str) else v)
            for v in (
                row[i] if i < width else None
                for i in (i_date, i_place, i_type, i_cat, i_count, i_hours, i_worker)
            )
        ]
        if not any(v not in (None, "") for v in row):
            continue
        raw_date, raw_place, raw_type, raw_cat, raw_count, raw_hours, raw_worker = values
        result.rows += 1
        problems: list[tuple[str, str]] = []  # (field, message)
        day: dt.date | None = None
        if isinstance(raw_date, dt.datetime):
            day = raw_date.date()
        elif isinstance(raw_date, dt.date):
            day = raw_date
        else:
            try:
                day = dt.date.fromisoformat(str(raw_date or "").replace("/", "-"))
            except ValueError:
                problems.append(
                    ("date", _("date “%(v)s” is not a date (YYYY-MM-DD)") % {"v": raw_date or ""})
                )
        if day and not (start <= day <= end):
            problems.append(
                (
                    "date",
                    _("date %(d)s is outside the contract term %(s)s to %(e)s")
                    % {"d": day, "s": start, "e": end},
                )
            )
        place = str(raw_place or "")
        if not place:
            problems.append(("place", _("village or community is empty")))
        service_type = types.get(str(raw_type or ""))
        if service_type is None:
            problems.append(
                ("service_type", _("service type “%(v)s” is unknown") % {"v": raw_type or ""})
            )
        category = categories.get(str(raw_cat or ""))
        if category is None:
            problems.append(
                (
                    "beneficiary_category",
                    _("beneficiary category “%(v)s” is unknown") % {"v": raw_cat or ""},
                )
            )
        try:
            if isinstance(raw_count, float) and raw_count.is_integer():
                raw_count = int(raw_count)
            count = int(str(raw_count).strip())
            if count < 1:
                raise ValueError
        except (TypeError, ValueError):
            count = 0
            problems.append(
                (
                    "beneficiary_count",
                    _("beneficiaries “%(v)s” must be a whole number of at least 1")
                    % {"v": raw_count},
                )
            )
        try:
            hours = Decimal(str(raw_hours).strip())
            if not (MIN_HOURS <= hours <= MAX_HOURS):
                raise InvalidOperation
        except (InvalidOperation, TypeError, ValueError):
            hours = Decimal(0)
            problems.append(
                ("hours", _("hours “%(v)s” must be between 0.1 and 24") % {"v": raw_hours})
            )
        worker = str(raw_worker or "")
        if not worker:
            problems.append(("social_worker", _("social worker is empty")))
        if problems or day is None or service_type is None or category is None:
            result.errors.append(
                _("Row %(n)s: %(p)s") % {"n": line, "p": "；".join(m for _f, m in problems)}
            )
            result.problems.extend(RowProblem(line, f, m) for f, m in problems)
            continue
        yield (
            contract_id,
            day,
            place[:100],
            service_type,
            category,
            count,
            hours,
            worker[:50],
        )
    if result.rows == 0:
        result.file_problem(_("The file has no data rows."))


def parse_service_records(contract: Contract, upload: Any) -> ImportResult:
    """The dry run: validate every row, save nothing; the result lists each bad row."""
    result = ImportResult()
    for _row in _checked(contract, upload, result):
        pass
    return result


INSERT_COLUMNS = (
    "contract_id",
    "date",
    "place",
    "service_type",
    "beneficiary_category",
    "beneficiary_count",
    "hours",
    "social_worker",
    "created_at",
)
BATCH = 5000


def _insert_batch(batch: list[Row]) -> None:
    """One executemany per batch: the rows are already validated, so the ORM's per-object SQL
    compilation (most of bulk_create's cost) is skipped."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    table = ops.quote_name(ServiceRecord._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
    params = [
        (
            contract_id,
            ops.adapt_datefield_value(day),
            place,
            service_type,
            category,
            count,
            ops.adapt_decimalfield_value(hours, 6, 1),
            worker,
            now,
        )
        for contract_id, day, place, service_type, category, count, hours, worker in batch
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)  # noqa: S608 - names from the model, values as parameters


def import_service_records(contract: Contract, upload: Any) -> ImportResult:
    """Validate and save in one pass and one transaction: all rows, or none if any is bad.

    Rows are written in batches as they pass; the first bad row stops the writing, the rest of
    the file is still checked so the result lists every problem, and the transaction is rolled
    back.
    """
    result = ImportResult()
    batch: list[Row] = []
    with transaction.atomic():
        for row in _checked(contract, upload, result):
            if result.errors:
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                _insert_batch(batch)
                batch = []
        if result.errors:
            transaction.set_rollback(True)
            return result
        if batch:
            _insert_batch(batch)
    result.saved = result.rows
    return result
