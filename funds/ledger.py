"""The append-only, hash-chained double-entry ledger (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from funds.models import LedgerEntry, LedgerHead, LedgerKind

GENESIS = "0" * 64

# kind -> (debit account, credit account)
ACCOUNTS: dict[str, tuple[str, str]] = {
    LedgerKind.BUDGET_APPROPRIATED: ("项目预算", "预算指标"),
    LedgerKind.BOND_RECEIVED: ("银行存款", "应付保证金"),
    LedgerKind.BOND_RETURNED: ("应付保证金", "银行存款"),
    LedgerKind.DISBURSEMENT_REQUESTED: ("待审批支付", "项目预算"),
    LedgerKind.DISBURSEMENT_APPROVED: ("应付承接主体款", "待审批支付"),
    LedgerKind.DISBURSEMENT_PAID: ("已支付服务费", "应付承接主体款"),
    LedgerKind.WITHHELD: ("暂缓支付", "项目预算"),
    LedgerKind.FORFEITED: ("项目预算结余", "暂缓支付"),
}


@transaction.atomic
def ledger_post(
    *,
    kind: str,
    amount: Decimal,
    project: Any,
    contract: Any = None,
    milestone: Any = None,
    actor: Any = None,
    memo: str = "",
    occurred_at: dt.datetime | None = None,
    accounts: tuple[str, str] | None = None,
) -> LedgerEntry:
    """Append one entry. The head row is locked, so concurrent appends queue up on one chain."""
    head, _created = LedgerHead.objects.get_or_create(pk=1)
    head = LedgerHead.objects.select_for_update().get(pk=1)
    debit, credit = accounts or ACCOUNTS[kind]
    entry = LedgerEntry(
        seq=head.seq + 1,
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        debit=debit,
        credit=credit,
        amount=Decimal(amount).quantize(Decimal("0.01")),
        project=project,
        contract=contract,
        milestone=milestone,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        memo=str(memo)[:300],
        prev_hash=head.hash if head.seq else GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    LedgerHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, actor: Any, memo: str) -> LedgerEntry:
    """A correction: the same amount with debit and credit swapped; the original stays."""
    return ledger_post(
        kind=LedgerKind.REVERSED,
        amount=entry.amount,
        project=entry.project,
        contract=entry.contract,
        milestone=entry.milestone,
        actor=actor,
        memo=f"冲销 #{entry.seq}：{memo}",
        accounts=(entry.credit, entry.debit),
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head: str
    broken_seq: int | None = None
    problem: str = ""


def _entries() -> Iterator[LedgerEntry]:
    return LedgerEntry.objects.order_by("seq").iterator(chunk_size=5000)


def ledger_verify() -> Verification:
    """Recompute the chain; name the first entry that was altered, inserted or follows a deletion."""
    previous = GENESIS
    expected_seq = 1
    count = 0
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            return Verification(
                False,
                count,
                previous,
                entry.seq,
                f"sequence jumps from {expected_seq - 1} to {entry.seq}: an entry was deleted",
            )
        if entry.prev_hash != previous:
            return Verification(
                False,
                count,
                previous,
                entry.seq,
                "does not link to the entry before it: an entry was inserted or removed",
            )
        if entry.compute_hash() != entry.hash:
            return Verification(
                False,
                count,
                previous,
                entry.seq,
                "its content does not match its hash: the entry was altered",
            )
        previous = entry.hash
        expected_seq += 1
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (count, previous if count else head.hash):
        return Verification(
            False,
            count,
            previous,
            head.seq,
            "the chain head does not match the last entry: entries were removed from the end",
        )
    return Verification(True, count, previous)
