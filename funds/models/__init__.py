"""Milestones, deliverables, service records, acceptance, disbursements and the audit ledger.

One module per aggregate; every model, choice and constant is importable from funds.models as
before (migrations name them there).

- `milestones`: milestones, their deliverables, acceptance and disbursements
- `service_records`: service records and their imports
- `bonds`: bid and performance bonds
- `ledger`: the accounts, the hash-chained ledger entries and the chain's head
"""

from funds.models.bonds import (
    BID_BOND_RETURN_WORKDAYS,
    Bond,
    BondKind,
    BondState,
)
from funds.models.ledger import (
    IN_BETWEEN_ACCOUNTS,
    MEMOS,
    Account,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerKind,
    LedgerQuerySet,
    fill_memo,
)
from funds.models.milestones import (
    AWAITING_DELIVERABLES,
    FULL_PAY_SCORE,
    PASS_SCORE,
    Acceptance,
    Deliverable,
    Disbursement,
    DisbursementState,
    Milestone,
    MilestoneState,
)
from funds.models.service_records import (
    ServiceRecord,
    ServiceRecordImport,
    ServiceRecordState,
    ServiceType,
)

__all__ = [
    "AWAITING_DELIVERABLES",
    "BID_BOND_RETURN_WORKDAYS",
    "FULL_PAY_SCORE",
    "IN_BETWEEN_ACCOUNTS",
    "MEMOS",
    "PASS_SCORE",
    "Acceptance",
    "Account",
    "Bond",
    "BondKind",
    "BondState",
    "Deliverable",
    "Disbursement",
    "DisbursementState",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerHead",
    "LedgerKind",
    "LedgerQuerySet",
    "Milestone",
    "MilestoneState",
    "ServiceRecord",
    "ServiceRecordImport",
    "ServiceRecordState",
    "ServiceType",
    "fill_memo",
]
