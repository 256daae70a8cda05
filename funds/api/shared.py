"""What the milestone and disbursement endpoints both answer with or read."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from funds.models import (
    Disbursement,
    Milestone,
)


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "contract",
            "sequence",
            "name",
            "percentage",
            "amount",
            "due_date",
            "is_advance",
            "requires_evaluation",
            "full_pay_score",
            "pass_score",
            "rectification_deadline",
            "state",
        ]
        read_only_fields = fields


class DisbursementSerializer(serializers.ModelSerializer[Disbursement]):
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "milestone",
            "part",
            "amount",
            "withheld",
            "calculation",
            "state",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
            "paid_by",
            "paid_on",
            "voucher_number",
            "accepted_on",
            "due_by",
            "is_late",
        ]
        read_only_fields = fields


class ReasonInSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
