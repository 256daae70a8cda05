"""The ledger lines of planning: allocations down the tree and projects drawing on lines.

Kept in one module (and only through `funds.ledger.ledger_post`) so the ledger's own postings
can change without touching planning. An allocation belongs to no project, which is why the
ledger entry's project may be empty; the allocated line keeps its entry (`ledger_entry`) so the
ledger's bureau filter and visibility find it (`LEDGER_SCOPE`, registered in planning.hooks).

| event | debit | credit |
|---|---|---|
| allocation to a lower bureau | 下级预算指标 | 年度预算指标 |
| a project draws on a line | 预算指标 | 年度预算指标 |
| a draft project's draw released | (the draw's line reversed) | |

The project's approval then posts 项目预算 / 预算指标 (funds), so 预算指标 nets to zero for an
approved project whose draws equal its budget.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Organization
from funds.ledger import ledger_post, ledger_reverse
from funds.models import LedgerEntry, LedgerKind
from funds.selectors import LedgerBureauScope
from planning.models import BudgetLine
from planning.permissions import visible_bureaus_q

ALLOCATED = ("下级预算指标", "年度预算指标")
DRAWN = ("预算指标", "年度预算指标")


def post_allocation(*, line: Any, actor: Any) -> LedgerEntry:
    source = line.source
    return ledger_post(
        kind=LedgerKind.BUDGET_ALLOCATED,
        amount=line.amount,
        project=None,
        actor=actor,
        memo=f"{source.plan.bureau.name}「{source.name}」→ {line.plan.bureau.name}「{line.name}」",
        accounts=ALLOCATED,
    )


def post_draw(*, draw: Any, actor: Any) -> LedgerEntry:
    return ledger_post(
        kind=LedgerKind.BUDGET_DRAWN,
        amount=draw.amount,
        project=draw.project,
        actor=actor,
        memo=f"{draw.line.plan.bureau.name} {draw.line.plan.year}「{draw.line.name}」",
        accounts=DRAWN,
    )


def reverse_draw(*, draw: Any, actor: Any) -> LedgerEntry | None:
    if draw.ledger_entry is None:
        return None
    return ledger_reverse(entry=draw.ledger_entry, actor=actor, memo="预算指标支用调整")


def _allocation_entries(lines: Q) -> Q:
    """Ledger entries posted by the allocations into the lines `lines` selects."""
    return Q(
        pk__in=BudgetLine.objects.filter(lines, ledger_entry__isnull=False).values(
            "ledger_entry_id"
        )
    )


def allocations_of_bureau(subtree: QuerySet[Organization, Any]) -> Q:
    # An allocation is the receiving bureau's line: it shows under that bureau and under every
    # bureau above it (the one that made it and those above that), like a project shows under
    # its bureau and every bureau above. `subtree`: the ids of the filtered bureau's subtree.
    return _allocation_entries(Q(plan__bureau_id__in=subtree))


def allocations_visible(user: Any) -> Q:
    # Whoever may read the receiving bureau's plan reads its allocation line: that bureau's
    # staff and finance and those of every bureau above it (the giver included).
    return _allocation_entries(visible_bureaus_q(user, prefix="plan__bureau__"))


LEDGER_SCOPE = LedgerBureauScope(of_bureau=allocations_of_bureau, visible=allocations_visible)
