"""The funds REST API, one module per resource; config/api.py registers each viewset.

- `milestones`: /milestones/ · `disbursements`: /disbursements/
- `service_records`: /service-records/ · `ledger`: /ledger/ · `bonds`: /bonds/
- `shared`: the milestone and disbursement serializers both of the first two answer with
"""

from funds.api.bonds import BondViewSet
from funds.api.disbursements import DisbursementViewSet
from funds.api.ledger import LedgerViewSet
from funds.api.milestones import MilestoneViewSet
from funds.api.service_records import ServiceRecordViewSet

__all__ = [
    "BondViewSet",
    "DisbursementViewSet",
    "LedgerViewSet",
    "MilestoneViewSet",
    "ServiceRecordViewSet",
]
