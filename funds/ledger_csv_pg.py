"""The ledger CSV on PostgreSQL: one `COPY (SELECT …) TO STDOUT (FORMAT csv)` whose SELECT
formats every cell as funds.exports formats it in Python (labels in the active language, Beijing
time with its offset, the amount, the memo sentence, the arguments' JSON, the formula-safe quote).

funds.exports.ledger_csv calls copy_csv on PostgreSQL; tests/funds/test_ledger_csv_fast_path.py
holds its bytes equal to the typed rows written by csv.writer. Change a cell here and there
together. Every expression is plain SQL over the queryset's own statement (no function to
create), built once per export; two columns the database computes at insert (memo_controls,
memo_args_strings) spare it per-row work; the cost of each choice is in docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import QuerySet

from accounts.models import Organization, User
from core.exports import FORMULA_PREFIXES
from core.text import printable
from funds.models import Milestone
from procurement.models import Contract
from projects.models import ServiceProject

# A stored memo starting with one of these gets a single quote in front (funds.exports).
MEMO_ESCAPES = (*FORMULA_PREFIXES, "'")
# kinds, accounts, memo templates: funds.exports._labels() in the active language.
Labels = tuple[dict[str, str], dict[str, str], dict[str, Any]]

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
    "memo_controls",
    "memo_args_strings",
)
_PG = {name: f"t.c{i}" for i, name in enumerate(_PG_RAW)}
# What core.text.printable removes (category Cc but \t, \n, \r); PostgreSQL text has no NUL.
_PG_CONTROL_RANGES = ((0x01, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
_PG_CONTROL = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _PG_CONTROL_RANGES) + "]"
_PLACEHOLDER = re.compile(r"(%\(\w+\)s|%%)")
TEMPLATE = "nl.template"  # the memo template's number, from the memoized labels (_pg_select)
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

        Where the entry holds exactly the names its template fills, each a string
        (memo_args_strings, computed by the database on insert, is their number, and `?&`
        names them), the text is put together from those names in code point order, each value
        as PostgreSQL writes a JSON string: it escapes as json.dumps does (\\" \\\\ \\b \\f \\n
        \\r \\t, \\u00xx for the other C0 characters; nothing else). No arguments is "{}".
        Otherwise keys in code point order (UTF-8 byte order under "C"), values in PostgreSQL's
        JSON text (the same escapes), by a per-row subquery. (Taking the spaces out of jsonb's
        own text was not exact: a value ending in `": ` or `", ` lost its space.)"""
        memo_args = _PG["memo_args"]
        strings = _PG["memo_args_strings"]
        slow = (
            f"CASE WHEN {strings} = 0 THEN '{{}}' ELSE "  # noqa: S608
            "(SELECT '{' || string_agg(to_json(j.k)::text || ':' || j.v::text, ',' "
            f"ORDER BY j.k COLLATE \"C\") || '}}' FROM jsonb_each({memo_args}) AS j(k, v)) END"
        )
        whens = []
        for number, template in enumerate(memos.values(), start=1):
            names = sorted({part[2:-2] for part in _PLACEHOLDER.findall(template) if part != "%%"})
            if not names:
                continue
            present = f"{memo_args} ?& ARRAY[{', '.join(self.p(n) for n in names)}]"
            pieces = " || ',' || ".join(
                f"{self.p(json.dumps(n, ensure_ascii=False) + ':')} || ({memo_args} -> {self.p(n)})::text"
                for n in names
            )
            whens.append(
                f"WHEN {number} THEN CASE WHEN {strings} = {len(names)} AND {present} "
                f"THEN '{{' || {pieces} || '}}' ELSE {slow} END"
            )
        if not whens:
            return f"({slow})"
        return f"(CASE {TEMPLATE} {' '.join(whens)} ELSE {slow} END)"

    def memo_cell(self, memos: dict[str, str]) -> str:
        """cell(_memo_text(...)) in SQL, chosen by memo key. A keyed sentence is the filled
        template, then "：" and the typed memo if there is one, stripped of control characters
        (where memo_controls says there may be some); it starts with the template's own text, so
        whether it needs the formula quote is known here, once. An entry without a known key
        shows its memo alone: the quote is decided by its first character (by the regular
        expression only where that is a control character printable() removes). A JSON null
        argument is "" (->> gives NULL), as funds.models.fill_memo has it."""
        memo = _PG["memo"]
        # Only rows whose memo or arguments may hold a control character go through the
        # regular expression (LedgerEntry.memo_controls, computed by the database on insert).
        controls = _PG["memo_controls"]
        reason = f"CASE WHEN {memo} = '' THEN '' ELSE {self.p('：')} || {memo} END"
        whens = []
        for number, template in enumerate(memos.values(), start=1):
            first = printable(_PLACEHOLDER.split(template)[0])
            text = f"{self.memo_template(template)} || {reason}"
            sentence = f"(CASE WHEN {controls} THEN {self.printable(text)} ELSE {text} END)"
            if not first:  # starts with an argument: the quote depends on the row
                whens.append(f"WHEN {number} THEN {self.cell(sentence)}")
            elif first.startswith(FORMULA_PREFIXES):
                whens.append(f"WHEN {number} THEN {QUOTE} || {sentence}")
            else:
                whens.append(f"WHEN {number} THEN {sentence}")
        plain = self.printable(memo)
        control = " OR ".join(f"ascii({memo}) BETWEEN {a} AND {b}" for a, b in _PG_CONTROL_RANGES)
        alone = (
            f"CASE WHEN NOT {controls} THEN {self.cell(memo)} "
            f"WHEN ascii({memo}) IN ({self.codes(FORMULA_PREFIXES)}) THEN {QUOTE} || {plain} "
            f"WHEN {control} THEN {self.cell(plain)} WHEN {memo} = '' THEN NULL ELSE {plain} END"
        )
        if not whens:
            return alone
        return f"(CASE {TEMPLATE} {' '.join(whens)} ELSE {alone} END)"

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
                # A JSON null is "" (->> gives NULL), as in funds.models.fill_memo.
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


def _pg_select(qs: QuerySet[Any], labels: Labels) -> tuple[str, list[Any]]:
    """A SELECT whose row per entry holds the CSV line's fields formatted as ledger_csv
    formats them in Python (labels in the active language, Beijing time with its offset: the
    session's TimeZone is set to settings.TIME_ZONE around the COPY, see _pg_csv)."""
    kinds, accounts, memos = labels
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
    # The memo template's number (1…, 0 for none), so the memo and JSON cells pick theirs by
    # comparing integers rather than the key's text against each key in turn.
    numbers = " ".join(f"WHEN {q.p(k)} THEN {i}" for i, k in enumerate(memos, start=1))
    template = f"(CASE v.memo_key {numbers} ELSE 0 END)" if memos else "0"
    by_kind = (
        f" LEFT JOIN LATERAL (SELECT {q.label_cell('v.kind', kinds)} AS kind_label, "  # noqa: S608 - literals via _Sql.p
        f"{q.label_cell('v.debit', accounts)} AS debit_label, "
        f"{q.label_cell('v.credit', accounts)} AS credit_label, {q.cell('v.kind')} AS kind, "
        f"{q.cell('v.debit')} AS debit, {q.cell('v.credit')} AS credit, "
        f"{q.cell('v.memo_key')} AS memo_key, {template} AS template "
        f"FROM (SELECT {c['kind']} AS kind, "
        f"{c['debit']} AS debit, {c['credit']} AS credit, {c['memo_key']} AS memo_key "
        "OFFSET 0) AS v OFFSET 0) AS nl ON true"
    )
    names = ", ".join(f"c{i}" for i in range(len(_PG_RAW)))
    sql = (
        f"SELECT {', '.join(fields)} FROM ({inner}) AS t({names}){_pg_names(q)}{by_kind} "  # noqa: S608
        f"ORDER BY {c['seq']}"
    )
    return sql, list(inner_params)


def copy_csv(qs: QuerySet[Any], head: bytes, labels: Labels) -> Iterator[bytes]:
    """COPY (the formatted select) TO STDOUT as CSV, read row by row and sent in chunks.

    COPY ends a row with LF, csv.writer (and so every Sanshe CSV) with CRLF; PostgreSQL sends
    each row in a message of its own, so the last byte of each is the row's end, whatever LFs a
    quoted field holds. The session's TimeZone is the site's during the COPY (to_char's
    TZH:TZM), JIT is off, and both are set back after it."""
    sql, params = _pg_select(qs, labels)
    yield head
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
