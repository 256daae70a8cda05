"""Reading a register file (.xlsx or .csv) into field values, row by row.

Problems are reported by row number and column, never by repeating a cell: the values are names
and ID numbers of children, and error messages travel further than the form (logs, screenshots).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from beneficiaries.models import Gender
from core.uploads import validate_upload
from projects.models import BeneficiaryCategory

MAX_ROWS = 5_000  # an NGO's register, not a census; larger files are split
MAX_BYTES = 5 * 1024 * 1024
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "category": ("服务对象类别", "类别", "category"),
    "gender": ("性别", "gender"),
    "birth_date": ("出生日期", "birth_date"),
    "birth_year": ("出生年份", "birth_year"),
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "guardian_name": ("监护人", "guardian_name"),
    "guardian_phone": ("监护人手机号", "监护人手机", "监护人电话", "guardian_phone"),
    "village": ("村/社区", "村（社区）", "village"),
    "contract": ("合同编号", "contract"),
    "notes": ("备注", "notes"),
}
REQUIRED = ("name", "category", "village")
HEADER_HINT = (
    "姓名,服务对象类别,性别,出生日期,出生年份,身份证号,监护人,监护人手机号,村/社区,合同编号,备注"
)


@dataclass
class ImportResult:
    # (line, field values, fields whose cell could not be read)
    rows: list[tuple[int, dict[str, Any], set[str]]] = field(default_factory=list)
    # line -> problems; line 0 is the file as a whole
    problems: dict[int, list[str]] = field(default_factory=dict)
    saved: int = 0

    def add(self, line: int, problem: str) -> None:
        self.problems.setdefault(line, []).append(problem)

    @property
    def errors(self) -> list[str]:
        return [
            "；".join(found)
            if line == 0
            else _("Row %(n)s: %(p)s") % {"n": line, "p": "；".join(found)}
            for line, found in sorted(self.problems.items())
        ]

    @property
    def ok(self) -> bool:
        return not self.problems


def _labels(choices: Any) -> dict[str, str]:
    """Value, Chinese label and English label, each pointing at the stored value."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[value] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                table[str(label)] = value
    return table


def _read(upload: Any) -> list[list[Any]]:
    kind = validate_upload(upload, kinds={"csv", "xlsx"}, max_bytes=MAX_BYTES)
    if kind == "csv":
        try:
            return list(csv.reader(io.StringIO(upload.read().decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ValidationError(
                _("The file is not a readable UTF-8 CSV file; save it as “CSV UTF-8” or as .xlsx.")
            ) from exc
    from openpyxl import load_workbook  # late: heavy, loaded on first use

    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
        return [list(row) for row in sheet.iter_rows(max_row=MAX_ROWS + 2, values_only=True)]
    except Exception as exc:
        raise ValidationError(_("The file is not a readable Excel workbook.")) from exc


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def read_register(upload: Any, *, contracts: dict[str, Any]) -> ImportResult:
    """Field values per row (line numbers as Excel shows them) and every problem found.

    `contracts` maps the NGO's own contract numbers to contracts; any other number is refused.
    """
    data = _read(upload)
    result = ImportResult()
    if not data:
        result.add(0, _("The file has no rows."))
        return result
    header = [_text(h) for h in data[0]]
    index = {key: i for key, names in COLUMNS.items() for i, h in enumerate(header) if h in names}
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in index]
    if missing:
        result.add(0, _("Missing columns: %(cols)s") % {"cols": "、".join(missing)})
        return result
    body = data[1:]
    if len(body) > MAX_ROWS:
        result.add(0, _("At most %(n)s rows per file.") % {"n": MAX_ROWS})
        return result
    categories = _labels(BeneficiaryCategory.choices)
    genders = _labels(Gender.choices)
    for line, row in enumerate(body, start=2):
        cells = {key: row[i] if i < len(row) else None for key, i in index.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        problems: list[tuple[str, str]] = []  # (field, message)
        fields: dict[str, Any] = {
            key: _text(cells.get(key))
            for key in ("name", "guardian_name", "guardian_phone", "village", "notes")
        }
        fields["category"] = categories.get(_text(cells.get("category")), "")
        if not fields["category"]:
            message = _("the category is not one of the beneficiary categories")
            problems.append(("category", message))
        gender = _text(cells.get("gender"))
        fields["gender"] = genders.get(gender, "")
        if gender and not fields["gender"]:
            problems.append(("gender", _("the gender is neither 男 nor 女")))
        raw_id = cells.get("id_number")
        fields["id_number"] = _text(raw_id)
        if isinstance(raw_id, int | float):
            # Excel keeps 15 significant digits: an ID typed as a number has lost its last ones.
            fields["id_number"] = ""
            message = _("the ID number was saved as a number; format the column as text")
            problems.append(("id_number", message))
        try:
            fields["birth_date"] = _date(cells.get("birth_date"))
        except ValueError:
            fields["birth_date"] = None
            problems.append(("birth_date", _("the date of birth is not a date (YYYY-MM-DD)")))
        year = _text(cells.get("birth_year"))
        fields["birth_year"] = int(year) if year.isdigit() else None
        if year and not year.isdigit():
            problems.append(("birth_year", _("the year of birth is not a year")))
        number = _text(cells.get("contract"))
        fields["contract"] = contracts.get(number) if number else None
        if number and fields["contract"] is None:
            message = _("the contract number is not one of your organisation's contracts")
            problems.append(("contract", message))
        for _field, message in problems:
            result.add(line, message)
        result.rows.append((line, fields, {name for name, _message in problems}))
    return result
