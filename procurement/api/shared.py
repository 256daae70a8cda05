"""What the tender, bid and contract endpoints all answer with."""

from __future__ import annotations

from rest_framework import serializers

from core.api import ChoiceLabelField
from procurement.models import (
    Bid,
    Contract,
    Tender,
)
from procurement.permissions import (
    can_view_bid_content,
)


class TenderSerializer(serializers.ModelSerializer[Tender]):
    state_display = ChoiceLabelField("state")
    method_display = ChoiceLabelField("method")
    project_code = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "project",
            "project_code",
            "round",
            "title",
            "method",
            "method_display",
            "evaluation_method",
            "ceiling_price",
            "bid_bond",
            "price_weight",
            "qualification_requirements",
            "service_requirements",
            "publish_at",
            "clarification_deadline",
            "bid_deadline",
            "opening_at",
            "state",
            "state_display",
            "failure_reason",
            "awarded_at",
            "award_published_at",
        ]
        read_only_fields = fields


class BidSerializer(serializers.ModelSerializer[Bid]):
    """Price and proposal are null for anyone the seal still excludes."""

    price = serializers.SerializerMethodField()
    technical_proposal = serializers.SerializerMethodField()
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "supplier",
            "supplier_name",
            "state",
            "submitted_at",
            "revision",
            "receipt",
            "price",
            "technical_proposal",
            "invalid_reason",
        ]
        read_only_fields = fields

    def _open(self, bid: Bid) -> bool:
        return bool(can_view_bid_content(self.context["request"].user, bid))

    def get_price(self, bid: Bid) -> str | None:
        return str(bid.price) if self._open(bid) else None

    def get_technical_proposal(self, bid: Bid) -> str | None:
        return bid.technical_proposal if self._open(bid) else None


class ContractSerializer(serializers.ModelSerializer[Contract]):
    current_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "project",
            "tender",
            "supplier",
            "supplier_name",
            "amount",
            "current_amount",
            "start_date",
            "end_date",
            "performance_bond",
            "state",
            "supplier_signed_at",
            "signed_at",
        ]
        read_only_fields = fields
