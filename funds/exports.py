"""The ledger as export rows: typed rows for XLSX, and a fast CSV straight from the database.

Both read the same joined columns in chain order. On PostgreSQL the CSV is one
`COPY (SELECT …) TO STDOUT` whose SELECT formats every cell (labels, Beijing time, the amount,
the formula-safe quote) as the Python rendering does; elsewhere it is formatted from raw cursor
rows. Tests hold both byte-equal to the typed rows written by csv.writer.

The first columns are for reading (names in the reader's language, the memo as a sentence, the
time in Beijing time with its offset); the last columns, under fixed ASCII headers, carry every
field the hash covers exactly as stored, so scripts/verify_ledger_csv.py can recompute the
chain from the CSV alone (docs/ledger-hash.md). In the CSV the stored memo is as stored, except
that a memo beginning with a formula character or a single quote gets one more single quote in
front (spreadsheet safety); the script takes it off. Text shown for reading is stripped of
control characters, so rows stored before input was cleaned still open everywhere.

Size: the PostgreSQL SELECT that formats each cell and the Python formatting of the same cells
must stay byte-equal, so they are kept in one module to be read and changed side by side.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from core.exports import FORMULA_PREFIXES, write_xlsx_fast
from core.text import printable
from funds import selectors
from funds.forms import LedgerFilterForm
from funds.models import MEMOS, Account, LedgerKind, Milestone
from procurement.models import Contract
from projects.models import ServiceProject

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
MEMO_ESCAPES = (*FORMULA_PREFIXES, "'")


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
    keyed = ""
    if template is not None:
        try:
            keyed = template % args
        except (KeyError, TypeError, ValueError):
            keyed = template
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


# --- PostgreSQL: the rows formatted by the database --------------------------------------------

# The columns the COPY reads, renamed c0… in the subquery (two of them are called "name").
_PG_COLUMNS = (
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
    "actor__display_name",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
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
# What our COPY reads from the queryset: the ledger's own columns. The names of projects,
# contracts, suppliers, milestones and actors are formatted once per row of their own (small)
# tables and joined by id (see _pg_names), not once per entry.
_PG_RAW = (
    "seq",
    "occurred_at",
    "kind",
    "debit",
    "credit",
    "amount",
    "project_id",
    "contract_id",
    "milestone_id",
    "actor_id",
    "memo",
    "prev_hash",
    "hash",
    "recipe",
    "disbursement_id",
    "bond_id",
    "reverses_id",
    "memo_key",
    "memo_args",
)
_PG = {name: f"t.c{i}" for i, name in enumerate(_PG_RAW)}
# What core.text.printable removes (category Cc but \t, \n, \r); PostgreSQL text has no NUL.
_PG_CONTROL_RANGES = ((0x01, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
_PG_CONTROL = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _PG_CONTROL_RANGES) + "]"
_PLACEHOLDER = re.compile(r"(%\(\w+\)s|%%)")
_COLUMN = re.compile(r"\w+\.\w+")  # a column: named twice, not evaluated twice
CSV_CHUNK = 64 * 1024
QUOTE_MATCH = "'\\&"  # regexp_replace: a single quote, then what matched
QUOTE = "''''"  # a single quote as an SQL literal


def _csv_value(text: str) -> str:
    """What cell() in SQL makes of a constant: formula-safe (empty stays empty)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Sql:
    """SQL pieces around the queryset's own statement. Our constants (labels, memo templates,
    the zone: none typed by a user) are written in as quoted literals, since an expression may
    appear more than once; `percent`: psycopg reads placeholders in the statement, so a literal
    % is doubled."""

    def __init__(self, *, percent: bool) -> None:
        self.percent = percent

    def p(self, value: str) -> str:
        if "\x00" in value:
            raise ValueError("no NUL in SQL text")
        literal = "'" + value.replace("'", "''") + "'"
        return literal.replace("%", "%%") if self.percent else literal

    def printable(self, expr: str) -> str:
        # regexp_replace: translate() with the sixty characters took five times as long.
        return f"regexp_replace({expr}, {self.p(_PG_CONTROL)}, '', 'g')"

    def cell(self, expr: str, prefixes: tuple[str, ...] = FORMULA_PREFIXES) -> str:
        """_csv_cell in SQL: a leading formula character gets a single quote before it; empty
        is NULL, which COPY writes as an empty field (it quotes an empty string, csv.writer
        does not). COPY quotes what csv.writer does: a value holding a comma, a double quote,
        CR or LF. An expression is evaluated once; a plain column is named twice (cheaper)."""
        if _COLUMN.fullmatch(expr):
            # ascii(): the first character's code point (0 for ''), no text made.
            return (
                f"CASE WHEN ascii({expr}) IN ({self.codes(prefixes)}) THEN {QUOTE} || {expr} "
                f"WHEN {expr} = '' THEN NULL ELSE {expr} END"
            )
        chars = "".join("\\" + ch if ch in "-\\]^" else ch for ch in prefixes)
        starts = self.p(f"^[{chars}]")
        return f"NULLIF(regexp_replace({expr}, {starts}, {self.p(QUOTE_MATCH)}), '')"

    @staticmethod
    def codes(chars: tuple[str, ...]) -> str:
        return ", ".join(str(ord(ch)) for ch in chars)

    def label_cell(self, expr: str, labels: dict[str, str]) -> str:
        """cell() of a stored value's label (made formula-safe here, once per label), or of the
        value itself when it has none."""
        whens = " ".join(
            f"WHEN {self.p(k)} THEN {self.p(_csv_value(v)) if v else 'NULL'}"
            for k, v in labels.items()
        )
        fallback = self.cell(expr)
        return f"(CASE {expr} {whens} ELSE {fallback} END)" if labels else fallback

    def args_cell(self, memos: dict[str, str]) -> str:
        """The cell of _args_json: json.dumps(args, ensure_ascii=False, sort_keys=True,
        separators=(",", ":")). It starts with "{" and is never empty, so no quote is added.

        Chosen by memo key: where an entry's jsonb text is exactly `{"n1": "v1", "n2": "v2"}`
        over its template's names (so every value a string needing no escape, no other key;
        checked by comparing the text with one built from `->>`), and jsonb's key order (by
        length, then bytes) is json.dumps's (by code point) for those names, the cell is the
        same pieces closed up. Otherwise keys in code point order (UTF-8 byte order under
        "C"), values in PostgreSQL's JSON text (the same escapes), by a per-row subquery."""
        memo_args, memo_key = _PG["memo_args"], _PG["memo_key"]
        slow = (
            f"CASE WHEN {memo_args} = '{{}}'::jsonb THEN '{{}}' ELSE "  # noqa: S608
            "(SELECT '{' || string_agg(to_json(j.k)::text || ':' || j.v::text, ',' "
            f"ORDER BY j.k COLLATE \"C\") || '}}' FROM jsonb_each({memo_args}) AS j(k, v)) END"
        )
        whens = []
        for key, template in memos.items():
            names = sorted({part[2:-2] for part in _PLACEHOLDER.findall(template) if part != "%%"})
            if not names or sorted(names, key=lambda n: (len(n.encode()), n.encode())) != names:
                continue

            def text(colon: str, comma: str, names: list[str] = names) -> str:
                pieces = []
                for i, name in enumerate(names):
                    before = ("{" if i == 0 else comma) + f'"{name}"{colon}"'
                    pieces += [self.p(before), f"({memo_args} ->> {self.p(name)})"]
                return "(" + " || ".join([*pieces, self.p('"}')]) + ")"

            spaced, tight = text(": ", '", '), text(":", '",')
            whens.append(
                f"WHEN {self.p(key)} THEN CASE WHEN {memo_args}::text = {spaced} "
                f"THEN {tight} ELSE {slow} END"
            )
        if not whens:
            return f"({slow})"
        return f"(CASE {memo_key} {' '.join(whens)} ELSE {slow} END)"

    def memo_cell(self, memos: dict[str, str]) -> str:
        """cell(_memo_text(...)) in SQL, chosen by memo key. A keyed sentence is the filled
        template, then "：" and the typed memo if there is one, stripped of control characters;
        it starts with the template's own text, so whether it needs the formula quote is known
        here, once. An entry without a known key shows its memo alone: the quote is decided by
        its first character (by the regular expression only where that is a control character
        printable() removes)."""
        memo, memo_key = _PG["memo"], _PG["memo_key"]
        reason = f"CASE WHEN {memo} = '' THEN '' ELSE {self.p('：')} || {memo} END"
        whens = []
        for key, template in memos.items():
            first = printable(_PLACEHOLDER.split(template)[0])
            sentence = self.printable(f"{self.memo_template(template)} || {reason}")
            if not first:  # starts with an argument: the quote depends on the row
                whens.append(f"WHEN {self.p(key)} THEN {self.cell(sentence)}")
            elif first.startswith(FORMULA_PREFIXES):
                whens.append(f"WHEN {self.p(key)} THEN {QUOTE} || {sentence}")
            else:
                whens.append(f"WHEN {self.p(key)} THEN {sentence}")
        plain = self.printable(memo)
        control = " OR ".join(f"ascii({memo}) BETWEEN {a} AND {b}" for a, b in _PG_CONTROL_RANGES)
        alone = (
            f"CASE WHEN ascii({memo}) IN ({self.codes(FORMULA_PREFIXES)}) THEN {QUOTE} || {plain} "
            f"WHEN {control} THEN {self.cell(plain)} WHEN {memo} = '' THEN NULL ELSE {plain} END"
        )
        if not whens:
            return alone
        return f"(CASE {memo_key} {' '.join(whens)} ELSE {alone} END)"

    def memo_template(self, template: str) -> str:
        """`template % memo_args` in SQL; a missing argument leaves the template as it is, as
        _memo_text does on KeyError."""
        memo_args = _PG["memo_args"]
        parts = _PLACEHOLDER.split(template)
        pieces: list[str] = []
        names: list[str] = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                if "%" in part:  # a conversion this rendering does not know: not substituted
                    return self.p(template)
                if part:
                    pieces.append(self.p(part))
            elif part == "%%":
                pieces.append(self.p("%"))
            else:
                name = part[2:-2]
                names.append(name)
                # A JSON null is "" here (concat's NULL), as before.
                pieces.append(f"COALESCE({memo_args} ->> {self.p(name)}, '')")
        if not names:
            return self.p(template % {})
        present = f"{memo_args} ?& ARRAY[{', '.join(self.p(n) for n in dict.fromkeys(names))}]"
        whole = self.p(template)
        return f"(CASE WHEN {present} THEN {' || '.join(pieces)} ELSE {whole} END)"


def _pg_names(q: _Sql) -> str:
    """LEFT JOINs to the formatted names, each table's cells computed once per row of it
    (OFFSET 0 keeps PostgreSQL from folding the subquery into the per-entry select)."""

    def cell(expr: str) -> str:
        return q.cell(q.printable(expr))

    spaces = q.p(" \t\n\r\x0b\x0c")  # what str.strip() takes off a full name (ASCII)
    actor = (
        "COALESCE(NULLIF(u.display_name, ''), NULLIF(btrim(u.first_name || ' ' || u.last_name, "
        f"{spaces}), ''), u.username)"
    )
    c = _PG
    projects = ServiceProject._meta.db_table
    contracts = Contract._meta.db_table
    organisations = Organization._meta.db_table
    milestones = Milestone._meta.db_table
    users = User._meta.db_table
    # LATERAL lookups by primary key keep the entries in their index order (no sort of the
    # formatted rows); each name is formatted where it is read.
    return (
        f" LEFT JOIN LATERAL (SELECT {cell('p.code')} AS code, {cell('p.title')} AS title "  # noqa: S608 - table names from models
        f"FROM {projects} AS p WHERE p.id = {c['project_id']} OFFSET 0) AS np ON true"
        f" LEFT JOIN LATERAL (SELECT {cell('k.number')} AS number, {cell('o.name')} AS supplier "
        f"FROM {contracts} AS k LEFT JOIN {organisations} AS o ON o.id = k.supplier_id "
        f"WHERE k.id = {c['contract_id']} OFFSET 0) AS nk ON true"
        f" LEFT JOIN LATERAL (SELECT {cell('m.name')} AS name FROM {milestones} AS m "
        f"WHERE m.id = {c['milestone_id']} OFFSET 0) AS nm ON true"
        f" LEFT JOIN LATERAL (SELECT {cell(actor)} AS name FROM {users} AS u "
        f"WHERE u.id = {c['actor_id']} OFFSET 0) AS nu ON true"
    )


def _pg_select(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    """A SELECT whose row per entry holds the CSV line's fields formatted as ledger_csv
    formats them in Python (labels in the active language, Beijing time with its offset: the
    session's TimeZone is set to settings.TIME_ZONE around the COPY, see _pg_csv)."""
    kinds, accounts, memos = _labels()
    inner, inner_params = (
        qs.order_by("seq").values_list(*_PG_RAW).query.get_compiler(qs.db).as_sql()
    )
    q = _Sql(percent=bool(inner_params))
    c = _PG
    # isoformat(timespec="microseconds") of the local time, then its offset as +HH:MM.
    time_text = f"to_char({c['occurred_at']}, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM')"
    fields = [
        c["seq"],
        time_text,
        "nl.kind_label",
        "nl.debit_label",
        "nl.credit_label",
        f"{c['amount']}::text",
        "np.code",
        "np.title",
        "nk.number",
        "nk.supplier",
        "nm.name",
        "nu.name",
        q.memo_cell(memos),
        c["prev_hash"],
        c["hash"],
        c["recipe"],
        "nl.kind",
        "nl.debit",
        "nl.credit",
        c["project_id"],
        c["contract_id"],
        c["milestone_id"],
        c["actor_id"],
        c["disbursement_id"],
        c["bond_id"],
        c["reverses_id"],
        # _raw_memo, then _csv_cell: after the added quote no formula character leads.
        q.cell(c["memo"], MEMO_ESCAPES),
        "nl.memo_key",
        q.args_cell(memos),
    ]
    # Cells that depend on the kind, the accounts and the memo key only: computed once per
    # distinct combination (a LATERAL subquery PostgreSQL memoizes), not once per entry. The
    # four columns are read once, in an inner subquery, so the memo's key is those four rather
    # than every mention of them (24 values hashed and compared per entry).
    by_kind = (
        f" LEFT JOIN LATERAL (SELECT {q.label_cell('v.kind', kinds)} AS kind_label, "  # noqa: S608 - literals via _Sql.p
        f"{q.label_cell('v.debit', accounts)} AS debit_label, "
        f"{q.label_cell('v.credit', accounts)} AS credit_label, {q.cell('v.kind')} AS kind, "
        f"{q.cell('v.debit')} AS debit, {q.cell('v.credit')} AS credit, "
        f"{q.cell('v.memo_key')} AS memo_key FROM (SELECT {c['kind']} AS kind, "
        f"{c['debit']} AS debit, {c['credit']} AS credit, {c['memo_key']} AS memo_key "
        "OFFSET 0) AS v OFFSET 0) AS nl ON true"
    )
    names = ", ".join(f"c{i}" for i in range(len(_PG_RAW)))
    sql = (
        f"SELECT {', '.join(fields)} FROM ({inner}) AS t({names}){_pg_names(q)}{by_kind} "  # noqa: S608
        f"ORDER BY {c['seq']}"
    )
    return sql, list(inner_params)


def _pg_csv(qs: QuerySet[Any]) -> Iterator[bytes]:
    """COPY (the formatted select) TO STDOUT as CSV, read row by row and sent in chunks.

    COPY ends a row with LF, csv.writer (and so every Sanshe CSV) with CRLF; PostgreSQL sends
    each row in a message of its own, so the last byte of each is the row's end, whatever LFs a
    quoted field holds. The session's TimeZone is the site's during the COPY (to_char's
    TZH:TZM), JIT is off, and both are set back after it."""
    sql, params = _pg_select(qs)
    yield ("\ufeff" + ",".join(map(_csv_cell, header())) + "\r\n").encode("utf-8")
    connection = connections[qs.db]
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with connection.cursor() as cursor:
        # JIT compiling the long expression list costs more than it saves (13.5 s against
        # 18.3 s for a million rows, measured).
        cursor.execute(
            "SELECT current_setting('TimeZone'), current_setting('jit'), "
            "set_config('TimeZone', %s, false), set_config('jit', 'off', false)",
            [settings.TIME_ZONE],
        )
        ((previous_zone, previous_jit, _zone, _jit),) = cursor.fetchall()
        try:
            with cursor.cursor.copy(copy_sql, params or None) as copy:
                rows: list[Any] = []
                size = 0
                for row in copy:
                    rows.append(row[:-1])
                    size += len(row)
                    if size >= CSV_CHUNK:
                        rows.append(b"")
                        yield b"\r\n".join(rows)
                        rows, size = [], 0
                if rows:
                    rows.append(b"")
                    yield b"\r\n".join(rows)
        finally:
            # In a transaction a failed COPY aborted, its rollback undoes the setting as well.
            with contextlib.suppress(DatabaseError):
                cursor.execute(
                    "SELECT set_config('TimeZone', %s, false), set_config('jit', %s, false)",
                    [previous_zone, previous_jit],
                )


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
