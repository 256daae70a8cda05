"""/milestones/: targets against actuals, deliverables, 履约验收, forfeiting, the payment request."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from funds import services
from funds.api.shared import (
    DisbursementSerializer,
    MilestoneSerializer,
    ReasonInSerializer,
)
from funds.models import (
    Milestone,
)
from funds.permissions import (
    can_accept_milestone,
    visible_contracts_for_funds_q,
)
from funds.selectors import contract_target_progress


class TargetProgressSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(help_text="Beneficiary category code.")
    category_label = serializers.CharField(source="label")
    target = serializers.IntegerField(help_text="People the project aims to reach.")
    registered = serializers.IntegerField(help_text="People with a case file on the contract.")
    person_times = serializers.IntegerField(help_text="Sum of the service records' counts.")
    reached_percent = serializers.DecimalField(max_digits=7, decimal_places=1)
    verdict = serializers.ChoiceField(
        choices=["met", "short", "unconfirmed"],
        help_text="Against the whole contract's target (the pages judge it at the final "
        "milestone only). met: people on file reach it; short: even the person-times fall "
        "short of it; unconfirmed: the person-times would, the case files do not show it.",
    )


class DeliverableInSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    report = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptanceInSerializer(serializers.Serializer[Any]):
    passed = serializers.BooleanField()
    checklist = serializers.DictField(child=serializers.BooleanField())
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    rectification_deadline = serializers.DateField(required=False, allow_null=True, default=None)


class MilestoneViewSet(viewsets.ReadOnlyModelViewSet[Milestone]):
    """Milestones with the NGO's and the bureau's actions."""

    serializer_class = MilestoneSerializer
    filterset_fields = ["state", "contract"]

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.filter(
            visible_contracts_for_funds_q(self.request.user, "contract__")
        ).order_by("contract_id", "sequence")

    @extend_schema(responses=TargetProgressSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def targets(self, request: Request, pk: str | None = None) -> Response:
        """The contract's target groups against people on file and person-times (counts only)."""
        milestone = self.get_object()
        rows = contract_target_progress(contract=milestone.contract)
        return Response(TargetProgressSerializer(rows, many=True).data)

    @extend_schema(request=None, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"], url_path="request-payment")
    def request_payment(self, request: Request, pk: str | None = None) -> Response:
        """Request the payment the policy allows (after acceptance); 409 with the reason otherwise."""
        milestone = self.get_object()
        d = services.disbursement_request(milestone=milestone, actor=acting_user(request))
        return Response(DisbursementSerializer(d).data)

    @extend_schema(request=DeliverableInSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def deliverables(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        body = DeliverableInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.deliverables_submit(
            milestone=milestone, actor=acting_user(request), **body.validated_data
        )
        return Response(MilestoneSerializer(Milestone.objects.get(pk=milestone.pk)).data)

    @extend_schema(request=AcceptanceInSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def acceptance(self, request: Request, pk: str | None = None) -> Response:
        """履约验收: passed accepts (its evaluation must be confirmed); failed sends it to 整改."""
        milestone = self.get_object()
        body = AcceptanceInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        require(can_accept_milestone(request.user, milestone))
        services.acceptance_record(
            milestone=milestone, actor=acting_user(request), **body.validated_data
        )
        return Response(MilestoneSerializer(Milestone.objects.get(pk=milestone.pk)).data)

    @extend_schema(request=ReasonInSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def forfeit(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        body = ReasonInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            milestone,
            "forfeit",
            lambda: services.milestone_forfeit(
                milestone=milestone,
                actor=acting_user(request),
                reason=body.validated_data["reason"],
            ),
            lambda m: dict(MilestoneSerializer(Milestone.objects.get(pk=m.pk)).data),
        )
