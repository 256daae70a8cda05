"""/bids/: an NGO's own sealed bids."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require
from core.arrival import arrival_time
from procurement import services
from procurement.api.shared import BidSerializer
from procurement.models import (
    Bid,
    Tender,
)
from procurement.permissions import (
    can_bid,
)


class BidSubmitSerializer(serializers.Serializer[Any]):
    tender = serializers.PrimaryKeyRelatedField(queryset=Tender.objects.all())
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    technical_proposal = serializers.CharField()


class BidViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Bid]):
    """An NGO's own bids (submit, revise, withdraw); others' bids appear under /tenders/{id}/bids/."""

    serializer_class = BidSerializer
    queryset = Bid.objects.none()  # the schema generator's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[Bid]:
        organization = getattr(self.request.user, "organization_id", None)
        if getattr(self, "swagger_fake_view", False) or organization is None:
            return Bid.objects.none()
        return (
            Bid.objects.filter(supplier_id=organization)
            .select_related("tender", "supplier")
            .order_by("-id")
        )

    @extend_schema(request=BidSubmitSerializer, responses={201: BidSerializer})
    def create(self, request: Request) -> Response:
        """Submit or revise a sealed bid before the deadline; the answer carries the SHA-256 receipt."""
        body = BidSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tender = body.validated_data["tender"]
        require(can_bid(request.user, tender, arrival_time(request)))
        bid = services.bid_submit(
            tender=tender,
            actor=acting_user(request),
            price=body.validated_data["price"],
            technical_proposal=body.validated_data["technical_proposal"],
            now=arrival_time(request),
        )
        return Response(
            BidSerializer(bid, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        bid = self.get_object()
        withdrawn = services.bid_withdraw(
            bid=bid, actor=acting_user(request), now=arrival_time(request)
        )
        return Response(BidSerializer(withdrawn, context={"request": request}).data)
