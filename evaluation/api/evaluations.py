"""/evaluations/: one viewset from commission to result — the bureau commissions, confirms,
publishes and may return a result; the assessor lead assigns assessors, starts scoring,
compares the sheets and consolidates; assessors declare, score and submit; the NGO appeals.

Who may act is asked first (403 with the reason); the service checks the rest of the rule
(state, the assessors' organisation, the override justifications) and answers 409 or 400."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from evaluation import selectors, services
from evaluation.api.evaluation_serializers import (
    AppealSerializer,
    AssignmentSerializer,
    AssignSerializer,
    CommissionSerializer,
    ComparisonSerializer,
    ConsolidateSerializer,
    DeclareSerializer,
    EvaluationSerializer,
    EvidenceUploadSerializer,
    ReReviewSerializer,
    ResultSerializer,
    ReturnSerializer,
    SheetSaveSerializer,
    SheetSerializer,
)
from evaluation.consolidation import from_hundredths
from evaluation.forms import check_evidence
from evaluation.models import (
    Evaluation,
    EvaluationResult,
    ScoreSheet,
)
from evaluation.permissions import (
    can_commission_evaluation,
    can_lead_evaluation,
    can_view_comparison,
    can_view_result,
    visible_evaluations_q,
)
from projects.permissions import can_view_project


def _decisions(data: dict[str, Any]) -> dict[int, services.LeafDecision]:
    return {
        d["indicator"]: services.LeafDecision(note=d["note"], score=d["score"], reason=d["reason"])
        for d in data["decisions"]
    }


def _result(result: EvaluationResult) -> dict[str, Any]:
    fresh = EvaluationResult.objects.select_related("evaluation").prefetch_related(
        "leaves__indicator"
    )
    return dict(ResultSerializer(fresh.get(pk=result.pk)).data)


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet[Evaluation]):
    """Evaluations from commission to result: the bureau commissions and may return a result; the
    assessor lead assigns assessors, starts scoring, compares the sheets and consolidates."""

    serializer_class = EvaluationSerializer
    filterset_fields = ["state", "project", "contract", "milestone"]

    def get_queryset(self) -> QuerySet[Evaluation]:
        # The visibility filter joins nothing that repeats a row (assignments are a subquery).
        return Evaluation.objects.filter(visible_evaluations_q(self.request.user)).order_by("-id")

    # --- the parties' actions: assessors declare, score and submit; the bureau confirms and
    # publishes; the NGO appeals

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
        sheet = ScoreSheet.objects.prefetch_related("entries__indicator", "entries__sheet").get(
            pk=sheet.pk
        )
        return Response(SheetSerializer(sheet).data)

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer}, responses=SheetSerializer
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="my-sheet/evidence",
        parser_classes=[MultiPartParser, FormParser],
    )
    def sheet_evidence(self, request: Request, pk: str | None = None) -> Response:
        """Attach an evidence file to one leaf of the caller's draft sheet (its inputs and comment
        stay); 400 when the file is not a document or image or the leaf is not on the sheet."""
        sheet = self._sheet(request, self.get_object())
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = sheet.entries.filter(indicator_id=body.validated_data["leaf"]).first()
        if entry is None:
            raise serializers.ValidationError({"leaf": [_("This leaf is not on your sheet.")]})
        upload = body.validated_data["file"]
        try:
            check_evidence(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        services.sheet_save(
            sheet=sheet,
            actor=acting_user(request),
            entries={
                entry.indicator_id: services.EntryInput(
                    inputs=dict(entry.inputs), comment=entry.comment, evidence=upload
                )
            },
        )
        fresh = ScoreSheet.objects.prefetch_related("entries__indicator", "entries__sheet")
        return Response(SheetSerializer(fresh.get(pk=sheet.pk)).data)

    @extend_schema(request=None, responses=SheetSerializer)
    @action(detail=True, methods=["post"], url_path="my-sheet/submit")
    def submit_sheet(self, request: Request, pk: str | None = None) -> Response:
        sheet = self._sheet(request, self.get_object())
        submitted = services.sheet_submit(sheet=sheet, actor=acting_user(request))
        return Response(
            SheetSerializer(
                ScoreSheet.objects.prefetch_related("entries__indicator", "entries__sheet").get(
                    pk=submitted.pk
                )
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
                    disputed=body.validated_data["disputed"],
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

    # --- commissioning, assessors, comparison and consolidation

    @extend_schema(request=CommissionSerializer, responses={201: EvaluationSerializer})
    def create(self, request: Request) -> Response:
        """委托 a third-party evaluation of a contract (or one milestone of it)."""
        body = CommissionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        project = data.pop("project")
        if not can_view_project(request.user, project):
            raise Http404
        require(can_commission_evaluation(request.user, project))
        evaluation = services.evaluation_commission(
            project=project, actor=acting_user(request), **data
        )
        return Response(self._state(evaluation), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=AssignmentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=AssignSerializer, responses={201: AssignmentSerializer(many=True)}
    )
    # An evaluation has a handful of assessors: the list is not paginated (nor filtered).
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def assessors(self, request: Request, pk: str | None = None) -> Response:
        """The assessors and their declarations; POST assigns more (the lead, before scoring)."""
        evaluation = self.get_object()
        if request.method == "POST":
            require(can_lead_evaluation(request.user, evaluation))
            body = AssignSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            created = services.assessors_assign(
                evaluation=evaluation,
                actor=acting_user(request),
                assessors=body.validated_data["assessors"],
            )
            return Response(
                AssignmentSerializer(created, many=True).data, status=status.HTTP_201_CREATED
            )
        assignments = selectors.evaluation_assignments(evaluation=evaluation)
        return Response(AssignmentSerializer(assignments, many=True).data)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Open scoring once enough assessors declared no conflict: each gets a blank sheet."""
        evaluation = self.get_object()
        return run_transition_endpoint(
            request,
            evaluation,
            "start_scoring",
            lambda: services.evaluation_start_scoring(
                evaluation=evaluation, actor=acting_user(request)
            ),
            self._state,
        )

    @extend_schema(request=None, responses=ComparisonSerializer)
    @action(detail=True, methods=["get"])
    def comparison(self, request: Request, pk: str | None = None) -> Response:
        """Every submitted sheet's score per leaf, the spread, the flag and the computed score
        (mean, or trimmed mean with enough assessors); sealed until every sheet is in."""
        evaluation = self.get_object()
        require(can_view_comparison(request.user, evaluation))
        data = services.compare(evaluation)
        body = {
            "method": data.method,
            "agreement_alpha": data.alpha,
            "spread_threshold": evaluation.spread_threshold,
            "sheets": [
                {"sheet": s.pk, "assessor": s.assessor_id, "assessor_name": str(s.assessor)}
                for s in data.sheets
            ],
            "leaves": [
                {
                    "indicator": leaf.pk,
                    "name": leaf.name,
                    "points": leaf.points,
                    "scores": [from_hundredths(v) for v in data.matrix[:, j]],
                    "computed": data.computed[j],
                    "spread": data.spread[j],
                    "flagged": data.flagged[j],
                }
                for j, leaf in enumerate(data.leaves)
            ],
            "total": sum(data.computed, Decimal("0.00")),
        }
        return Response(ComparisonSerializer(body).data)

    @extend_schema(request=ConsolidateSerializer, responses=ResultSerializer)
    @action(detail=True, methods=["post"])
    def consolidate(self, request: Request, pk: str | None = None) -> Response:
        """The lead consolidates the sheets (again, until the bureau confirms); a flagged leaf
        needs a note and an override needs its justification, else 400 naming each leaf."""
        evaluation = self.get_object()
        require(can_lead_evaluation(request.user, evaluation))
        body = ConsolidateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.evaluation_consolidate(
            evaluation=evaluation,
            actor=acting_user(request),
            decisions=_decisions(body.validated_data),
            summary=body.validated_data["summary"],
        )
        return Response(_result(result))

    @extend_schema(request=ReReviewSerializer, responses=ResultSerializer)
    @action(detail=True, methods=["post"], url_path="re-review")
    def re_review(self, request: Request, pk: str | None = None) -> Response:
        """The lead answers an appeal with a new result; the first stays in the history."""
        evaluation = self.get_object()
        require(can_lead_evaluation(request.user, evaluation))
        body = ReReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.evaluation_re_review(
            evaluation=evaluation,
            actor=acting_user(request),
            response=body.validated_data["response"],
            decisions=_decisions(body.validated_data),
            summary=body.validated_data["summary"],
        )
        return Response(_result(result))

    @extend_schema(request=ReturnSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_review(self, request: Request, pk: str | None = None) -> Response:
        """The bureau sends a consolidated result back to the lead, saying why."""
        evaluation = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            evaluation,
            "return_for_review",
            lambda: services.evaluation_return(
                evaluation=evaluation,
                actor=acting_user(request),
                note=body.validated_data["reason"],
            ),
            self._state,
        )

    @extend_schema(request=None, responses=ResultSerializer)
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str | None = None) -> Response:
        """The current consolidated result (the NGO sees it once the bureau confirms it)."""
        evaluation = self.get_object()
        require(can_view_result(request.user, evaluation))
        current = evaluation.current_result()
        if current is None:
            raise Http404
        return Response(_result(current))
