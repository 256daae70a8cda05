"""The ledger as export rows: typed rows for XLSX, and a fast CSV straight from the cursor.

Both read the same joined columns in chain order; a test checks that the two CSV renderings
agree byte for byte on both database backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from core.exports import FORMULA_PREFIXES

HEADER = [
    "序号",
    "时间",
    "事项",
    "借方科目",
    "贷方科目",
    "金额",
    "项目编号",
    "项目",
    "合同",
    "承接主体",
    "付款节点",
    "经办人",
    "摘要",
    "前序哈希",
    "哈希",
]

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
)

BATCH = 2000


def _kind_labels() -> dict[str, str]:
    from funds.models import LedgerKind

    # Built once per export: the lazy choice labels cost a gettext lookup each time they are read.
    return {value: str(label) for value, label in LedgerKind.choices}


def _actor_namer() -> Callable[[int | None], str]:
    """Actor id → how the ledger names them; one query per distinct actor (a ledger has few)."""
    from accounts.models import User

    names: dict[int, str] = {}

    def name(actor_id: int | None) -> str:
        if actor_id is None:
            return ""
        if actor_id not in names:
            names[actor_id] = str(User.objects.get(pk=actor_id))
        return names[actor_id]

    return name


def ledger_rows(qs: QuerySet[Any]) -> Iterator[list[Any]]:
    """The export rows in HEADER order with typed values (Decimal, aware datetime) for XLSX."""
    kinds = _kind_labels()
    actor_name = _actor_namer()
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
    ) in qs.values_list(*COLUMNS).iterator(chunk_size=BATCH):
        has_contract = contract_id is not None
        yield [
            seq,
            occurred_at,
            kinds.get(kind, kind),
            debit,
            credit,
            amount,
            project_code,
            project_title,
            contract_number if has_contract else "",
            supplier_name if has_contract else "",
            milestone_name if milestone_name is not None else "",
            actor_name(actor_id),
            memo,
            prev_hash,
            hash_,
        ]


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


def _time_text(value: dt.datetime | str) -> str:
    # SQLite hands back naive UTC (Django stores aware times as UTC there); PostgreSQL aware UTC.
    # Either way the text is the aware ISO form the typed rows give.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.isoformat()


def _amount_text(value: Decimal | float | int) -> str:
    # PostgreSQL returns numeric(…, 2) as a Decimal with two places. SQLite's NUMERIC affinity
    # stores whole amounts as integers and others as REAL; every amount fits in far fewer than
    # 15 significant digits, so "%.2f" gives exactly the fen the ORM's quantised Decimal gives.
    if isinstance(value, Decimal):
        return format(value, "f")
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


def ledger_csv(qs: QuerySet[Any]) -> Iterator[bytes]:
    """The ledger CSV (UTF-8 with BOM, formula-safe text cells) in chunks of BATCH rows.

    Lines are formatted here rather than by csv.writer, which was the largest single cost; a
    test holds the bytes equal to `core.exports.csv_lines(ledger_rows(qs))`.
    """
    cell = _csv_cell
    labels = {kind: cell(label) for kind, label in _kind_labels().items()}
    accounts: dict[str, str] = {}
    actor_name = _actor_namer()
    # The actor's cell, escaped once per actor; no actor is an empty cell.
    actors: dict[int | None, str] = {None: ""}
    yield ("\ufeff" + ",".join(map(cell, HEADER)) + "\r\n").encode("utf-8")
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
        ) in batch:
            actor = actors.get(actor_id)
            if actor is None:
                actor = actors[actor_id] = cell(actor_name(actor_id))
            debit_text = accounts.get(debit) or accounts.setdefault(debit, cell(debit))
            credit_text = accounts.get(credit) or accounts.setdefault(credit, cell(credit))
            if contract_id is None:
                contract_text = supplier_text = ""
            else:
                contract_text, supplier_text = cell(contract_number), cell(supplier_name)
            lines.append(
                f"{seq},{_time_text(occurred_at)},{labels.get(kind) or cell(kind)},"
                f"{debit_text},{credit_text},{_amount_text(amount)},{cell(project_code)},"
                f"{cell(project_title)},{contract_text},{supplier_text},{cell(milestone_name)},"
                f"{actor},{cell(memo)},{prev_hash},{hash_}\r\n"
            )
        yield "".join(lines).encode("utf-8")


def ledger_filters(params: dict[str, Any]) -> dict[str, Any]:
    """The ledger page's filters from an export request's params; ValidationError naming each bad one."""
    from funds.forms import LedgerFilterForm

    form = LedgerFilterForm(params)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return {key: value for key, value in form.cleaned_data.items() if value}


def check_ledger_params(params: dict[str, Any]) -> None:
    ledger_filters(params)


def build_ledger_xlsx(user: Any, params: dict[str, Any], target: IO[bytes]) -> tuple[str, int]:
    """The background ledger workbook: the ledger page's filters, as the requester sees it."""
    from core.exports import write_xlsx
    from funds import selectors

    filters = ledger_filters(params)
    rows = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal rows
        for row in ledger_rows(selectors.ledger_entries(user=user, **filters)):
            rows += 1
            yield row

    write_xlsx(target, counted(), HEADER, sheet_title="台账")
    return f"sanshe-ledger-{timezone.localdate():%Y%m%d}.xlsx", rows
