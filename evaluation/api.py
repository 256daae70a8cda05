"""Read-only REST API for evaluations and their confirmed results."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from evaluation.models import Evaluation, Grade
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
