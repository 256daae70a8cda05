"""Read-only REST API for evaluations and their confirmed results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import Organization, User
from core.api import require, run_transition_endpoint
from core.uploads import validate_upload
from evaluation import selectors, services
from evaluation.consolidation import from_hundredths
from evaluation.forms import check_evidence
from evaluation.indicators import load_template
from evaluation.models import (
    AssessorAssignment,
    Evaluation,
    EvaluationKind,
    EvaluationResult,
    Grade,
    IndicatorSystem,
    LeafResult,
    ScoreEntry,
    ScoreSheet,
)
from evaluation.permissions import (
    can_commission_evaluation,
    can_create_system,
    can_lead_evaluation,
    can_manage_system,
    can_view_comparison,
    can_view_result,
    visible_evaluations_q,
)
from evaluation.resources import export_rows, export_system
from funds.models import Milestone
from procurement.models import Contract
from projects.models import ServiceProject
from projects.permissions import can_view_project


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
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = ScoreEntry
        fields = [
            "indicator",
            "name",
            "method",
            "points",
            "inputs",
            "score",
            "comment",
            "evidence_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_url(self, entry: ScoreEntry) -> str | None:
        """Where the leaf's evidence file is downloaded (as secret as the sheet); null if none."""
        if not entry.evidence_file:
            return None
        return reverse("evaluation:evidence_file", args=[entry.sheet.evaluation_id, entry.pk])


class SheetSerializer(serializers.ModelSerializer[ScoreSheet]):
    entries = SheetEntrySerializer(many=True, read_only=True)

    class Meta:
        model = ScoreSheet
        fields = ["id", "evaluation", "state", "submitted_at", "entries"]
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    leaf = serializers.IntegerField(min_value=1, help_text="The leaf indicator the file supports.")
    file = serializers.FileField(
        help_text="PDF, JPG, PNG, Word or Excel, at most 10 MB; replaces the leaf's earlier file."
    )


class DeclareSerializer(serializers.Serializer[Any]):
    conflict = serializers.BooleanField()
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class AppealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
    disputed = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        help_text="Ids of the scored indicators the appeal disputes.",
    )


class EvaluationActionsViewSet(EvaluationViewSet):
    """Evaluations with the actions of each party: assessors declare, score and submit; the
    bureau confirms and publishes; the NGO appeals."""

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


# --- commissioning, assessors, comparison and consolidation -------------------------------------
#
# Who may act is asked first (403 with the reason); the service checks the rest of the rule
# (state, the assessors' organisation, the override justifications) and answers 409 or 400.


class CommissionSerializer(serializers.Serializer[Any]):
    project = serializers.PrimaryKeyRelatedField(queryset=ServiceProject.objects.all())
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave empty to evaluate the whole contract.",
    )
    kind = serializers.ChoiceField(choices=EvaluationKind.choices, default=EvaluationKind.MID_TERM)
    system = serializers.PrimaryKeyRelatedField(
        queryset=IndicatorSystem.objects.all(), help_text="A published indicator system."
    )
    assessor_org = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    lead = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text="An assessor of the assessor organisation."
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    min_assessors = serializers.IntegerField(min_value=3, max_value=50, default=3)
    spread_threshold = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("1"),
        max_value=Decimal("100"),
        default=Decimal("30.00"),
        help_text="A leaf whose assessors differ by more than this per cent of its points is flagged.",
    )


class AssignmentSerializer(serializers.ModelSerializer[AssessorAssignment]):
    assessor_name = serializers.CharField(source="assessor.__str__", read_only=True)

    class Meta:
        model = AssessorAssignment
        fields = ["id", "assessor", "assessor_name", "state", "declared_at", "assigned_at"]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer[Any]):
    assessors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        many=True,
        allow_empty=False,
        help_text="Assessors of the commissioned organisation; each then declares conflicts.",
    )


class ComparisonLeafSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    scores = serializers.ListField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2),
        help_text="One score per submitted sheet, in the order of `sheets`.",
    )
    computed = serializers.DecimalField(max_digits=6, decimal_places=2)
    spread = serializers.DecimalField(max_digits=6, decimal_places=2)
    flagged = serializers.BooleanField(
        help_text="The assessors differ by more than the threshold: consolidating needs a note."
    )


class ComparisonSheetSerializer(serializers.Serializer[Any]):
    sheet = serializers.IntegerField()
    assessor = serializers.IntegerField()
    assessor_name = serializers.CharField()


class ComparisonSerializer(serializers.Serializer[Any]):
    # A plain string: a second choice set named "method" (besides the tender's) would make the
    # schema's enum names collide.
    method = serializers.CharField(help_text="mean, or trimmed_mean with enough assessors.")
    agreement_alpha = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    spread_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    sheets = ComparisonSheetSerializer(many=True)
    leaves = ComparisonLeafSerializer(many=True)
    total = serializers.DecimalField(max_digits=6, decimal_places=2)


class LeafDecisionSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField(min_value=1)
    score = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="An override of the computed score (needs a note).",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="The discussion note (required on a flagged leaf) or the override's justification.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="Why the leaf changes from the previous result (required in a re-review for a "
        "leaf the appeal did not dispute). Leaves left out keep the previous note and override.",
    )


class ConsolidateSerializer(serializers.Serializer[Any]):
    decisions = LeafDecisionSerializer(many=True, required=False, default=list)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

    def validate_decisions(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [d["indicator"] for d in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Each indicator appears once in the decisions."))
        return value


class ReReviewSerializer(ConsolidateSerializer):
    response = serializers.CharField(max_length=10000, help_text="The answer to the appeal.")


class ReturnSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=4000, help_text="Why the result goes back to the lead."
    )


class LeafResultSerializer(serializers.ModelSerializer[LeafResult]):
    name = serializers.CharField(source="indicator.name", read_only=True)

    class Meta:
        model = LeafResult
        fields = [
            "indicator",
            "name",
            "score",
            "computed",
            "spread",
            "flagged",
            "overridden",
            "note",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer[EvaluationResult]):
    evaluation_state = serializers.CharField(source="evaluation.state", read_only=True)
    # Plain strings, as on the comparison: see ComparisonSerializer.method.
    method = serializers.CharField(read_only=True, help_text="mean or trimmed_mean.")
    leaves = LeafResultSerializer(many=True, read_only=True)

    class Meta:
        model = EvaluationResult
        fields = [
            "id",
            "evaluation",
            "evaluation_state",
            "round",
            "total",
            "grade",
            "method",
            "assessor_count",
            "agreement_alpha",
            "summary",
            "consolidated_at",
            "confirmed_at",
            "leaves",
        ]
        read_only_fields = fields


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


class EvaluationWorkflowViewSet(EvaluationActionsViewSet):
    """Evaluations from commission to result: the bureau commissions and may return a result; the
    assessor lead assigns assessors, starts scoring, compares the sheets and consolidates."""

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


# --- indicator systems: workbook import and export ----------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_MAX_BYTES = 5 * 1024 * 1024


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _workbook(upload: Any) -> bytes:
    """The upload's bytes once it is checked to be a sane .xlsx (size, type, zip bomb)."""
    validate_upload(upload, kinds={"xlsx"}, max_bytes=WORKBOOK_MAX_BYTES)
    return bytes(upload.read())


class IndicatorSystemSerializer(serializers.ModelSerializer[IndicatorSystem]):
    # Null for the templates shipped with Sanshe, which no bureau owns.
    owner_name = serializers.CharField(
        source="owner.name", read_only=True, default=None, allow_null=True
    )
    leaf_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = IndicatorSystem
        fields = [
            "id",
            "code",
            "name",
            "version",
            "owner",
            "owner_name",
            "description",
            "state",
            "published_at",
            "created_at",
            "leaf_count",
        ]
        read_only_fields = fields


class SystemImportSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    code = serializers.SlugField(
        max_length=36, help_text="Importing again with the same code makes the next version."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    workbook = serializers.FileField(
        help_text="An .xlsx with the columns of the export (指标路径, 分值, 评分方法 …)."
    )


class WorkbookSerializer(serializers.Serializer[Any]):
    workbook = serializers.FileField(help_text="An .xlsx with the columns of the export.")


class IndicatorSystemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[IndicatorSystem]
):
    """绩效评价指标体系: published systems for everyone, drafts for their bureau. A bureau imports a
    workbook as a new draft (or next version), replaces a draft's tree, publishes it; anyone who
    sees a system downloads it as the same workbook."""

    serializer_class = IndicatorSystemSerializer
    filterset_fields = ["state", "code", "owner"]
    search_fields = ["name", "code"]

    def get_queryset(self) -> QuerySet[IndicatorSystem]:
        return selectors.system_list(user=self.request.user)

    def _state(self, system: Any) -> dict[str, Any]:
        return dict(IndicatorSystemSerializer(self.get_queryset().get(pk=system.pk)).data)

    @extend_schema(
        request={"multipart/form-data": SystemImportSerializer},
        responses={201: IndicatorSystemSerializer},
    )
    def create(self, request: Request) -> Response:
        """Import a workbook as a draft; 400 lists every problem (rows as numbered in Excel) and
        nothing is saved."""
        require(can_create_system(request.user))
        body = SystemImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        system = services.system_import(
            actor=acting_user(request),
            content=_workbook(data["workbook"]),
            name=data["name"],
            code=data["code"],
            description=data["description"],
        )
        return Response(self._state(system), status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": WorkbookSerializer}, responses=IndicatorSystemSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def replace(self, request: Request, pk: str | None = None) -> Response:
        """Replace a draft's indicators from a workbook (all or nothing); a published version is
        frozen (409)."""
        system = self.get_object()
        require(can_manage_system(request.user, system))
        body = WorkbookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.system_replace(
            system=system,
            actor=acting_user(request),
            content=_workbook(body.validated_data["workbook"]),
        )
        return Response(self._state(system))

    @extend_schema(request=None, responses=IndicatorSystemSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Freeze a valid draft so evaluations can use it."""
        system = self.get_object()
        return run_transition_endpoint(
            request,
            system,
            "publish",
            lambda: services.system_publish(system=system, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses={201: IndicatorSystemSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """Start the next draft version of a published system in the caller's bureau (a copy of
        its tree); a draft cannot be the base of a new version (409)."""
        system = self.get_object()
        require(can_create_system(request.user))
        new = services.system_new_version(system=system, actor=acting_user(request))
        return Response(self._state(new), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The system as a workbook, in the format the import reads."""
        system = self.get_object()
        return _xlsx(
            export_system(system.indicators.all()), f"{system.code}-v{system.version}.xlsx"
        )

    @extend_schema(request=None, responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def frame(self, request: Request) -> HttpResponse:
        """The default 一级/二级 frame as a workbook to fill in with 三级 indicators."""
        return _xlsx(export_rows(load_template("default_frame")["rows"]), "default-frame.xlsx")
