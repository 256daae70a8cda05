"""Read-only REST API for evaluations and their confirmed results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import run_transition_endpoint
from evaluation import selectors, services
from evaluation.models import Evaluation, Grade, ScoreEntry, ScoreSheet
from evaluation.permissions import visible_evaluations_q


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    # Blank until a result is consolidated, which the schema must say.
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "project",
            "contract",
            "milestone",
            "assessor_org",
            "state",
            "state_display",
            "total_score",
            "grade",
            "grade_display",
            "confirmed_at",
        ]
        read_only_fields = fields


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet[Evaluation]):
    """Evaluations the caller may see; scoring itself happens on the assessors' pages."""

    serializer_class = EvaluationSerializer
    filterset_fields = ["state", "project", "contract", "milestone"]

    def get_queryset(self) -> QuerySet[Evaluation]:
        # The visibility filter joins assignments; a pk subquery keeps one row per evaluation.
        visible = Evaluation.objects.filter(visible_evaluations_q(self.request.user)).values("pk")
        return Evaluation.objects.filter(pk__in=visible).order_by("-id")


class EntryInSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField()
    inputs = serializers.DictField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SheetSaveSerializer(serializers.Serializer[Any]):
    entries = EntryInSerializer(many=True)


class SheetEntrySerializer(serializers.ModelSerializer[ScoreEntry]):
    name = serializers.CharField(source="indicator.name", read_only=True)
    method = serializers.CharField(source="indicator.method", read_only=True)
    points = serializers.DecimalField(
        source="indicator.points", max_digits=6, decimal_places=2, read_only=True
    )

    class Meta:
        model = ScoreEntry
        fields = ["indicator", "name", "method", "points", "inputs", "score", "comment"]
        read_only_fields = fields


class SheetSerializer(serializers.ModelSerializer[ScoreSheet]):
    entries = SheetEntrySerializer(many=True, read_only=True)

    class Meta:
        model = ScoreSheet
        fields = ["id", "evaluation", "state", "submitted_at", "entries"]
        read_only_fields = fields


class DeclareSerializer(serializers.Serializer[Any]):
    conflict = serializers.BooleanField()
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class AppealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class EvaluationActionsViewSet(EvaluationViewSet):
    """Evaluations with the actions of each party: assessors declare, score and submit; the
    bureau confirms and publishes; the NGO appeals. Consolidation stays with the lead's page."""

    def _sheet(self, request: Request, evaluation: Evaluation) -> ScoreSheet:
        sheet = selectors.sheet_for(evaluation=evaluation, user=request.user)
        if sheet is None:
            raise Http404
        return sheet

    @extend_schema(methods=["GET"], responses=SheetSerializer)
    @extend_schema(methods=["POST"], request=SheetSaveSerializer, responses=SheetSerializer)
    @action(detail=True, methods=["get", "post"], url_path="my-sheet")
    def my_sheet(self, request: Request, pk: str | None = None) -> Response:
        """The caller's own score sheet; POST saves a draft (each leaf's score computed from its inputs)."""
        evaluation = self.get_object()
        sheet = self._sheet(request, evaluation)
        if request.method == "POST":
            body = SheetSaveSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            entries = {
                e["indicator"]: services.EntryInput(inputs=e["inputs"], comment=e["comment"])
                for e in body.validated_data["entries"]
            }
            services.sheet_save(sheet=sheet, actor=acting_user(request), entries=entries)
        sheet = ScoreSheet.objects.prefetch_related("entries__indicator").get(pk=sheet.pk)
        return Response(SheetSerializer(sheet).data)

    @extend_schema(request=None, responses=SheetSerializer)
    @action(detail=True, methods=["post"], url_path="my-sheet/submit")
    def submit_sheet(self, request: Request, pk: str | None = None) -> Response:
        sheet = self._sheet(request, self.get_object())
        submitted = services.sheet_submit(sheet=sheet, actor=acting_user(request))
        return Response(
            SheetSerializer(
                ScoreSheet.objects.prefetch_related("entries__indicator").get(pk=submitted.pk)
            ).data
        )

    @extend_schema(request=DeclareSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def declare(self, request: Request, pk: str | None = None) -> Response:
        """Declare conflicts of interest before seeing anything; a conflict withdraws the assessor."""
        evaluation = self.get_object()
        assignment = (
            evaluation.assignments.filter(assessor=acting_user(request)).order_by("-id").first()
        )
        if assignment is None:
            raise Http404
        body = DeclareSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.assessor_declare(
            assignment=assignment, actor=acting_user(request), **body.validated_data
        )
        return Response(EvaluationSerializer(Evaluation.objects.get(pk=evaluation.pk)).data)

    def _state(self, evaluation: Any) -> dict[str, Any]:
        return dict(EvaluationSerializer(Evaluation.objects.get(pk=evaluation.pk)).data)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        return run_transition_endpoint(
            request,
            evaluation,
            "confirm",
            lambda: services.evaluation_confirm(evaluation=evaluation, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=AppealSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        body = AppealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            evaluation,
            "appeal",
            lambda: (
                services.evaluation_appeal(
                    evaluation=evaluation,
                    actor=acting_user(request),
                    reason=body.validated_data["reason"],
                ).evaluation
            ),
            self._state,
        )

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        return run_transition_endpoint(
            request,
            evaluation,
            "publish",
            lambda: services.evaluation_publish(evaluation=evaluation, actor=acting_user(request)),
            self._state,
        )
