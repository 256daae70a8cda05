"""The append-only, hash-chained double-entry ledger (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import report_progress, report_summary
from core.models import AppendOnlyError
from core.text import clean_text
from funds.anchor import anchor_problem
from funds.models import Account, LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerKind

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
    moved: dict[str, Any] = {"seq": entry.seq, "hash": entry.hash}
    if head.totals_seq == head.seq:  # the running totals are current: move them along
        totals = dict(head.totals or {})
        count, total = totals.get(kind, [0, "0.00"])
        totals[kind] = [count + 1, f"{Decimal(total) + entry.amount:.2f}"]
        moved.update(totals=totals, totals_seq=entry.seq)
    LedgerHead.objects.filter(pk=1).update(**moved)
    return entry


def ledger_totals_rebuild() -> None:
    """Sum the whole book once into the head's running totals (after a bulk load moved the
    head without them). Under the head lock, so no append slips between the sum and the seq."""

    with transaction.atomic():
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
        rows = (
            LedgerEntry.objects.order_by().values("kind").annotate(n=Count("pk"), s=Sum("amount"))
        )
        totals = {row["kind"]: [row["n"], f"{row['s']:.2f}"] for row in rows}
        LedgerHead.objects.filter(pk=1).update(totals=totals, totals_seq=head.seq)


def head_totals(head: LedgerHead | None) -> dict[str, tuple[int, Decimal]] | None:
    """The whole book's entries and amount per kind from the head, or None if not current."""
    if head is None or head.totals_seq != head.seq:
        return None
    return {kind: (int(n), Decimal(total)) for kind, (n, total) in (head.totals or {}).items()}


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
    # Where the hashes were recomputed from: 0 for a full verification, else the checkpoint's
    # sequence number (the entries up to it were found sound by an earlier run).
    start_seq: int = 0


# A verification that gets past a multiple of this records a checkpoint there.
CHECKPOINT_EVERY = 10_000
PROGRESS_EVERY = 20_000
# Every stored column of an entry, in the order the hash recipe reads them (verification reads
# these; the benchmark filler writes them).
ENTRY_COLUMNS = (
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
    "recipe",
    "disbursement_id",
    "bond_id",
    "reverses_id",
    "memo_key",
    "memo_args",
    "prev_hash",
    "hash",
)
_CENT = Decimal("0.01")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _hash_of(row: tuple[Any, ...]) -> str:
    """LedgerEntry.compute_hash() from a values_list row, without building the model (the
    same recipe: tests compare the two on every chain they verify)."""
    (seq, occurred_at, kind, debit, credit, amount, project_id, contract_id, milestone_id,
     actor_id, memo, recipe, disbursement_id, bond_id, reverses_id, memo_key, memo_args,
     prev_hash, _hash) = row  # fmt: skip
    fields: list[Any] = [
        seq,
        occurred_at.isoformat(timespec="microseconds"),
        kind,
        debit,
        credit,
        format(Decimal(amount).quantize(_CENT), "f"),
        project_id,
        contract_id,
        milestone_id,
        actor_id,
        memo,
    ]
    if recipe >= 2:
        fields += [
            disbursement_id,
            bond_id,
            reverses_id,
            memo_key,
            _JSON_SORTED.encode(memo_args or {}),
        ]
    return hashlib.sha256((prev_hash + _JSON.encode(fields)).encode("utf-8")).hexdigest()


Progress = Callable[[int, int], None]


def ledger_verify(*, full: bool = True, progress: Progress | None = None) -> Verification:
    """Recompute the chain; name the first entry that was altered, inserted or follows a deletion.

    `full=False` starts from the latest checkpoint at or below the head, after checking that its
    entry still carries the hash verified then; entries before it are not recomputed (a full
    verification, the default, recomputes every one). A sound run records a checkpoint at every
    CHECKPOINT_EVERY-th entry it passed. `progress(done, total)` is called now and then."""
    head = LedgerHead.objects.filter(pk=1).first()
    previous, expected_seq, count = GENESIS, 1, 0
    start = 0
    if not full and head is not None:
        checkpoint = LedgerCheckpoint.objects.filter(seq__lte=head.seq).order_by("-seq").first()
        if checkpoint is not None:
            stored = LedgerEntry.objects.filter(seq=checkpoint.seq).values_list("hash", flat=True)
            if list(stored) != [checkpoint.hash]:
                return Verification(
                    False,
                    0,
                    checkpoint.hash,
                    checkpoint.seq,
                    "the entry at this checkpoint no longer has the hash verified there: "
                    "an entry up to it was altered or removed (run a full verification)",
                    checkpoint.seq,
                )
            start = checkpoint.seq
            previous, expected_seq, count = checkpoint.hash, start + 1, start
    total = max((head.seq if head else 0) - start, 1)
    passed: list[tuple[int, str]] = []
    rows = (
        LedgerEntry.objects.filter(seq__gt=start)
        .order_by("seq")
        .values_list(*ENTRY_COLUMNS)
        .iterator(chunk_size=5000)
    )
    for row in rows:
        seq, prev_hash, stored_hash = row[0], row[-2], row[-1]
        count += 1
        if seq != expected_seq:
            return Verification(
                False,
                count,
                previous,
                seq,
                f"sequence jumps from {expected_seq - 1} to {seq}: an entry was deleted",
                start,
            )
        if prev_hash != previous:
            return Verification(
                False,
                count,
                previous,
                seq,
                "does not link to the entry before it: an entry was inserted or removed",
                start,
            )
        if _hash_of(row) != stored_hash:
            return Verification(
                False,
                count,
                previous,
                seq,
                "its content does not match its hash: the entry was altered",
                start,
            )
        previous = stored_hash
        expected_seq += 1
        if seq % CHECKPOINT_EVERY == 0:
            passed.append((seq, stored_hash))
        if progress is not None and (count - start) % PROGRESS_EVERY == 0:
            progress(count - start, total)
    if head is not None and (head.seq, head.hash) != (count, previous if count else head.hash):
        return Verification(
            False,
            count,
            previous,
            head.seq,
            "the chain head does not match the last entry: entries were removed from the end",
            start,
        )
    problem = anchor_problem(count)
    if problem:
        return Verification(False, count, previous, count + 1, problem, start)
    if passed:
        LedgerCheckpoint.objects.bulk_create(
            [LedgerCheckpoint(seq=seq, hash=hash_) for seq, hash_ in passed],
            update_conflicts=True,
            unique_fields=["seq"],
            update_fields=["hash", "verified_at"],
        )
    return Verification(True, count, previous, start_seq=start)


def verification_text(result: Verification) -> str:
    """The verdict in the reader's language, one line."""

    if result.ok:
        text = _("The chain verifies: %(n)s entries.") % {"n": result.checked}
        if result.start_seq:
            text += " " + _("Recomputed from the checkpoint at entry #%(seq)s.") % {
                "seq": result.start_seq
            }
        return text
    return _("The chain is broken at entry #%(seq)s: %(problem)s") % {
        "seq": result.broken_seq,
        "problem": result.problem,
    }


def check_verification_params(params: dict[str, Any]) -> None:

    if set(params) - {"full"}:
        raise ValidationError("A verification takes one option: full=1.")


def build_ledger_verification(user: Any, params: dict[str, Any], target: Any) -> tuple[str, int]:
    """The on-page verification as a background job: recompute the chain (from the latest
    checkpoint unless `full`), report progress, and keep the verdict as the job's result and
    as a small text file."""

    full = str(params.get("full", "")) in ("1", "true", "on")
    result = ledger_verify(full=full, progress=report_progress)
    verdict = verification_text(result)
    report_summary(verdict)
    lines = [
        verdict,
        f"ok={result.ok} checked={result.checked} start_seq={result.start_seq} "
        f"head={result.head} broken_seq={result.broken_seq or ''}",
        f"problem={result.problem}",
    ]
    target.write(("\n".join(lines) + "\n").encode("utf-8"))
    return f"sanshe-ledger-verification-{timezone.localdate():%Y%m%d}.txt", result.checked
