"""/disbursements/: approving, paying and rejecting a milestone's payment."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import run_transition_endpoint
from funds import services
from funds.api.shared import (
    DisbursementSerializer,
    ReasonInSerializer,
)
from funds.models import (
    Disbursement,
)
from funds.permissions import (
    visible_contracts_for_funds_q,
)


class PaySerializer(serializers.Serializer[Any]):
    voucher_number = serializers.CharField(max_length=40)
    paid_on = serializers.DateField()


class DisbursementViewSet(viewsets.ReadOnlyModelViewSet[Disbursement]):
    serializer_class = DisbursementSerializer
    filterset_fields = ["state", "milestone"]

    def get_queryset(self) -> QuerySet[Disbursement]:
        return Disbursement.objects.filter(
            visible_contracts_for_funds_q(self.request.user, "milestone__contract__")
        ).order_by("-id")

    def _state(self, d: Any) -> dict[str, Any]:
        d.refresh_from_db()
        return dict(DisbursementSerializer(d).data)

    @extend_schema(request=None, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        d = self.get_object()
        return run_transition_endpoint(
            request,
            d,
            "approve",
            lambda: services.disbursement_approve(disbursement=d, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=PaySerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        d = self.get_object()
        body = PaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            d,
            "pay",
            lambda: services.disbursement_pay(
                disbursement=d, actor=acting_user(request), **body.validated_data
            ),
            self._state,
        )

    @extend_schema(request=ReasonInSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        d = self.get_object()
        body = ReasonInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            d,
            "reject",
            lambda: services.disbursement_reject(
                disbursement=d, actor=acting_user(request), reason=body.validated_data["reason"]
            ),
            self._state,
        )
