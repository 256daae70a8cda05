"""The evaluation REST API, one module per resource; config/api.py registers each viewset.

- `evaluations`: /evaluations/ (commission to result), its bodies in `evaluation_serializers`
- `evidence`: /evaluations/{id}/evidence/, targets, self-evaluation, survey, change history
- `ties`: /assessor-ties/ · `indicator_systems`: /indicator-systems/
"""

from evaluation.api.evaluations import EvaluationViewSet
from evaluation.api.evidence import EvaluationEvidenceViewSet
from evaluation.api.indicator_systems import IndicatorSystemViewSet
from evaluation.api.ties import OrganizationTieViewSet

__all__ = [
    "EvaluationEvidenceViewSet",
    "EvaluationViewSet",
    "IndicatorSystemViewSet",
    "OrganizationTieViewSet",
]
