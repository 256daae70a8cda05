"""A fast ledger filler for benchmarks: N valid chained entries after the current head.

    from benchmarks.ledger_fill import ledger_fill
    last_seq = ledger_fill(1_000_000)

Each entry's hash is computed with `funds.ledger._hash_of` (the recipe `verify` recomputes, held
equal to `LedgerEntry.compute_hash` by tests/funds/test_ledger_verification_job.py), so the
chain verifies. On PostgreSQL the rows go in with `COPY … FROM STDIN` (psycopg's write_row),
elsewhere with `bulk_create`; the head is moved to the last entry and its running totals are
rebuilt once at the end. Entries reuse the demo's contracts, milestones and bureau staff.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

MEMOS = ["第一期服务费", "保证金", "按评估结果核减", '=HYPERLINK("x")', "-冲销", '逗号,和"引号"']
BATCH = 20_000


def _rows(n: int, seq: int, previous: str) -> Any:
    from accounts.models import User
    from funds.ledger import ACCOUNTS, _hash_of
    from funds.models import Milestone
    from procurement.models import Contract

    contracts = list(Contract.objects.order_by("pk").values_list("pk", "project_id"))
    stones: dict[int, list[int]] = {}
    for milestone_id, contract_id in Milestone.objects.values_list("pk", "contract_id"):
        stones.setdefault(contract_id, []).append(milestone_id)
    actors = list(
        User.objects.filter(role__in=["bureau_staff", "bureau_finance"]).values_list(
            "pk", flat=True
        )
    )
    kinds = list(ACCOUNTS.items())
    start = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    for _ in range(n):
        seq += 1
        contract_id, project_id = contracts[seq % len(contracts)]
        kind, (debit, credit) = kinds[seq % len(kinds)]
        own = stones.get(contract_id) or []
        keyed = seq % 2 == 0
        row = (
            seq,
            start + dt.timedelta(seconds=seq * 7, microseconds=seq % 997),
            kind,
            debit,
            credit,
            (Decimal(seq % 500_000 + 100) / 100).quantize(Decimal("0.01")),
            project_id,
            None if seq % 5 == 0 else contract_id,
            own[seq % len(own)] if own and seq % 3 == 0 else None,
            actors[seq % len(actors)] if actors and seq % 4 else None,
            f"{MEMOS[seq % len(MEMOS)]} #{seq}",
            2,
            None,
            None,
            None,
            "paid" if keyed else "",
            {"v": f"PZ-{seq}", "d": "2027-01-01"} if keyed else {},
            previous,
            "",
        )
        previous = _hash_of(row)
        yield (*row[:-1], previous)


def ledger_fill(n: int) -> int:
    """Append n chained entries after the head; return the last seq."""
    from django.db import connection, transaction

    from funds.ledger import ENTRY_COLUMNS, GENESIS, ledger_totals_rebuild
    from funds.models import LedgerEntry, LedgerHead

    head, _created = LedgerHead.objects.get_or_create(pk=1)
    seq, previous = head.seq, head.hash if head.seq else GENESIS
    rows = _rows(n, seq, previous)
    done = 0
    while done < n:
        take = min(BATCH, n - done)
        with transaction.atomic():
            batch = [next(rows) for _ in range(take)]
            if connection.vendor == "postgresql":
                columns = ", ".join(ENTRY_COLUMNS)
                sql = f"COPY funds_ledgerentry ({columns}) FROM STDIN"
                with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                    for row in batch:
                        copy.write_row(
                            (*row[:16], json.dumps(row[16], ensure_ascii=False), *row[17:])
                        )
            else:
                LedgerEntry.objects.bulk_create(
                    [LedgerEntry(**dict(zip(ENTRY_COLUMNS, row, strict=True))) for row in batch],
                    batch_size=2000,
                )
            seq, previous = batch[-1][0], batch[-1][-1]
            LedgerHead.objects.filter(pk=1).update(seq=seq, hash=previous)
        done += take
    ledger_totals_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE funds_ledgerentry")  # plans as after autovacuum's analyse
    return seq
