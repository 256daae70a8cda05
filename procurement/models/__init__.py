"""Procurement: tenders, sealed bids, the bid-evaluation panel, award, objections and contracts.

One module per aggregate; every model, choice and function is importable from procurement.models
as before (migrations name them there).

- `tenders`: the tender with its criteria and clarifications (and the methods' choices)
- `bids`: sealed bids · `panels`: the panel, its scores, the expert pool and its random draws
- `rounds`: 磋商/谈判 rounds and offers · `objections`: 质疑 and 投诉
- `contracts`: contracts and their amendments · `intents`: 采购意向

Legal numbers (财政部令第87号, 财库〔2014〕214号, 财政部令第74号, 政府采购法) live in rules.py;
transitions here only name the condition that checks them.
"""

from procurement.models.bids import (
    Bid,
    BidState,
    bid_upload_to,
)
from procurement.models.contracts import (
    CONTRACT_SIGNED_STATES,
    Contract,
    ContractAmendment,
    ContractState,
)
from procurement.models.intents import (
    ProcurementIntent,
)
from procurement.models.objections import (
    Complaint,
    ComplaintState,
    Objection,
    ObjectionKind,
    ObjectionState,
    Remedy,
)
from procurement.models.panels import (
    ExpertProfile,
    PanelDraw,
    PanelMember,
    Score,
)
from procurement.models.rounds import (
    NegotiationRound,
    RoundOffer,
)
from procurement.models.tenders import (
    Clarification,
    Criterion,
    EvaluationMethod,
    Method,
    Tender,
    TenderState,
    TieBreak,
    documents_upload_to,
)

__all__ = [
    "CONTRACT_SIGNED_STATES",
    "Bid",
    "BidState",
    "Clarification",
    "Complaint",
    "ComplaintState",
    "Contract",
    "ContractAmendment",
    "ContractState",
    "Criterion",
    "EvaluationMethod",
    "ExpertProfile",
    "Method",
    "NegotiationRound",
    "Objection",
    "ObjectionKind",
    "ObjectionState",
    "PanelDraw",
    "PanelMember",
    "ProcurementIntent",
    "Remedy",
    "RoundOffer",
    "Score",
    "Tender",
    "TenderState",
    "TieBreak",
    "bid_upload_to",
    "documents_upload_to",
]
