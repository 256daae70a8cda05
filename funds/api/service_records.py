"""/service-records/: counts-only service records; the supplier adds, imports and corrects its own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from funds import imports, services
from funds.models import (
    ServiceRecord,
    ServiceType,
)
from funds.permissions import (
    may_add_service_records,
    visible_service_records_q,
)
from procurement.models import Contract
from projects.models import BeneficiaryCategory


class ServiceRecordSerializer(serializers.ModelSerializer[ServiceRecord]):
    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "contract",
            "date",
            "place",
            "service_type",
            "beneficiary_category",
            "beneficiary_count",
            "hours",
            "social_worker",
            "worker",
            "state",
        ]
        read_only_fields = fields


class ServiceRecordInSerializer(serializers.ModelSerializer[ServiceRecord]):
    class Meta:
        model = ServiceRecord
        fields = [
            "contract",
            "date",
            "place",
            "service_type",
            "beneficiary_category",
            "beneficiary_count",
            "hours",
            "social_worker",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        contract = attrs["contract"]
        if not (contract.start_date <= attrs["date"] <= contract.current_end_date):
            raise serializers.ValidationError({"date": _("The date is outside the contract term.")})
        return attrs


class ServiceRecordCorrectSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)
    date = serializers.DateField(required=False)
    place = serializers.CharField(max_length=100, required=False)
    service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    beneficiary_category = serializers.ChoiceField(
        choices=BeneficiaryCategory.choices, required=False
    )
    beneficiary_count = serializers.IntegerField(min_value=1, required=False)
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("24"),
        required=False,
    )
    social_worker = serializers.CharField(max_length=50, required=False)


class ServiceRecordReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class ServiceRecordImportSerializer(serializers.Serializer[Any]):
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())
    file = serializers.FileField(help_text="UTF-8 CSV or .xlsx with the page's import columns.")
    dry_run = serializers.BooleanField(
        default=False,
        help_text="true: check every row and save nothing; the answer lists every bad row.",
    )
    accept_warnings = serializers.BooleanField(
        default=False,
        help_text="true: import although the check warned (duplicates, implausible totals).",
    )


class ImportProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(
        allow_null=True, help_text="As numbered in the file; 1 is the header."
    )
    field = serializers.CharField(
        source="field_name", allow_null=True, help_text="The record field, or null for the file."
    )
    message = serializers.CharField()


class ServiceRecordImportedSerializer(serializers.Serializer[Any]):
    imported = serializers.IntegerField()


class ServiceRecordImportCheckSerializer(serializers.Serializer[Any]):
    """The dry run's answer: nothing was saved."""

    ok = serializers.BooleanField(help_text="Every row is good: a real run would save them all.")
    rows = serializers.IntegerField(help_text="Data rows read.")
    problems = ImportProblemSerializer(many=True)
    warning_count = serializers.IntegerField(help_text="Warnings to confirm with accept_warnings.")
    warnings = ImportProblemSerializer(many=True, help_text="The first 200 warnings.")


class ServiceRecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[ServiceRecord]):
    """Service records; the supplier adds its own, one per POST or a whole file per import."""

    serializer_class = ServiceRecordSerializer
    filterset_fields = ["contract", "service_type", "beneficiary_category", "state", "date"]

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        return ServiceRecord.objects.filter(visible_service_records_q(self.request.user)).order_by(
            "contract_id", "date", "id"
        )

    def get_serializer_class(self) -> Any:
        return ServiceRecordInSerializer if self.action == "create" else ServiceRecordSerializer

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        require(may_add_service_records(acting_user(self.request), data["contract"]))
        serializer.instance = services.service_record_create(user=acting_user(self.request), **data)

    @extend_schema(request=ServiceRecordCorrectSerializer, responses=ServiceRecordSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """Change a record's values with the reason (logged with each old → new value)."""
        record = self.get_object()
        body = ServiceRecordCorrectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = {
            k: body.validated_data.get(k, getattr(record, k))
            for k in services.SERVICE_RECORD_FIELDS
        }
        return run_transition_endpoint(
            request,
            record,
            "correct",
            lambda: services.service_record_correct(
                user=acting_user(request),
                record=record,
                reason=body.validated_data["reason"],
                **values,
            ),
            lambda r: dict(ServiceRecordSerializer(ServiceRecord.objects.get(pk=r.pk)).data),
        )

    @extend_schema(request=ServiceRecordReasonSerializer, responses=ServiceRecordSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw a record entered in error (kept, logged with the reason, counted nowhere)."""
        record = self.get_object()
        body = ServiceRecordReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            record,
            "withdraw",
            lambda: services.service_record_withdraw(
                user=acting_user(request), record=record, reason=body.validated_data["reason"]
            ),
            lambda r: dict(ServiceRecordSerializer(ServiceRecord.objects.get(pk=r.pk)).data),
        )

    @extend_schema(
        request={"multipart/form-data": ServiceRecordImportSerializer},
        responses={200: ServiceRecordImportCheckSerializer, 201: ServiceRecordImportedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request: Request) -> Response:
        """Import a whole file (all rows or none, 201); 400 lists the bad rows. With dry_run=true
        nothing is saved and the answer (200) lists every bad row with its row and field. Send
        an Idempotency-Key: a retried import without one would add every row twice."""
        body = ServiceRecordImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contract, dry_run = body.validated_data["contract"], body.validated_data["dry_run"]
        require(may_add_service_records(acting_user(request), contract))
        if dry_run:
            checked = imports.parse_service_records(contract, body.validated_data["file"])
            return Response(ServiceRecordImportCheckSerializer(checked).data)
        result = services.service_records_import(
            user=acting_user(request),
            contract=contract,
            upload=body.validated_data["file"],
            accept_warnings=body.validated_data["accept_warnings"],
        )
        if result.ok and not result.saved:
            warnings = ImportProblemSerializer(result.warnings[:100], many=True).data
            return Response(
                {"warning_count": result.warning_count, "warnings": warnings},
                status=status.HTTP_409_CONFLICT,
            )
        if not result.ok:
            # The first hundred problems are enough to fix a file; the dry run lists them all.
            # A plain 400 answer: ValidationError would turn the rows' numbers into strings.
            problems = ImportProblemSerializer(result.problems[:100], many=True).data
            return Response(
                {"file": result.errors[:100], "problems": problems},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"imported": result.saved}, status=status.HTTP_201_CREATED)
