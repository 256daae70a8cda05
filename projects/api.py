"""REST API for service projects: the same selectors, services and permissions as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import ChoiceLabelField, require, run_transition_endpoint
from core.models import TransitionLog
from projects import selectors, services
from projects.models import BeneficiaryCategory, ServiceProject, TargetGroup
from projects.permissions import can_change_project, can_create_project, visible_projects_q


class TargetGroupSerializer(serializers.ModelSerializer[TargetGroup]):
    category = serializers.ChoiceField(choices=BeneficiaryCategory.choices)

    class Meta:
        model = TargetGroup
        fields = ["category", "count"]


class ProjectSerializer(serializers.ModelSerializer[ServiceProject]):
    target_groups = TargetGroupSerializer(many=True)
    bureau_name = serializers.CharField(source="bureau.name", read_only=True)
    state_display = ChoiceLabelField("state")

    class Meta:
        model = ServiceProject
        fields = [
            "id",
            "code",
            "title",
            "bureau",
            "bureau_name",
            "category",
            "region",
            "budget",
            "fund_source",
            "period_start",
            "period_end",
            "description",
            "performance_targets",
            "target_groups",
            "state",
            "state_display",
            "termination_reason",
            "approved_at",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "code",
            "bureau",
            "state",
            "termination_reason",
            "approved_at",
            "created_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"period_end": "服务期结束日期不得早于开始日期。"})
        categories = [t["category"] for t in attrs.get("target_groups", [])]
        if len(categories) != len(set(categories)):
            raise serializers.ValidationError(
                {"target_groups": _("Each beneficiary category may appear only once.")}
            )
        return attrs


class TransitionLogSerializer(serializers.ModelSerializer[TransitionLog]):
    actor: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = TransitionLog
        fields = ["transition", "source_state", "target_state", "actor", "at", "note"]


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class ProjectFilter(filters.FilterSet):
    year = filters.NumberFilter(method="filter_year", label="year", min_value=1900, max_value=2200)

    class Meta:
        model = ServiceProject
        fields = ["state", "category", "fund_source", "bureau"]

    def filter_year(
        self, qs: QuerySet[ServiceProject], name: str, value: int
    ) -> QuerySet[ServiceProject]:
        return qs.filter(period_start__year__lte=value, period_end__year__gte=value)


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[ServiceProject],
):
    """Service projects (购买服务项目) the caller may see."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ["title", "code", "region", "bureau__name"]
    ordering_fields = ["created_at", "budget", "period_start"]

    def get_queryset(self) -> QuerySet[ServiceProject]:
        return (
            ServiceProject.objects.filter(visible_projects_q(self.request.user))
            .select_related("bureau")
            .prefetch_related("target_groups")
            .order_by("-created_at", "-id")
        )

    def perform_create(self, serializer: serializers.BaseSerializer[ServiceProject]) -> None:
        require(can_create_project(self.request.user))
        data = dict(serializer.validated_data)
        targets = [(t["category"], t["count"]) for t in data.pop("target_groups", [])]
        serializer.instance = services.project_create(
            actor=acting_user(self.request),
            targets=targets,
            **data,
        )

    def perform_update(self, serializer: serializers.BaseSerializer[ServiceProject]) -> None:
        project = self.get_object()
        require(can_change_project(self.request.user, project))
        data = dict(serializer.validated_data)
        groups = data.pop("target_groups", None)
        targets = None if groups is None else [(t["category"], t["count"]) for t in groups]
        serializer.instance = services.project_update(
            project=project,
            actor=acting_user(self.request),
            targets=targets,
            **data,
        )

    def _state(self, project: Any) -> dict[str, Any]:
        project.refresh_from_db()
        return dict(ProjectSerializer(project).data)

    @extend_schema(request=NoteSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """立项: draft → approved."""
        project = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            project,
            "approve",
            lambda: services.project_approve(
                project=project,
                actor=acting_user(request),
                note=body.validated_data["note"],
            ),
            self._state,
        )

    @extend_schema(request=ReasonSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str | None = None) -> Response:
        """Terminate the project with a reason."""
        project = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            project,
            "terminate",
            lambda: services.project_terminate(
                project=project,
                actor=acting_user(request),
                reason=body.validated_data["reason"],
            ),
            self._state,
        )

    @extend_schema(responses=TransitionLogSerializer(many=True))
    # One project's log, oldest first and complete: a plain list, not paginated (nor filtered).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The project's transition log, oldest first."""
        project = self.get_object()
        entries = selectors.project_timeline(project=project)
        return Response(TransitionLogSerializer(entries, many=True).data)
