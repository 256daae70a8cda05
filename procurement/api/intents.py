"""/procurement-intents/: the public 采购意向."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from procurement import publication
from procurement.models import (
    ProcurementIntent,
)
from projects.models import ServiceProject
from projects.permissions import can_view_project


class IntentSerializer(serializers.ModelSerializer[ProcurementIntent]):
    class Meta:
        model = ProcurementIntent
        fields = ["id", "project", "published_on", "summary", "budget", "planned_month"]
        read_only_fields = ["id", "published_on"]


class ProcurementIntentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProcurementIntent]
):
    """采购意向: public once published; the bureau publishes one per project ≥ 30 days before
    its tender (财库〔2020〕10号)."""

    serializer_class = IntentSerializer
    filterset_fields = ["project"]
    permission_classes: list[Any] = []  # public, like the notices
    queryset = ProcurementIntent.objects.none()

    def get_queryset(self) -> QuerySet[ProcurementIntent]:
        return ProcurementIntent.objects.select_related("project").order_by("-published_on", "-id")

    def get_permissions(self) -> list[Any]:

        return (
            [AllowAny()]
            if self.request.method in ("GET", "HEAD", "OPTIONS")
            else [IsAuthenticated()]
        )

    @extend_schema(request=IntentSerializer, responses={201: IntentSerializer})
    def create(self, request: Request) -> Response:
        body = IntentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project: ServiceProject = body.validated_data["project"]
        if not can_view_project(request.user, project):
            raise Http404
        intent = publication.intent_publish(
            project=project,
            actor=acting_user(request),
            summary=body.validated_data["summary"],
            budget=body.validated_data["budget"],
            planned_month=body.validated_data["planned_month"],
        )
        return Response(IntentSerializer(intent).data, status=status.HTTP_201_CREATED)
