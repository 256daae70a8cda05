"""The request and answer bodies of the tender endpoints (drafting, the panel, the expert
draw, 磋商/谈判 rounds); procurement.api.tenders holds the viewset."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import User
from procurement import services
from procurement.models import (
    Bid,
    Criterion,
    NegotiationRound,
    PanelDraw,
    PanelMember,
    Tender,
)


class CriterionInSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    points = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    guidance = serializers.CharField(required=False, allow_blank=True, default="")


class TenderInSerializer(serializers.ModelSerializer[Tender]):
    criteria = CriterionInSerializer(many=True, required=False)

    class Meta:
        model = Tender
        # The terms a draft holds are the service's; the API adds the project and the criteria.
        fields = ["project", *services.TENDER_TERMS, "criteria"]


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class TenderUpdateSerializer(TenderInSerializer):
    """The terms a draft may still change; only the fields sent change. `criteria`, when sent,
    replaces the whole list (an empty list removes them); left out, the criteria stay."""

    class Meta(TenderInSerializer.Meta):
        fields = [f for f in TenderInSerializer.Meta.fields if f != "project"]
        # Optional fields rather than `partial=True`, which would also make a criterion's name
        # and points optional.
        extra_kwargs = {f: {"required": False} for f in fields}


class MilestoneInSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    percentage = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text="Share of the contract amount in per cent; the milestones add up to 100.",
    )
    due_date = serializers.DateField()
    is_advance = serializers.BooleanField(
        required=False, default=False, help_text="The advance payment (预付款)."
    )
    deliverables = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="The deliverables required before this milestone is paid.",
    )


class ContractDraftSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=40)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    term_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed for a term over one year (at most three).",
    )
    performance_bond = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        default=Decimal("0"),
        help_text="At most 10% of the contract amount.",
    )
    advance_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when the supplier is an SME and the advance is under 30%.",
    )
    milestones = MilestoneInSerializer(many=True, allow_empty=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError(
                {"end_date": [_("The term cannot end before it starts.")]}
            )
        return attrs


class PanelMemberSerializer(serializers.ModelSerializer[PanelMember]):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    declared = serializers.SerializerMethodField()

    class Meta:
        model = PanelMember
        fields = [
            "id",
            "tender",
            "user",
            "user_name",
            "is_expert",
            "is_chair",
            "declared",
            "declared_at",
            "withdrawn",
            "declined",
            "draw",
        ]
        read_only_fields = fields

    def get_declared(self, member: PanelMember) -> bool:
        return member.declared_at is not None


class PanelAddSerializer(serializers.Serializer[Any]):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text="A bid-evaluation expert or a staff member of the bureau.",
    )
    is_chair = serializers.BooleanField(required=False, default=False)


class PanelDeclareSerializer(serializers.Serializer[Any]):
    conflict = serializers.BooleanField(
        help_text="false: no tie with any bidder; true: withdraw from the panel (回避)."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="With a conflict: the bidder you are tied to.",
    )


class BidReviewSerializer(serializers.Serializer[Any]):
    bid = serializers.IntegerField(min_value=1)
    valid = serializers.BooleanField(
        help_text="true: qualified; false: disqualified (give the reason)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ScoreCellSerializer(serializers.Serializer[Any]):
    bid = serializers.IntegerField(min_value=1)
    criterion = serializers.IntegerField(min_value=1)
    points = serializers.DecimalField(max_digits=5, decimal_places=2)


class ScoreSaveSerializer(serializers.Serializer[Any]):
    scores = ScoreCellSerializer(many=True, allow_empty=False)


class SheetCriterionSerializer(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = ["id", "name", "points", "guidance"]
        read_only_fields = fields


class SheetBidSerializer(serializers.ModelSerializer[Bid]):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Bid
        fields = ["id", "supplier_name"]
        read_only_fields = fields


class PanelScoreSheetSerializer(serializers.Serializer[Any]):
    """The caller's own scores on the valid bids, one cell per (bid, criterion)."""

    criteria = SheetCriterionSerializer(many=True, read_only=True)
    bids = SheetBidSerializer(many=True, read_only=True)
    scores = ScoreCellSerializer(many=True, read_only=True)
    complete = serializers.BooleanField(read_only=True)


class PanelDrawSerializer(serializers.ModelSerializer[PanelDraw]):
    class Meta:
        model = PanelDraw
        fields = [
            "id",
            "seed",
            "category",
            "wanted",
            "candidates",
            "excluded",
            "drawn",
            "replaces",
            "drawn_at",
        ]
        read_only_fields = fields


class DrawRequestSerializer(serializers.Serializer[Any]):
    experts = serializers.IntegerField(
        min_value=1,
        max_value=25,
        required=False,
        allow_null=True,
        help_text="How many experts to draw; by default what the size and share rules need.",
    )


class MemberSerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField(help_text="The panel seat's id.")
    reason = serializers.CharField(max_length=2000, required=False, default="")


class DocumentsUploadSerializer(serializers.Serializer[Any]):
    documents_file = serializers.FileField(help_text="The 采购文件 as PDF.")


class RoundSerializer(serializers.ModelSerializer[NegotiationRound]):
    offers = serializers.SerializerMethodField(
        help_text="How many offers came; prices are in the bids' final_price once closed."
    )

    class Meta:
        model = NegotiationRound
        fields = ["id", "number", "is_final", "topics", "closes_at", "closed_at", "offers"]
        read_only_fields = ["id", "number", "closed_at", "offers"]

    def get_offers(self, obj: NegotiationRound) -> int:
        return obj.offers.count()


class OfferSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField(help_text="The round's id.")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    note = serializers.CharField(max_length=5000, required=False, default="")


class RoundRefSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField(help_text="The round's id.")
