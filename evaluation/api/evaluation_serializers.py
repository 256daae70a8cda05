"""The request and answer bodies of the /evaluations/ endpoints; evaluation.api.evaluations holds
the viewset."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization, User
from core.api import ChoiceLabelField
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
from funds.models import Milestone
from procurement.models import Contract
from projects.models import ServiceProject


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    state_display = ChoiceLabelField("state")
    grade_display = ChoiceLabelField("grade")
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
