"""Service-record import (服务台账) from Excel or CSV: every bad row listed, nothing saved unless all are good."""

from __future__ import annotations

import csv
import datetime as dt
import io
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


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    records: list[ServiceRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _rows(upload: Any) -> tuple[list[str], list[list[Any]]]:
    kind = validate_upload(upload, kinds={"csv", "xlsx"}, max_bytes=MAX_BYTES)
    name = getattr(upload, "name", "")
    data: list[list[Any]]
    if kind == "csv":
        try:
            text = upload.read().decode("utf-8-sig")
            data = list(csv.reader(io.StringIO(text)))
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("“%(name)s” is not a UTF-8 CSV file; save it as “CSV UTF-8” or as .xlsx.")
                % {"name": name}
            ) from exc
        except csv.Error as exc:
            raise ValidationError(
                _("“%(name)s” is not a readable CSV file: %(error)s") % {"name": name, "error": exc}
            ) from exc
    else:
        # calamine (Rust) reads a 100,000-row sheet several times faster than openpyxl, which
        # was most of an .xlsx import's time; numbers arrive as floats, empty cells as "".
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(upload).get_sheet_by_index(0)
            # One row past the limit is enough to refuse the file without reading all of it.
            data = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 2)
        except Exception as exc:
            raise ValidationError(
                _("“%(name)s” is not a readable Excel workbook.") % {"name": name}
            ) from exc
    if not data:
        return [], []
    return [str(h or "").strip() for h in data[0]], data[1:]


def parse_service_records(contract: Contract, upload: Any) -> ImportResult:
    """Validate every row; the result lists each bad row with its line number and field."""
    header, body = _rows(upload)
    result = ImportResult()
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[key] = i
    missing = [COLUMNS[k][0] for k in COLUMNS if k not in index]
    if missing:
        result.errors.append(_("Missing columns: %(cols)s") % {"cols": "、".join(missing)})
        return result
    if len(body) > MAX_ROWS:
        result.errors.append(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
        return result
    types, categories = _choices(ServiceType), _choices(BeneficiaryCategory)
    start, end = contract.start_date, contract.current_end_date
    # Plain locals and one pass per row: this loop runs for every line of a 100,000-row file.
    i_date, i_place, i_type, i_cat, i_count, i_hours, i_worker = (
        index[k]
        for k in (
            "date",
            "place",
            "service_type",
            "beneficiary_category",
            "beneficiary_count",
            "hours",
            "social_worker",
        )
    )
    contract_id = contract.pk
    for line, row in enumerate(body, start=2):
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
        problems: list[str] = []
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
                    _("date “%(v)s” is not a date (YYYY-MM-DD)") % {"v": raw_date or ""}
                )
        if day and not (start <= day <= end):
            problems.append(
                _("date %(d)s is outside the contract term %(s)s to %(e)s")
                % {"d": day, "s": start, "e": end}
            )
        place = str(raw_place or "")
        if not place:
            problems.append(_("village or community is empty"))
        service_type = types.get(str(raw_type or ""))
        if service_type is None:
            problems.append(_("service type “%(v)s” is unknown") % {"v": raw_type or ""})
        category = categories.get(str(raw_cat or ""))
        if category is None:
            problems.append(_("beneficiary category “%(v)s” is unknown") % {"v": raw_cat or ""})
        try:
            if isinstance(raw_count, float) and raw_count.is_integer():
                raw_count = int(raw_count)
            count = int(str(raw_count).strip())
            if count < 1:
                raise ValueError
        except (TypeError, ValueError):
            count = 0
            problems.append(
                _("beneficiaries “%(v)s” must be a whole number of at least 1") % {"v": raw_count}
            )
        try:
            hours = Decimal(str(raw_hours).strip())
            if not (MIN_HOURS <= hours <= MAX_HOURS):
                raise InvalidOperation
        except (InvalidOperation, TypeError, ValueError):
            hours = Decimal(0)
            problems.append(_("hours “%(v)s” must be between 0.1 and 24") % {"v": raw_hours})
        worker = str(raw_worker or "")
        if not worker:
            problems.append(_("social worker is empty"))
        if problems or day is None or service_type is None or category is None:
            result.errors.append(_("Row %(n)s: %(p)s") % {"n": line, "p": "；".join(problems)})
            continue
        result.records.append(
            ServiceRecord(
                contract_id=contract_id,
                date=day,
                place=place[:100],
                service_type=service_type,
                beneficiary_category=category,
                beneficiary_count=count,
                hours=hours,
                social_worker=worker[:50],
            )
        )
    if result.rows == 0:
        result.errors.append(_("The file has no data rows."))
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


def _insert_batch(batch: list[ServiceRecord]) -> None:
    """One executemany per batch: the rows are already validated, so the ORM's per-object SQL
    compilation (most of bulk_create's cost) is skipped."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(ServiceRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
    rows = [
        (
            r.contract_id,
            ops.adapt_datefield_value(r.date),
            r.place,
            r.service_type,
            r.beneficiary_category,
            r.beneficiary_count,
            ops.adapt_decimalfield_value(r.hours, 6, 1),
            r.social_worker,
            now,
        )
        for r in batch
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608 - names from the model, values as parameters


@transaction.atomic
def import_service_records(contract: Contract, result: ImportResult) -> int:
    """Save a fully valid result in one transaction, in batches."""
    if not result.ok:
        raise ValueError("refusing to save an import with errors")
    for i in range(0, len(result.records), BATCH):
        _insert_batch(result.records[i : i + BATCH])
    return len(result.records)
