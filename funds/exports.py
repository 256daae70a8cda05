"""The ledger as export rows: typed rows for XLSX, and a fast CSV straight from the database.

Both read the same joined columns in chain order. On PostgreSQL the CSV is one
`COPY (SELECT …) TO STDOUT` whose SELECT formats every cell (labels, Beijing time, the amount,
the formula-safe quote) as the Python rendering here does (funds.ledger_csv_pg: change a cell
in both); elsewhere it is formatted from raw cursor rows. Tests hold both byte-equal to the
typed rows written by csv.writer.

The first columns are for reading (names in the reader's language, the memo as a sentence, the
time in Beijing time with its offset); the last columns, under fixed ASCII headers, carry every
field the hash covers exactly as stored, so scripts/verify_ledger_csv.py can recompute the
chain from the CSV alone (docs/ledger-hash.md). In the CSV the stored memo is as stored, except
that a memo beginning with a formula character or a single quote gets one more single quote in
front (spreadsheet safety); the script takes it off. Text shown for reading is stripped of
control characters, so rows stored before input was cleaned still open everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.exports import FORMULA_PREFIXES, write_xlsx_fast
from core.text import printable
from funds import selectors
from funds.forms import LedgerFilterForm
from funds.ledger_csv_pg import MEMO_ESCAPES, copy_csv
from funds.models import MEMOS, Account, LedgerKind, fill_memo

DISPLAY_HEADER = [
    gettext_lazy("No."),
    gettext_lazy("Time (with zone)"),
    gettext_lazy("Event"),
    gettext_lazy("Debit account"),
    gettext_lazy("Credit account"),
    gettext_lazy("Amount"),
    gettext_lazy("Project code"),
    gettext_lazy("Project"),
    gettext_lazy("Contract"),
    gettext_lazy("Supplier"),
    gettext_lazy("Milestone"),
    gettext_lazy("Recorded by"),
    gettext_lazy("Memo"),
    gettext_lazy("Previous hash"),
    gettext_lazy("Hash"),
]
# The hashed fields as stored, for machines: never translated (the verification script and
# auditors' own tools find them by these names).
HASH_HEADER = [
    "recipe",
    "kind",
    "debit_account",
    "credit_account",
    "project_id",
    "contract_id",
    "milestone_id",
    "actor_id",
    "disbursement_id",
    "bond_id",
    "reverses",
    "memo",
    "memo_key",
    "memo_args",
]


def header() -> list[str]:
    return [str(h) for h in DISPLAY_HEADER] + HASH_HEADER


# Kept for callers that want the header at import time (in the default language).
HEADER = DISPLAY_HEADER + HASH_HEADER  # type: ignore[operator]

COLUMNS = (
    "seq",
    "occurred_at",
    "kind",
    "debit",
    "credit",
    "amount",
    "project__code",
    "project__title",
    "contract_id",
    "contract__number",
    "contract__supplier__name",
    "milestone__name",
    "actor_id",
    "memo",
    "prev_hash",
    "hash",
    "recipe",
    "project_id",
    "milestone_id",
    "disbursement_id",
    "bond_id",
    "reverses_id",
    "memo_key",
    "memo_args",
)

BATCH = 2000


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    # Built once per export: the lazy labels cost a gettext lookup each time they are read.
    kinds = {value: str(label) for value, label in LedgerKind.choices}
    accounts = {value: str(label) for value, label in Account.choices}
    memos = {key: str(text) for key, text in MEMOS.items()}
    return kinds, accounts, memos


def _actor_namer() -> Callable[[int | None], str]:
    """Actor id → how the ledger names them; one query per distinct actor (a ledger has few)."""
    names: dict[int, str] = {}

    def name(actor_id: int | None) -> str:
        if actor_id is None:
            return ""
        if actor_id not in names:
            names[actor_id] = str(User.objects.get(pk=actor_id))
        return names[actor_id]

    return name


def _memo_args(value: Any) -> dict[str, Any]:
    # SQLite hands JSON back as text, PostgreSQL as a dict.
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    return value or {}


def _memo_text(memos: dict[str, Any], key: str, args: dict[str, Any], memo: str) -> str:
    template = memos.get(key)
    keyed = "" if template is None else fill_memo(template, args)
    text = f"{keyed}：{memo}" if keyed and memo else (keyed or memo)
    return printable(text)


def _args_json(args: dict[str, Any]) -> str:
    return json.dumps(args, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _raw_memo(memo: str) -> str:
    return "'" + memo if memo.startswith(MEMO_ESCAPES) else memo


def _aware(value: dt.datetime | str) -> dt.datetime:
    # SQLite hands back naive UTC text (Django stores aware times as UTC there); PostgreSQL
    # aware UTC datetimes.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _time_text(value: dt.datetime | str, zone: ZoneInfo) -> str:
    """Beijing time with its offset and every microsecond the hash covers."""
    return _aware(value).astimezone(zone).isoformat(timespec="microseconds")


def ledger_rows(qs: QuerySet[Any]) -> Iterator[list[Any]]:
    """The export rows in header() order with typed values (Decimal) for XLSX."""
    kinds, accounts, memos = _labels()
    actor_name = _actor_namer()
    zone = _zone()
    for (
        seq,
        occurred_at,
        kind,
        debit,
        credit,
        amount,
        project_code,
        project_title,
        contract_id,
        contract_number,
        supplier_name,
        milestone_name,
        actor_id,
        memo,
        prev_hash,
        hash_,
        recipe,
        project_id,
        milestone_id,
        disbursement_id,
        bond_id,
        reverses_id,
        memo_key,
        memo_args,
    ) in qs.values_list(*COLUMNS).iterator(chunk_size=BATCH):
        has_contract = contract_id is not None
        args = _memo_args(memo_args)
        yield [
            seq,
            _time_text(occurred_at, zone),
            kinds.get(kind, kind),
            accounts.get(debit, debit),
            accounts.get(credit, credit),
            amount,
            printable(project_code),
            printable(project_title),
            printable(contract_number) if has_contract else "",
            printable(supplier_name) if has_contract else "",
            printable(milestone_name) if milestone_name is not None else "",
            printable(actor_name(actor_id)),
            _memo_text(memos, memo_key, args, memo),
            prev_hash,
            hash_,
            recipe,
            kind,
            debit,
            credit,
            project_id,
            contract_id,
            milestone_id,
            actor_id,
            disbursement_id,
            bond_id,
            reverses_id,
            _raw_memo(memo),
            memo_key,
            _args_json(args),
        ]


def xlsx_rows(qs: QuerySet[Any]) -> Iterator[list[Any]]:
    """As ledger_rows, typed for a workbook: the time a date cell (Beijing time; the CSV keeps
    the exact text the hash covers), the stored memo stripped of control characters (a workbook
    cannot hold them; the CSV keeps them for the hash)."""
    memo_column = len(DISPLAY_HEADER) + HASH_HEADER.index("memo")
    for row in ledger_rows(qs):
        row[1] = dt.datetime.fromisoformat(row[1]).replace(tzinfo=None)
        row[memo_column] = printable(row[memo_column])
        yield row


def _raw_batches(qs: QuerySet[Any]) -> Iterator[Sequence[tuple[Any, ...]]]:
    """Batches of the export columns as the DB-API cursor returns them, via a chunked cursor.

    The ORM's per-value converters (aware datetimes, quantised Decimals) were half the CSV
    export's time, and the CSV needs text anyway; the chunked cursor (server-side on
    PostgreSQL) keeps memory bounded like `QuerySet.iterator()` does.
    """
    sql, params = qs.values_list(*COLUMNS).query.get_compiler(qs.db).as_sql()
    with connections[qs.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(BATCH):
            yield batch


def _amount_text(value: Decimal | float | int) -> str:
    # PostgreSQL returns numeric(…, 2) as a Decimal with two places. SQLite's NUMERIC affinity
    # stores whole amounts as integers and others as REAL; every amount fits in far fewer than
    # 15 significant digits, so "%.2f" gives exactly the fen the ORM's quantised Decimal gives.
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    return f"{value:.2f}"


def _csv_cell(text: str | None, prefixes: tuple[str, ...] = FORMULA_PREFIXES) -> str:
    """One text cell as csv.writer (QUOTE_MINIMAL) writes it, made formula-safe first."""
    if not text:
        return ""
    if text.startswith(prefixes):
        text = "'" + text
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


def ledger_csv(qs: QuerySet[Any]) -> Iterator[bytes]:
    """The ledger CSV (UTF-8 with BOM, formula-safe text cells) in chunks of BATCH rows.

    On PostgreSQL the database formats every row (`_pg_csv`, one COPY); elsewhere lines are
    formatted here rather than by csv.writer, which was the largest single cost. A test holds
    the bytes of both equal to `core.exports.csv_lines(ledger_rows(qs))`.
    """
    if connections[qs.db].vendor == "postgresql":
        yield from _pg_csv(qs)
        return
    cell = _csv_cell
    kinds, accounts, memos = _labels()
    kind_cells = {kind: cell(label) for kind, label in kinds.items()}
    account_cells: dict[str, str] = {}
    actor_name = _actor_namer()
    zone = _zone()
    # The actor's cell, escaped once per actor; no actor is an empty cell.
    actors: dict[int | None, str] = {None: ""}
    yield ("\ufeff" + ",".join(map(cell, header())) + "\r\n").encode("utf-8")
    for batch in _raw_batches(qs):
        lines = []
        for (
            seq,
            occurred_at,
            kind,
            debit,
            credit,
            amount,
            project_code,
            project_title,
            contract_id,
            contract_number,
            supplier_name,
            milestone_name,
            actor_id,
            memo,
            prev_hash,
            hash_,
            recipe,
            project_id,
            milestone_id,
            disbursement_id,
            bond_id,
            reverses_id,
            memo_key,
            memo_args,
        ) in batch:
            actor = actors.get(actor_id)
            if actor is None:
                actor = actors[actor_id] = cell(printable(actor_name(actor_id)))
            debit_text = account_cells.get(debit) or account_cells.setdefault(
                debit, cell(accounts.get(debit, debit))
            )
            credit_text = account_cells.get(credit) or account_cells.setdefault(
                credit, cell(accounts.get(credit, credit))
            )
            if contract_id is None:
                contract_text = supplier_text = ""
            else:
                contract_text = cell(printable(contract_number))
                supplier_text = cell(printable(supplier_name))
            args = _memo_args(memo_args)
            lines.append(
                f"{seq},{_time_text(occurred_at, zone)},{kind_cells.get(kind) or cell(kind)},"
                f"{debit_text},{credit_text},{_amount_text(amount)},"
                f"{cell(printable(project_code))},{cell(printable(project_title))},"
                f"{contract_text},{supplier_text},{cell(printable(milestone_name or ''))},"
                f"{actor},{cell(_memo_text(memos, memo_key, args, memo))},{prev_hash},{hash_},"
                f"{recipe},{cell(kind)},{cell(debit)},{cell(credit)},{_id(project_id)},"
                f"{_id(contract_id)},{_id(milestone_id)},{_id(actor_id)},"
                f"{_id(disbursement_id)},{_id(bond_id)},{_id(reverses_id)},"
                f"{cell(_raw_memo(memo))},{cell(memo_key)},{cell(_args_json(args))}\r\n"
            )
        yield "".join(lines).encode("utf-8")


def _pg_csv(qs: QuerySet[Any]) -> Iterator[bytes]:
    """The CSV by PostgreSQL (funds.ledger_csv_pg): the same header, the same labels."""
    head = ("\ufeff" + ",".join(map(_csv_cell, header())) + "\r\n").encode("utf-8")
    return copy_csv(qs, head, _labels())


def ledger_filters(params: dict[str, Any]) -> dict[str, Any]:
    """The ledger page's filters from an export request's params; ValidationError naming each bad one."""
    form = LedgerFilterForm(params)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return {key: value for key, value in form.cleaned_data.items() if value}


def check_ledger_params(params: dict[str, Any]) -> None:
    ledger_filters(params)


def build_ledger_xlsx(user: Any, params: dict[str, Any], target: IO[bytes]) -> tuple[str, int]:
    """The background ledger workbook: the ledger page's filters, as the requester sees it."""
    filters = ledger_filters(params)
    rows = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal rows
        for row in xlsx_rows(selectors.ledger_entries(user=user, **filters)):
            rows += 1
            yield row

    write_xlsx_fast(target, counted(), header(), sheet_title=_("Ledger"))
    return f"sanshe-ledger-{timezone.localdate():%Y%m%d}.xlsx", rows
