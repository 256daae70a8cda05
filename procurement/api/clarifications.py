"""/clarifications/: 答疑澄清 on a tender."""

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
from procurement import services
from procurement.models import (
    Clarification,
    Tender,
)
from procurement.permissions import (
    can_manage_tender,
    can_view_tender,
    may_ask_clarification,
    visible_tenders_q,
)


def _visible_tender(user: Any, tender: Tender) -> Tender:
    """A tender named in a request body: one the caller may not see does not exist (404)."""
    if not can_view_tender(user, tender):
        raise Http404
    return tender


class ClarificationSerializer(serializers.ModelSerializer[Clarification]):
    # Who asked is not shown: before the opening, bidders' names stay confidential.
    class Meta:
        model = Clarification
        fields = ["id", "tender", "question", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class ClarificationAskSerializer(serializers.Serializer[Any]):
    tender = serializers.PrimaryKeyRelatedField(queryset=Tender.objects.all())
    question = serializers.CharField(max_length=5000)


class AnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=5000)


class ClarificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Clarification]
):
    """答疑澄清: a social organisation asks while the tender is open; the bureau answers publicly."""

    serializer_class = ClarificationSerializer
    filterset_fields = ["tender"]

    def get_queryset(self) -> QuerySet[Clarification]:
        tenders = Tender.objects.filter(visible_tenders_q(self.request.user)).values("pk")
        return Clarification.objects.filter(tender__in=tenders).order_by("tender_id", "asked_at")

    @extend_schema(request=ClarificationAskSerializer, responses={201: ClarificationSerializer})
    def create(self, request: Request) -> Response:
        """Ask a question before the clarification deadline (409 after it or once bids close)."""
        body = ClarificationAskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tender = _visible_tender(request.user, body.validated_data["tender"])
        require(may_ask_clarification(request.user, tender))
        asked = services.clarification_ask(
            tender=tender, actor=acting_user(request), question=body.validated_data["question"]
        )
        return Response(ClarificationSerializer(asked).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=ClarificationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The bureau's answer, published to every bidder with the question."""
        item = self.get_object()
        require(can_manage_tender(request.user, item.tender))
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answered = services.clarification_answer(
            clarification=item, actor=acting_user(request), answer=body.validated_data["answer"]
        )
        return Response(ClarificationSerializer(answered).data)
