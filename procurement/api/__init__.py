"""The procurement REST API, one module per resource; config/api.py registers each viewset.

- `tenders`: /tenders/ (drafting, transitions, the bid panel, the expert draw, the 采购文件,
  磋商/谈判 rounds, the contract draft), its bodies in `tender_serializers`
- `bids`: /bids/ · `contracts`: /contracts/ · `clarifications`: /clarifications/
- `objections`: /objections/ (质疑 and 投诉) · `intents`: /procurement-intents/
- `shared`: the tender, bid and contract serializers more than one resource answers with
"""

from procurement.api.bids import BidViewSet
from procurement.api.clarifications import ClarificationViewSet
from procurement.api.contracts import ContractViewSet
from procurement.api.intents import ProcurementIntentViewSet
from procurement.api.objections import ObjectionViewSet
from procurement.api.tenders import TenderViewSet

__all__ = [
    "BidViewSet",
    "ClarificationViewSet",
    "ContractViewSet",
    "ObjectionViewSet",
    "ProcurementIntentViewSet",
    "TenderViewSet",
]
