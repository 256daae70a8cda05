"""/bonds/: bid and performance bonds received and returned."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import Organization
from core.api import require, run_transition_endpoint
from funds.bonds import bond_receive, bond_return
from funds.models import (
    Bond,
    BondKind,
)
from funds.permissions import may_record_bonds
from funds.selectors import bond_list
from procurement.models import Contract, Tender


class BondSerializer(serializers.ModelSerializer[Bond]):
    return_due_by = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="A bid bond's last return day (5 working days, 实施条例第三十三条).",
    )

    class Meta:
        model = Bond
        fields = [
            "id",
            "kind",
            "project",
            "tender",
            "contract",
            "payer",
            "amount",
            "received_on",
            "state",
            "returned_on",
            "return_due_by",
        ]
        read_only_fields = fields


class BondInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=BondKind.choices)
    tender = serializers.PrimaryKeyRelatedField(
        queryset=Tender.objects.all(), required=False, allow_null=True, default=None
    )
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, allow_null=True, default=None
    )
    payer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    received_on = serializers.DateField()


class BondReturnInSerializer(serializers.Serializer[Any]):
    returned_on = serializers.DateField()


class BondViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Bond]):
    """Bid and performance bonds: finance records them received (POST) and returned."""

    serializer_class = BondSerializer
    filterset_fields = ["kind", "state", "tender", "contract"]

    def get_queryset(self) -> QuerySet[Bond]:
        if getattr(self, "swagger_fake_view", False):
            return Bond.objects.none()
        return bond_list(user=self.request.user)

    @extend_schema(request=BondInSerializer, responses={201: BondSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BondInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        held_for = body.validated_data.get("tender") or body.validated_data.get("contract")
        if held_for is not None:  # without either the service answers 400
            require(may_record_bonds(acting_user(request), held_for.project))
        bond = bond_receive(actor=acting_user(request), **body.validated_data)
        return Response(BondSerializer(bond).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BondReturnInSerializer, responses=BondSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_bond(self, request: Request, pk: str | None = None) -> Response:
        bond = self.get_object()
        body = BondReturnInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            bond,
            "return_to_payer",
            lambda: bond_return(bond=bond, actor=acting_user(request), **body.validated_data),
            lambda returned: dict(BondSerializer(cast(Bond, returned)).data),
        )
