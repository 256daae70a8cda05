"""/contracts/: signing, the start of the service, amendments, the contract notice and filing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from procurement import publication, services
from procurement.api.shared import ContractSerializer
from procurement.models import (
    Contract,
)
from procurement.permissions import (
    can_manage_contract,
    visible_contracts_q,
)


class AmendSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    end_date = serializers.DateField()
    reason = serializers.CharField()


class FilingSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(
        max_length=100, help_text="The finance department's 备案 number."
    )


class ContractViewSet(viewsets.ReadOnlyModelViewSet[Contract]):
    """Contracts the caller may see: signing by both sides, starting the service, 变更, the
    contract notice and the 备案."""

    serializer_class = ContractSerializer
    filterset_fields = ["state", "project", "supplier"]

    def get_queryset(self) -> QuerySet[Contract]:
        return (
            Contract.objects.filter(visible_contracts_q(self.request.user))
            .select_related("supplier")
            .prefetch_related("amendments")
            .order_by("-id")
        )

    def _state(self, contract: Any) -> dict[str, Any]:
        contract.refresh_from_db()
        return dict(ContractSerializer(contract).data)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="sign-supplier")
    def sign_supplier(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        return run_transition_endpoint(
            request,
            contract,
            "sign_by_supplier",
            lambda: services.contract_sign_supplier(contract=contract, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="sign-bureau")
    def sign_bureau(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        return run_transition_endpoint(
            request,
            contract,
            "sign_by_bureau",
            lambda: services.contract_sign_bureau(contract=contract, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="start-service")
    def start_service(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        return run_transition_endpoint(
            request,
            contract,
            "start_service",
            lambda: services.contract_start_service(contract=contract, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=AmendSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """变更: a new version; the response shows the amount now in force."""
        contract = self.get_object()
        require(can_manage_contract(acting_user(request), contract))
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.contract_amend(
            contract=contract, actor=acting_user(request), **body.validated_data
        )
        return Response(self._state(contract))

    # --- the contract notice and the filing an audit checks

    def _answer(self, contract: Any) -> Response:
        return Response(
            {
                "id": contract.pk,
                "notice_published_at": contract.notice_published_at,
                "notice_due": contract.notice_due(),
                "filed_at": contract.filed_at,
                "filing_reference": contract.filing_reference,
                "filing_due": contract.filing_due(),
            }
        )

    @extend_schema(request=None, responses=None)
    @action(detail=True, methods=["post"], url_path="publish-notice")
    def publish_notice(self, request: Request, pk: str | None = None) -> Response:
        """合同公告 within 2 working days of signing (实施条例第50条)."""
        contract = self.get_object()
        require(can_manage_contract(request.user, contract))
        return self._answer(
            publication.contract_publish_notice(contract=contract, actor=acting_user(request))
        )

    @extend_schema(request=FilingSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def filing(self, request: Request, pk: str | None = None) -> Response:
        """备案 within 7 working days of signing (政府采购法第47条)."""
        contract = self.get_object()
        require(can_manage_contract(request.user, contract))
        body = FilingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            publication.contract_record_filing(
                contract=contract, actor=acting_user(request), **body.validated_data
            )
        )
