"""The append-only, hash-chained double-entry ledger (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import AppendOnlyError
from core.text import clean_text
from funds.anchor import anchor_problem
from funds.models import Account, LedgerEntry, LedgerHead, LedgerKind

GENESIS = "0" * 64

# kind -> (debit account, credit account), as DESIGN §4 posts them
ACCOUNTS: dict[str, tuple[str, str]] = {
    LedgerKind.BUDGET_APPROPRIATED: (Account.PROJECT_BUDGET, Account.BUDGET_QUOTA),
    LedgerKind.BOND_RECEIVED: (Account.BANK, Account.BONDS_PAYABLE),
    LedgerKind.BOND_RETURNED: (Account.BONDS_PAYABLE, Account.BANK),
    LedgerKind.DISBURSEMENT_REQUESTED: (Account.PENDING_APPROVAL, Account.PROJECT_BUDGET),
    LedgerKind.DISBURSEMENT_APPROVED: (Account.PAYABLE, Account.PENDING_APPROVAL),
    LedgerKind.DISBURSEMENT_PAID: (Account.FEES_PAID, Account.PAYABLE),
    LedgerKind.WITHHELD: (Account.WITHHELD, Account.PROJECT_BUDGET),
    LedgerKind.RELEASE_REQUESTED: (Account.PENDING_APPROVAL, Account.WITHHELD),
    LedgerKind.FORFEITED: (Account.SURPLUS, Account.WITHHELD),
}


@transaction.atomic
def ledger_post(
    *,
    kind: str,
    amount: Decimal,
    project: Any,
    contract: Any = None,
    milestone: Any = None,
    disbursement: Any = None,
    bond: Any = None,
    actor: Any = None,
    memo: str = "",
    memo_key: str = "",
    memo_args: dict[str, str] | None = None,
    occurred_at: dt.datetime | None = None,
    accounts: tuple[str, str] | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Append one entry. The head row is locked, so concurrent appends queue up on one chain.

    `memo` is what a person typed (cleaned of control characters here, the last door before
    the append-only book); `memo_key`/`memo_args` say the rest in the reader's language."""
    LedgerHead.objects.get_or_create(pk=1)
    head = LedgerHead.objects.select_for_update().get(pk=1)
    debit, credit = accounts or ACCOUNTS[kind]
    # Stored as UTC, the form the database hands back, so the hash made now is the one
    # recomputed later whatever zone the caller's time was in.
    when = (occurred_at or timezone.now()).astimezone(dt.UTC)
    entry = LedgerEntry(
        seq=head.seq + 1,
        occurred_at=when,
        kind=kind,
        debit=debit,
        credit=credit,
        amount=Decimal(amount).quantize(Decimal("0.01")),
        project=project,
        contract=contract,
        milestone=milestone,
        disbursement=disbursement,
        bond=bond,
        reverses=reverses,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        memo=clean_text(str(memo), one_line=True)[:300],
        memo_key=memo_key,
        memo_args={k: str(v) for k, v in (memo_args or {}).items()},
        recipe=2,
        prev_hash=head.hash if head.seq else GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    LedgerHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, actor: Any, memo: str) -> LedgerEntry:
    """A correction: the same amount with debit and credit swapped; the original stays.

    An entry is reversed at most once (the `reverses` link is unique in the database)."""
    if LedgerEntry.objects.filter(reverses_id=entry.seq).exists():
        raise AppendOnlyError(f"entry #{entry.seq} is already reversed")
    return ledger_post(
        kind=LedgerKind.REVERSED,
        amount=entry.amount,
        project=entry.project,
        contract=entry.contract,
        milestone=entry.milestone,
        disbursement=entry.disbursement,
        bond=entry.bond,
        actor=actor,
        memo=memo,
        memo_key="reversal",
        memo_args={"seq": str(entry.seq)},
        accounts=(entry.credit, entry.debit),
        reverses=entry,
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
    problem = anchor_problem(count)
    if problem:
        return Verification(False, count, previous, count + 1, problem)
    return Verification(True, count, previous)
