"""REST API for milestones, payments, service records and the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import Organization
from core.api import require, run_transition_endpoint
from core.pagination import SeqCursorPagination
from funds import imports, services
from funds.bonds import bond_receive, bond_return
from funds.books import reconcile, trial_balance
from funds.forms import TrialBalanceForm
from funds.ledger import ledger_verify
from funds.models import (
    Bond,
    BondKind,
    Disbursement,
    LedgerEntry,
    Milestone,
    ServiceRecord,
    ServiceType,
)
from funds.permissions import (
    can_accept_milestone,
    can_view_ledger,
    visible_contracts_for_funds_q,
    visible_service_records_q,
)
from funds.selectors import bond_list, book_scope, contract_target_progress, ledger_entries
from procurement.models import Contract, Tender
from projects.models import BeneficiaryCategory


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "contract",
            "sequence",
            "name",
            "percentage",
            "amount",
            "due_date",
            "is_advance",
            "requires_evaluation",
            "full_pay_score",
            "pass_score",
            "rectification_deadline",
            "state",
        ]
        read_only_fields = fields


class DisbursementSerializer(serializers.ModelSerializer[Disbursement]):
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "milestone",
            "part",
            "amount",
            "withheld",
            "calculation",
            "state",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
            "paid_by",
            "paid_on",
            "voucher_number",
            "accepted_on",
            "due_by",
            "is_late",
        ]
        read_only_fields = fields


class PaySerializer(serializers.Serializer[Any]):
    voucher_number = serializers.CharField(max_length=40)
    paid_on = serializers.DateField()


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


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    memo_text = serializers.CharField(
        read_only=True, help_text="The memo in the request's language (not hashed)."
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "seq",
            "occurred_at",
            "kind",
            "debit",
            "credit",
            "amount",
            "project",
            "contract",
            "milestone",
            "actor",
            "memo",
            "recipe",
            "disbursement",
            "bond",
            "reverses",
            "memo_key",
            "memo_args",
            "memo_text",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class TargetProgressSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(help_text="Beneficiary category code.")
    category_label = serializers.CharField(source="label")
    target = serializers.IntegerField(help_text="People the project aims to reach.")
    registered = serializers.IntegerField(help_text="People with a case file on the contract.")
    person_times = serializers.IntegerField(help_text="Sum of the service records' counts.")
    reached_percent = serializers.DecimalField(max_digits=7, decimal_places=1)
    verdict = serializers.ChoiceField(
        choices=["met", "short", "unconfirmed"],
        help_text="Against the whole contract's target (the pages judge it at the final "
        "milestone only). met: people on file reach it; short: even the person-times fall "
        "short of it; unconfirmed: the person-times would, the case files do not show it.",
    )


class MilestoneViewSet(viewsets.ReadOnlyModelViewSet[Milestone]):
    serializer_class = MilestoneSerializer
    filterset_fields = ["state", "contract"]

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.filter(
            visible_contracts_for_funds_q(self.request.user, "contract__")
        ).order_by("contract_id", "sequence")

    @extend_schema(responses=TargetProgressSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def targets(self, request: Request, pk: str | None = None) -> Response:
        """The contract's target groups against people on file and person-times (counts only)."""
        milestone = self.get_object()
        rows = contract_target_progress(contract=milestone.contract)
        return Response(TargetProgressSerializer(rows, many=True).data)

    @extend_schema(request=None, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"], url_path="request-payment")
    def request_payment(self, request: Request, pk: str | None = None) -> Response:
        """Request the payment the policy allows (after acceptance); 409 with the reason otherwise."""
        milestone = self.get_object()
        d = services.disbursement_request(milestone=milestone, actor=acting_user(request))
        return Response(DisbursementSerializer(d).data)


class DisbursementViewSet(viewsets.ReadOnlyModelViewSet[Disbursement]):
    serializer_class = DisbursementSerializer
    filterset_fields = ["state", "milestone"]

    def get_queryset(self) -> QuerySet[Disbursement]:
        return Disbursement.objects.filter(
            visible_contracts_for_funds_q(self.request.user, "milestone__contract__")
        ).order_by("-id")

    def _state(self, d: Any) -> dict[str, Any]:
        d.refresh_from_db()
        return dict(DisbursementSerializer(d).data)

    @extend_schema(request=None, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        d = self.get_object()
        return run_transition_endpoint(
            request,
            d,
            "approve",
            lambda: services.disbursement_approve(disbursement=d, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=PaySerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        d = self.get_object()
        body = PaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            d,
            "pay",
            lambda: services.disbursement_pay(
                disbursement=d, actor=acting_user(request), **body.validated_data
            ),
            self._state,
        )


class ServiceRecordViewSet(viewsets.ReadOnlyModelViewSet[ServiceRecord]):
    """Service records (counts only, no personal data), filterable by contract."""

    serializer_class = ServiceRecordSerializer
    filterset_fields = ["contract", "service_type", "beneficiary_category", "state", "date"]

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        return ServiceRecord.objects.filter(visible_service_records_q(self.request.user)).order_by(
            "contract_id", "date", "id"
        )


class AccountLineSerializer(serializers.Serializer[Any]):
    account = serializers.CharField(help_text="The account as stored and hashed (Chinese name).")
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The account's name in the request's language."
    )
    debit = serializers.DecimalField(max_digits=16, decimal_places=2)
    credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Debit minus credit."
    )


class CheckSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    ok = serializers.BooleanField()
    findings = serializers.ListField(child=serializers.CharField())


class TrialBalanceSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    accounts = AccountLineSerializer(many=True)
    total_debit = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    balanced = serializers.BooleanField()
    invariants_hold = serializers.BooleanField()
    invariants = CheckSerializer(many=True)


class LedgerViewSet(viewsets.ReadOnlyModelViewSet[LedgerEntry]):
    """The hash-chained ledger, in chain order."""

    serializer_class = LedgerEntrySerializer
    pagination_class = SeqCursorPagination  # a million entries: no COUNT, no OFFSET
    lookup_field = "seq"
    filterset_fields = ["kind", "project", "contract"]

    queryset = LedgerEntry.objects.none()  # the schema generator's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        require(can_view_ledger(self.request.user))
        return ledger_entries(user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("contract", int, description="Scope: one contract."),
            OpenApiParameter("project", int, description="Scope: one project."),
            OpenApiParameter("bureau", int, description="Scope: a bureau and its subordinates."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Up to the end of this day."),
        ],
        responses=TrialBalanceSerializer,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="trial-balance",
        pagination_class=None,
        filter_backends=[],
    )
    def trial_balance(self, request: Request) -> Response:
        """试算平衡表: per account debit, credit and balance of a contract, project, bureau or
        the whole book up to the end of `as_of`, with the invariants and whether they hold."""
        require(can_view_ledger(request.user))
        form = TrialBalanceForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(e) for e in v] for k, v in form.errors.items()}
            )
        data = form.cleaned_data
        scope = book_scope(
            user=request.user,
            contract=data.get("contract"),
            project=data.get("project"),
            bureau=data.get("bureau"),
        )
        book = trial_balance(scope.entries, as_of=data.get("as_of"))
        checks = reconcile(scope.entries, scope.contracts)
        return Response(
            TrialBalanceSerializer(
                {
                    "scope": scope.label,
                    "as_of": book.as_of,
                    "accounts": book.lines,
                    "total_debit": book.total_debit,
                    "total_credit": book.total_credit,
                    "balanced": book.balanced,
                    "invariants_hold": checks.ok,
                    "invariants": checks.checks,
                }
            ).data
        )

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["get"])
    def verify(self, request: Request) -> Response:
        """Recompute the chain; names the first broken entry."""
        require(can_view_ledger(request.user))
        result = ledger_verify()
        return Response(
            {
                "ok": result.ok,
                "checked": result.checked,
                "head": result.head,
                "broken_seq": result.broken_seq,
                "problem": result.problem,
            }
        )


class DeliverableInSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    report = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptanceInSerializer(serializers.Serializer[Any]):
    passed = serializers.BooleanField()
    checklist = serializers.DictField(child=serializers.BooleanField())
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    rectification_deadline = serializers.DateField(required=False, allow_null=True, default=None)


class ReasonInSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class MilestoneActionsViewSet(MilestoneViewSet):
    """Milestones with the NGO's and the bureau's actions."""

    @extend_schema(request=DeliverableInSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def deliverables(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        body = DeliverableInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.deliverables_submit(
            milestone=milestone, actor=acting_user(request), **body.validated_data
        )
        return Response(MilestoneSerializer(Milestone.objects.get(pk=milestone.pk)).data)

    @extend_schema(request=AcceptanceInSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def acceptance(self, request: Request, pk: str | None = None) -> Response:
        """履约验收: passed accepts (its evaluation must be confirmed); failed sends it to 整改."""
        milestone = self.get_object()
        body = AcceptanceInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        require(can_accept_milestone(request.user, milestone))
        services.acceptance_record(
            milestone=milestone, actor=acting_user(request), **body.validated_data
        )
        return Response(MilestoneSerializer(Milestone.objects.get(pk=milestone.pk)).data)

    @extend_schema(request=ReasonInSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def forfeit(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        body = ReasonInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            milestone,
            "forfeit",
            lambda: services.milestone_forfeit(
                milestone=milestone,
                actor=acting_user(request),
                reason=body.validated_data["reason"],
            ),
            lambda m: dict(MilestoneSerializer(Milestone.objects.get(pk=m.pk)).data),
        )


class DisbursementActionsViewSet(DisbursementViewSet):
    @extend_schema(request=ReasonInSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        d = self.get_object()
        body = ReasonInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            d,
            "reject",
            lambda: services.disbursement_reject(
                disbursement=d, actor=acting_user(request), reason=body.validated_data["reason"]
            ),
            self._state,
        )


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


class ServiceRecordActionsViewSet(mixins.CreateModelMixin, ServiceRecordViewSet):
    """Service records; the supplier adds its own, one per POST or a whole file per import."""

    def get_serializer_class(self) -> Any:
        return ServiceRecordInSerializer if self.action == "create" else ServiceRecordSerializer

    def _require_supplier(self, contract: Contract) -> None:
        user = acting_user(self.request)
        if not (user.role == "ngo" and user.organization_id == contract.supplier_id):
            raise PermissionDenied(_("Only the supplier imports its service records."))

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        self._require_supplier(data["contract"])
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
        self._require_supplier(contract)
        if dry_run:
            checked = imports.parse_service_records(contract, body.validated_data["file"])
            return Response(ServiceRecordImportCheckSerializer(checked).data)
        result = imports.import_service_records(
            contract,
            body.validated_data["file"],
            user=acting_user(request),
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


class BondSerializer(serializers.ModelSerializer[Bond]):
    return_due_by = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="A bid bond's last return day (5 working days, 实施条例第三十三条).",
    )

    class Meta:
        model = Bond
        fields = [
            "id",
            "kind",
            "project",
            "tender",
            "contract",
            "payer",
            "amount",
            "received_on",
            "state",
            "returned_on",
            "return_due_by",
        ]
        read_only_fields = fields


class BondInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=BondKind.choices)
    tender = serializers.PrimaryKeyRelatedField(
        queryset=Tender.objects.all(), required=False, allow_null=True, default=None
    )
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, allow_null=True, default=None
    )
    payer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    received_on = serializers.DateField()


class BondReturnInSerializer(serializers.Serializer[Any]):
    returned_on = serializers.DateField()


class BondViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Bond]):
    """Bid and performance bonds: finance records them received (POST) and returned."""

    serializer_class = BondSerializer
    filterset_fields = ["kind", "state", "tender", "contract"]

    def get_queryset(self) -> QuerySet[Bond]:
        if getattr(self, "swagger_fake_view", False):
            return Bond.objects.none()
        return bond_list(user=self.request.user)

    @extend_schema(request=BondInSerializer, responses={201: BondSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BondInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bond = bond_receive(actor=acting_user(request), **body.validated_data)
        return Response(BondSerializer(bond).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BondReturnInSerializer, responses=BondSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_bond(self, request: Request, pk: str | None = None) -> Response:
        bond = self.get_object()
        body = BondReturnInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        returned = bond_return(bond=bond, actor=acting_user(request), **body.validated_data)
        return Response(BondSerializer(returned).data)
