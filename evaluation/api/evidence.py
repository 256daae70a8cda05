"""/evaluations/{id}/evidence/ and beside it: what stands behind a score — evidence and computed
figures, contract targets, the NGO's self-evaluation, the satisfaction survey and the change
history. A viewset of its own on the evaluations' prefix (router basename
"evaluation-evidence").

The same permission functions as the pages; 404 for an evaluation the caller may not see,
403 with the reason for an action they may not take, 400 for bad input naming the field, 409
when the state forbids it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require
from evaluation import computed, participation, selectors, sources
from evaluation.models import Evaluation
from evaluation.permissions import (
    can_draw_survey,
    can_record_survey_answer,
    can_self_evaluate,
    can_set_contract_targets,
    can_view_changes,
    can_view_evidence,
    can_view_self_evaluation,
    can_view_survey,
    visible_evaluations_q,
)
from evaluation.records import (
    ChangeRecord,
    ComputedIndicator,
    ContractTarget,
    Satisfaction,
    SelfEvaluation,
    SurveyHousehold,
    SurveyMode,
)


class FigureSerializer(serializers.ModelSerializer[ComputedIndicator]):
    indicator_name = serializers.CharField(source="indicator.name")

    class Meta:
        model = ComputedIndicator
        fields = [
            "indicator",
            "indicator_name",
            "measure",
            "value",
            "target",
            "target_source",
            "how",
        ]


class TargetSerializer(serializers.ModelSerializer[ContractTarget]):
    class Meta:
        model = ContractTarget
        fields = ["measure", "value", "basis", "recorded_at"]


class TargetInSerializer(serializers.Serializer[Any]):
    measure = serializers.CharField(
        help_text="One of the counted measures: " + ", ".join(sources.CONTRACT_TARGET_MEASURES)
    )
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    basis = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SectionSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField())
    link = serializers.CharField()
    note = serializers.CharField()


class EvidenceSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField()
    targets = TargetSerializer(many=True)
    figures = FigureSerializer(many=True)
    sections = SectionSerializer(many=True)
    self_evaluation_total = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True
    )


class SelfScoreInSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField(min_value=1)
    inputs = serializers.DictField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class SelfEvaluationInSerializer(serializers.Serializer[Any]):
    entries = SelfScoreInSerializer(many=True)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    submit = serializers.BooleanField(required=False, default=False)


class SelfEvaluationSerializer(serializers.ModelSerializer[SelfEvaluation]):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = SelfEvaluation
        fields = ["summary", "total", "submitted_at", "scores"]

    def get_scores(self, obj: SelfEvaluation) -> list[dict[str, Any]]:
        return [
            {
                "indicator": s.indicator_id,
                "inputs": s.inputs,
                "score": s.score,
                "comment": s.comment,
            }
            for s in obj.scores.all()
        ]


class HouseholdSerializer(serializers.ModelSerializer[SurveyHousehold]):
    class Meta:
        model = SurveyHousehold
        fields = [
            "id",
            "position",
            "reference",
            "village",
            "mode",
            "reached",
            "overall",
            "would_recommend",
            "improvement",
        ]


class SurveySerializer(serializers.Serializer[Any]):
    population = serializers.IntegerField()
    sample = serializers.IntegerField()
    answered = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    margin = serializers.DecimalField(max_digits=5, decimal_places=1)
    how = serializers.CharField()
    households = HouseholdSerializer(many=True)


class DrawSerializer(serializers.Serializer[Any]):
    size = serializers.IntegerField(min_value=1)


class SurveyAnswerSerializer(serializers.Serializer[Any]):
    household = serializers.IntegerField(min_value=1)
    mode = serializers.ChoiceField(choices=SurveyMode.choices)
    reached = serializers.BooleanField()
    overall = serializers.ChoiceField(choices=Satisfaction.choices, required=False, default="")
    would_recommend = serializers.BooleanField(required=False, allow_null=True, default=None)
    improvement = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )


class ChangeSerializer(serializers.ModelSerializer[ChangeRecord]):
    actor = serializers.CharField(source="actor.__str__")

    class Meta:
        model = ChangeRecord
        fields = ["at", "actor", "kind", "sheet", "indicator", "round", "before", "after", "reason"]


class EvaluationEvidenceViewSet(viewsets.GenericViewSet[Evaluation]):
    """What the assessors score from, and what they and the NGO add beside the sheets."""

    serializer_class = EvidenceSerializer

    def get_queryset(self) -> QuerySet[Evaluation]:
        visible = Evaluation.objects.filter(visible_evaluations_q(self.request.user)).values("pk")
        return Evaluation.objects.filter(pk__in=visible).select_related(
            "contract__project", "milestone", "system"
        )

    @extend_schema(responses=EvidenceSerializer)
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """Contract targets, figures computed as at the cut-off (with how), deliverables,
        service-record totals and case-file counts (never names)."""
        evaluation = self.get_object()
        require(can_view_evidence(request.user, evaluation))
        as_of = evaluation.as_of()
        own = SelfEvaluation.objects.filter(
            evaluation=evaluation, submitted_at__isnull=False
        ).first()
        data = {
            "as_of": as_of,
            "targets": computed.contract_targets(contract=evaluation.contract).values(),
            "figures": list(computed.computed_for(evaluation=evaluation).values()),
            "sections": [vars(s) for s in sources.evidence(evaluation, as_of)],
            "self_evaluation_total": own.total
            if own and can_view_self_evaluation(request.user, evaluation)
            else None,
        }
        return Response(EvidenceSerializer(data).data)

    @extend_schema(request=TargetInSerializer, responses={201: TargetSerializer})
    @action(detail=True, methods=["post"], url_path="contract-targets")
    def contract_targets(self, request: Request, pk: str | None = None) -> Response:
        """The bureau records a quantity the contract commits the NGO to."""
        evaluation = self.get_object()
        require(can_set_contract_targets(request.user, evaluation.contract))
        body = TargetInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = computed.contract_target_set(
            contract=evaluation.contract, actor=acting_user(request), **body.validated_data
        )
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=SelfEvaluationSerializer)
    @extend_schema(
        methods=["POST"], request=SelfEvaluationInSerializer, responses=SelfEvaluationSerializer
    )
    @action(detail=True, methods=["get", "post"], url_path="self-evaluation")
    def self_evaluation(self, request: Request, pk: str | None = None) -> Response:
        """自评: the NGO saves or submits before scoring starts; others read it once submitted."""
        evaluation = self.get_object()
        if request.method == "POST":
            require(can_self_evaluate(request.user, evaluation))
            body = SelfEvaluationInSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            own = participation.self_evaluation_save(
                evaluation=evaluation,
                actor=acting_user(request),
                entries={
                    e["indicator"]: (e["inputs"], e["comment"])
                    for e in body.validated_data["entries"]
                },
                summary=body.validated_data["summary"],
                submit=body.validated_data["submit"],
            )
            return Response(SelfEvaluationSerializer(own).data)
        require(can_view_self_evaluation(request.user, evaluation))
        own = get_object_or_404(SelfEvaluation, evaluation=evaluation)
        ngo = acting_user(request).organization_id == evaluation.contract.supplier_id
        if not own.is_submitted and not ngo:
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(SelfEvaluationSerializer(own).data)

    def _survey(self, evaluation: Evaluation) -> Response:
        result = participation.survey_result(evaluation=evaluation)
        if result is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        data = vars(result) | {
            "households": SurveyHousehold.objects.filter(survey__evaluation=evaluation)
        }
        return Response(SurveySerializer(data).data)

    @extend_schema(responses=SurveySerializer)
    @action(detail=True, methods=["get"])
    def survey(self, request: Request, pk: str | None = None) -> Response:
        """The sample (masked households), the answers and 满意度 with its margin."""
        evaluation = self.get_object()
        require(can_view_survey(request.user, evaluation))
        return self._survey(evaluation)

    @extend_schema(request=DrawSerializer, responses={201: SurveySerializer})
    @action(detail=True, methods=["post"], url_path="survey/draw")
    def survey_draw(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        require(can_draw_survey(request.user, evaluation))
        body = DrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        participation.survey_draw(
            evaluation=evaluation, actor=acting_user(request), size=body.validated_data["size"]
        )
        response = self._survey(evaluation)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=SurveyAnswerSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"], url_path="survey/answers")
    def survey_answer(self, request: Request, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        require(can_record_survey_answer(request.user, evaluation))
        body = SurveyAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        household = get_object_or_404(
            SurveyHousehold, pk=data.pop("household"), survey__evaluation=evaluation
        )
        participation.survey_answer(household=household, actor=acting_user(request), **data)
        return self._survey(evaluation)

    @extend_schema(responses=ChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def changes(self, request: Request, pk: str | None = None) -> Response:
        """Every version of every entry, note and override (others' sheets sealed while scoring)."""
        evaluation = self.get_object()
        require(can_view_changes(request.user, evaluation))
        rows = selectors.change_history(evaluation=evaluation, user=request.user)
        return Response(ChangeSerializer(rows, many=True).data)
