"""Service-record import (服务台账) from Excel or CSV: every bad row listed, nothing saved unless all are good.

CSV may be UTF-8 (with or without BOM), GB18030/GBK (what Chinese Excel writes) or UTF-16 (Excel's
"Unicode text", tab-separated). A file already imported for the contract is refused; rows that
repeat a record on file (same date, worker, service type and beneficiary category) and
implausible totals (a worker's hours in one day, a session with more people than the register
holds) are warnings the NGO must confirm before anything is saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.uploads import text_encoding, validate_upload
from funds.models import ServiceRecord, ServiceRecordImport, ServiceRecordState, ServiceType
from funds.reach import people_on_file
from procurement.models import Contract
from projects.models import BeneficiaryCategory
from workforce.models import SocialWorker

MAX_ROWS = 200_000
# The INSERT values of one checked row, in INSERT_COLUMNS order (batch, state and created_at
# added on insert).
Row = tuple[int, dt.date, str, str, str, int, Decimal, str, int | None]
MIN_HOURS, MAX_HOURS = Decimal("0.1"), Decimal("24")
# More than this in one day for one social worker is listed as implausible before confirming.
MAX_WORKER_HOURS_PER_DAY = Decimal("12")
MAX_WARNINGS_LISTED = 200
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
    # Plausibility warnings: nothing is saved until the NGO confirms it has looked at them.
    warnings: list[RowProblem] = field(default_factory=list)
    warning_count: int = 0
    encoding: str = ""
    sha256: str = ""

    def file_problem(self, message: str, row: int | None = None) -> None:
        self.errors.append(message)
        self.problems.append(RowProblem(row, None, message))

    def warn(self, row: int | None, field_name: str | None, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS_LISTED:
            self.warnings.append(RowProblem(row, field_name, message))

    @property
    def ok(self) -> bool:
        return not self.errors


def _csv_rows(upload: Any, name: str, result: ImportResult) -> Iterator[list[str]]:
    # Decoded and split as it is read, so a large file never sits in memory as one string; the
    # incremental decoder joins a character that a read boundary cuts in two.
    raw = getattr(upload, "file", upload)
    raw.seek(0)
    head = raw.read(65536)
    raw.seek(0)
    encoding = text_encoding(head)
    if encoding is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a text file in UTF-8, GBK/GB18030 or UTF-16; save it as "
                "“CSV UTF-8” or as .xlsx."
            )
            % {"name": name}
        )
    result.encoding = encoding
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        first_line = text.readline()
        # Excel's "Unicode text" is tab-separated; everything else here uses commas.
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        yield from csv.reader(_chain(first_line, text), delimiter=delimiter)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("“%(name)s” is not consistently encoded as %(encoding)s (byte %(at)s).")
            % {"name": name, "encoding": encoding, "at": exc.start}
        ) from exc
    except csv.Error as exc:
        raise ValidationError(
            _("“%(name)s” is not a readable CSV file: %(error)s") % {"name": name, "error": exc}
        ) from exc
    finally:
        text.detach()  # the upload stays open for the caller (e.g. to stash it)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _xlsx_rows(upload: Any, name: str) -> Iterator[list[Any]]:
    # calamine (Rust) reads a 100,000-row sheet several times faster than openpyxl, which was
    # most of an .xlsx import's time; numbers arrive as floats, empty cells as "".
    from python_calamine import CalamineWorkbook  # late: heavy, loaded on first use

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


def _rows(upload: Any, result: ImportResult) -> Iterator[Sequence[Any]]:
    """The file's rows (the header first), read lazily after checking the file's real type."""
    kind = validate_upload(upload, kinds={"csv", "xlsx"}, max_bytes=MAX_BYTES)
    name = getattr(upload, "name", "")
    return _csv_rows(upload, name, result) if kind == "csv" else _xlsx_rows(upload, name)


def file_sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _worker_register(contract: Contract) -> dict[str, int] | None:
    """Names on the supplier's social-worker register, or None while it keeps none."""
    names = dict(
        SocialWorker.objects.filter(organization_id=contract.supplier_id).values_list("name", "pk")
    )
    return names or None


def _repeat_problem(contract: Contract, sha256: str, result: ImportResult) -> bool:
    earlier = ServiceRecordImport.objects.filter(contract=contract, sha256=sha256).first()
    if earlier is None:
        return False
    result.file_problem(
        _(
            "This file was already imported on %(at)s (%(n)s rows); importing it again would "
            "count every row twice."
        )
        % {
            "at": timezone.localtime(earlier.imported_at).strftime("%Y-%m-%d %H:%M"),
            "n": earlier.rows,
        }
    )
    return True


def _checked(
    contract: Contract, upload: Any, result: ImportResult, *, check_repeat: bool = True
) -> Iterator[Row]:
    """Each good row as INSERT values, in file order; every problem goes to `result.errors`.

    One pass, nothing kept per row: memory does not grow with the file's length.
    """
    if check_repeat:
        result.sha256 = file_sha256(upload)
        if _repeat_problem(contract, result.sha256, result):
            return
    rows = _rows(upload, result)
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
    register = _worker_register(contract)
    recorded = ServiceRecord.objects.filter(contract=contract, state=ServiceRecordState.RECORDED)
    on_file = set(
        recorded.values_list("date", "social_worker", "service_type", "beneficiary_category")
    )
    worker_day_hours: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    worker_day_first_line: dict[tuple[str, dt.date], int] = {}
    people = people_on_file(contract)
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
        worker_id = None
        if not worker:
            problems.append(("social_worker", _("social worker is empty")))
        elif register is not None:
            worker_id = register.get(worker)
            if worker_id is None:
                problems.append(
                    (
                        "social_worker",
                        _("social worker “%(v)s” is not on your register of social workers")
                        % {"v": worker},
                    )
                )
        if problems or day is None or service_type is None or category is None:
            result.errors.append(
                _("Row %(n)s: %(p)s") % {"n": line, "p": "；".join(m for _f, m in problems)}
            )
            result.problems.extend(RowProblem(line, f, m) for f, m in problems)
            continue
        worker = worker[:50]
        if (day, worker, service_type, category) in on_file:
            result.warn(
                line,
                None,
                _(
                    "Row %(n)s repeats a record already on file (same date, social worker, "
                    "service type and beneficiary category)"
                )
                % {"n": line},
            )
        worker_day_hours[worker, day] += hours
        worker_day_first_line.setdefault((worker, day), line)
        known = people.get(category, 0)
        if known and count > known:
            result.warn(
                line,
                "beneficiary_count",
                _(
                    "Row %(n)s: %(c)s people in one service, but only %(k)s people of this "
                    "category are on file"
                )
                % {"n": line, "c": count, "k": known},
            )
        yield (
            contract_id,
            day,
            place[:100],
            service_type,
            category,
            count,
            hours,
            worker,
            worker_id,
        )
    if result.rows == 0:
        result.file_problem(_("The file has no data rows."))
        return
    _warn_long_days(recorded, worker_day_hours, worker_day_first_line, result)


def _warn_long_days(
    recorded: Any,
    hours: dict[tuple[str, dt.date], Decimal],
    first_line: dict[tuple[str, dt.date], int],
    result: ImportResult,
) -> None:
    """A social worker's hours in one day, the file's and those already on file together."""
    before = {
        (w, d): h
        for w, d, h in recorded.values_list("social_worker", "date")
        .annotate(h=Sum("hours"))
        .order_by()
    }
    for (worker, day), total in sorted(hours.items(), key=lambda kv: first_line[kv[0]]):
        total += before.get((worker, day), Decimal(0))
        if total > MAX_WORKER_HOURS_PER_DAY:
            result.warn(
                first_line[worker, day],
                "hours",
                _(
                    "%(w)s has %(h)s hours of service on %(d)s (more than %(max)s in one day is "
                    "implausible)"
                )
                % {"w": worker, "h": total, "d": day, "max": MAX_WORKER_HOURS_PER_DAY},
            )


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
    "worker_id",
    "batch_id",
    "state",
    "created_at",
)
BATCH = 5000


def _insert_batch(batch: list[Row], batch_id: int) -> None:
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
            worker_id,
            batch_id,
            ServiceRecordState.RECORDED.value,
            now,
        )
        for contract_id, day, place, service_type, category, count, hours, worker, worker_id in batch
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)  # noqa: S608 - names from the model, values as parameters


def import_service_records(
    contract: Contract,
    upload: Any,
    *,
    user: Any = None,
    accept_warnings: bool = False,
) -> ImportResult:
    """Validate and save in one pass and one transaction: all rows, or none if any is bad.

    Rows are written in batches as they pass; the first bad row stops the writing, the rest of
    the file is still checked so the result lists every problem, and the transaction is rolled
    back. Warnings (duplicates, implausible totals) roll back too unless `accept_warnings`.
    """
    result = ImportResult()
    batch: list[Row] = []
    result.sha256 = file_sha256(upload)
    with transaction.atomic():
        if _repeat_problem(contract, result.sha256, result):
            return result
        # The file is claimed before its rows: a concurrent import of the same file meets the
        # unique constraint (and waits for this one's outcome) instead of doubling the rows.
        try:
            with transaction.atomic():
                claim = ServiceRecordImport.objects.create(
                    contract=contract,
                    sha256=result.sha256,
                    file_name=str(getattr(upload, "name", ""))[:200],
                    rows=0,
                    imported_by=user if getattr(user, "is_authenticated", False) else None,
                )
        except IntegrityError:
            result.file_problem(_("This file is being imported or was imported already."))
            return result
        checked = _checked(contract, upload, result, check_repeat=False)
        for row in checked:
            if result.errors:
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                _insert_batch(batch, claim.pk)
                batch = []
        if result.errors or (result.warning_count and not accept_warnings):
            transaction.set_rollback(True)
            return result
        if batch:
            _insert_batch(batch, claim.pk)
        ServiceRecordImport.objects.filter(pk=claim.pk).update(rows=result.rows)
    result.saved = result.rows
    return result
