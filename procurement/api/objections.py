"""REST API for 质疑 and 投诉: file, answer, act on an upheld objection, complain, record the
finance department's decision. The same services as the pages (procurement.objections)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require
from core.arrival import arrival_time
from procurement import objections
from procurement.models import (
    Complaint,
    Objection,
    ObjectionKind,
    ObjectionState,
    Remedy,
    Tender,
)
from procurement.permissions import (
    can_answer_objection,
    can_record_complaint_decision,
    can_view_tender,
    may_complain,
    may_object,
    visible_tenders_q,
)


class ComplaintSerializer(serializers.ModelSerializer[Complaint]):
    class Meta:
        model = Complaint
        fields = [
            "id",
            "finance_department",
            "text",
            "filed_at",
            "suspends",
            "state",
            "upheld",
            "decision",
            "decision_reference",
            "decided_on",
        ]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    bidder_name = serializers.CharField(source="bidder.name", read_only=True)
    suspending = serializers.SerializerMethodField(
        help_text="true while this objection holds the award and the contract back."
    )
    overdue = serializers.SerializerMethodField(
        help_text="true when the bureau's answer is past its due day (政府采购法第53条)."
    )
    complaint = ComplaintSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "tender",
            "bidder",
            "bidder_name",
            "kind",
            "known_on",
            "text",
            "filed_at",
            "answer_due",
            "overdue",
            "state",
            "suspends_award",
            "suspending",
            "answer",
            "upheld",
            "answered_at",
            "remedy",
            "complaint",
        ]
        read_only_fields = fields

    def get_suspending(self, objection: Objection) -> bool:
        return objection.suspends_award and objection.state in (
            ObjectionState.FILED,
            ObjectionState.UPHELD,
        )

    def get_overdue(self, objection: Objection) -> bool:
        return objection.is_overdue()


class ObjectionFileSerializer(serializers.Serializer[Any]):
    tender = serializers.PrimaryKeyRelatedField(queryset=Tender.objects.all())
    kind = serializers.ChoiceField(choices=ObjectionKind.choices, default=ObjectionKind.RESULT)
    known_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="For an objection against the process: the day the step ended.",
    )
    text = serializers.CharField(max_length=10000)


class ObjectionAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=10000)
    upheld = serializers.BooleanField(required=False, default=False)


class RemedySerializer(serializers.Serializer[Any]):
    remedy = serializers.ChoiceField(choices=Remedy.choices)
    bid_deadline = serializers.DateTimeField(required=False, allow_null=True)
    opening_at = serializers.DateTimeField(required=False, allow_null=True)


class ComplaintFileSerializer(serializers.Serializer[Any]):
    finance_department = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=10000)


class ComplaintDecisionSerializer(serializers.Serializer[Any]):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=10000)
    reference = serializers.CharField(max_length=100)
    decided_on = serializers.DateField()


class SuspensionSerializer(serializers.Serializer[Any]):
    suspends = serializers.BooleanField(
        help_text="The finance department's written notice suspending (or resuming) the purchase."
    )


class ObjectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Objection]
):
    """质疑 against the documents, the process or the result, each within its own window;
    the answer is due in 7 working days; then the action the law gives, or a 投诉."""

    serializer_class = ObjectionSerializer
    filterset_fields = ["tender", "kind", "state"]

    def get_queryset(self) -> QuerySet[Objection]:
        tenders = Tender.objects.filter(visible_tenders_q(self.request.user)).values("pk")
        return (
            Objection.objects.filter(tender__in=tenders)
            .select_related("bidder", "complaint")
            .order_by("tender_id", "filed_at")
        )

    @extend_schema(request=ObjectionFileSerializer, responses={201: ObjectionSerializer})
    def create(self, request: Request) -> Response:
        """File an objection: 409 with the rule outside its window or from a non-bidder."""
        body = ObjectionFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tender = body.validated_data["tender"]
        if not can_view_tender(request.user, tender):
            raise Http404
        require(may_object(request.user, tender, body.validated_data["kind"]))
        filed = objections.objection_file(
            tender=tender,
            actor=acting_user(request),
            kind=body.validated_data["kind"],
            known_on=body.validated_data.get("known_on"),
            text=body.validated_data["text"],
            now=arrival_time(request),
        )
        return Response(ObjectionSerializer(filed).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionAnswerSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The bureau's answer: upheld (an action must follow) or not."""
        objection = self.get_object()
        require(can_answer_objection(request.user, objection))
        body = ObjectionAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answered = objections.objection_answer(
            objection=objection,
            actor=acting_user(request),
            now=arrival_time(request),
            **body.validated_data,
        )
        return Response(ObjectionSerializer(answered).data)

    @extend_schema(request=RemedySerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def remedy(self, request: Request, pk: str | None = None) -> Response:
        """What the upheld objection leads to (财政部令第94号第16条)."""
        objection = self.get_object()
        require(can_answer_objection(request.user, objection))
        body = RemedySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        acted = objections.objection_remedy(
            objection=objection, actor=acting_user(request), **body.validated_data
        )
        return Response(ObjectionSerializer(acted).data)

    @extend_schema(request=ComplaintFileSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def complain(self, request: Request, pk: str | None = None) -> Response:
        """投诉 to the finance department within 15 working days (政府采购法第55条)."""
        objection = self.get_object()
        require(may_complain(request.user, objection))
        body = ComplaintFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objections.complaint_file(
            objection=objection,
            actor=acting_user(request),
            now=arrival_time(request),
            **body.validated_data,
        )
        objection.refresh_from_db()
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    def _complaint(self, objection: Objection) -> Complaint:
        complaint = Complaint.objects.filter(objection=objection).first()
        if complaint is None:
            raise Http404
        require(can_record_complaint_decision(self.request.user, complaint))
        return complaint

    @extend_schema(request=ComplaintDecisionSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"], url_path="complaint-decision")
    def complaint_decision(self, request: Request, pk: str | None = None) -> Response:
        """The finance department's written decision (投诉处理决定书), as given."""
        objection = self.get_object()
        complaint = self._complaint(objection)
        body = ComplaintDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objections.complaint_decide(
            complaint=complaint, actor=acting_user(request), **body.validated_data
        )
        objection.refresh_from_db()
        return Response(ObjectionSerializer(objection).data)

    @extend_schema(request=SuspensionSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"], url_path="complaint-suspension")
    def complaint_suspension(self, request: Request, pk: str | None = None) -> Response:
        """The finance department suspends the purchase while it decides (政府采购法第57条)."""
        objection = self.get_object()
        complaint = self._complaint(objection)
        body = SuspensionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objections.complaint_suspend(
            complaint=complaint, actor=acting_user(request), **body.validated_data
        )
        objection.refresh_from_db()
        return Response(ObjectionSerializer(objection).data)
