"""REST API for tenders, sealed bids and contracts: the same services and permission layer as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from procurement import services
from procurement.models import Bid, Contract, Tender
from procurement.permissions import (
    can_bid,
    can_create_tender,
    can_view_bid_content,
    visible_contracts_q,
    visible_tenders_q,
)
from projects.permissions import can_view_project


class TenderSerializer(serializers.ModelSerializer[Tender]):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    project_code = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "project",
            "project_code",
            "round",
            "title",
            "method",
            "method_display",
            "evaluation_method",
            "ceiling_price",
            "bid_bond",
            "price_weight",
            "qualification_requirements",
            "service_requirements",
            "publish_at",
            "clarification_deadline",
            "bid_deadline",
            "opening_at",
            "state",
            "state_display",
            "failure_reason",
            "awarded_at",
            "award_published_at",
        ]
        read_only_fields = fields


class BidSerializer(serializers.ModelSerializer[Bid]):
    """Price and proposal are null for anyone the seal still excludes."""

    price = serializers.SerializerMethodField()
    technical_proposal = serializers.SerializerMethodField()
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "supplier",
            "supplier_name",
            "state",
            "submitted_at",
            "revision",
            "receipt",
            "price",
            "technical_proposal",
            "invalid_reason",
        ]
        read_only_fields = fields

    def _open(self, bid: Bid) -> bool:
        return bool(can_view_bid_content(self.context["request"].user, bid))

    def get_price(self, bid: Bid) -> str | None:
        return str(bid.price) if self._open(bid) else None

    def get_technical_proposal(self, bid: Bid) -> str | None:
        return bid.technical_proposal if self._open(bid) else None


class BidSubmitSerializer(serializers.Serializer[Any]):
    tender = serializers.PrimaryKeyRelatedField(queryset=Tender.objects.all())
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    technical_proposal = serializers.CharField()


class ContractSerializer(serializers.ModelSerializer[Contract]):
    current_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "project",
            "tender",
            "supplier",
            "supplier_name",
            "amount",
            "current_amount",
            "start_date",
            "end_date",
            "performance_bond",
            "state",
            "supplier_signed_at",
            "signed_at",
        ]
        read_only_fields = fields


class TenderViewSet(viewsets.ReadOnlyModelViewSet[Tender]):
    """Tenders the caller may see; state changes are POSTs to the transition endpoints."""

    serializer_class = TenderSerializer
    filterset_fields = ["state", "method", "project"]
    search_fields = ["title", "project__bureau__name"]

    def get_queryset(self) -> QuerySet[Tender]:
        return (
            Tender.objects.filter(visible_tenders_q(self.request.user))
            .select_related("project")
            .order_by("-id")
        )

    def _state(self, tender: Any) -> dict[str, Any]:
        tender.refresh_from_db()
        return dict(TenderSerializer(tender, context={"request": self.request}).data)

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        return run_transition_endpoint(
            request,
            tender,
            "publish",
            lambda: services.tender_publish(tender=tender, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"], url_path="open")
    def open_bids(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        return run_transition_endpoint(
            request,
            tender,
            "open_bids",
            lambda: services.tender_open(tender=tender, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        return run_transition_endpoint(
            request,
            tender,
            "award",
            lambda: services.tender_award(tender=tender, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"], url_path="publish-award")
    def publish_award(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        return run_transition_endpoint(
            request,
            tender,
            "publish_award",
            lambda: services.award_publish(tender=tender, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(responses=BidSerializer(many=True))
    @action(detail=True, methods=["get"])
    def bids(self, request: Request, pk: str | None = None) -> Response:
        """The tender's bids; sealed contents are null until the opening time."""
        tender = self.get_object()
        bids = tender.bids.exclude(state="withdrawn").select_related("supplier", "tender")
        return Response(BidSerializer(bids, many=True, context={"request": request}).data)


class BidViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Bid]):
    """An NGO's own bids (submit, revise, withdraw); others' bids appear under /tenders/{id}/bids/."""

    serializer_class = BidSerializer
    queryset = Bid.objects.none()  # the schema generator's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[Bid]:
        organization = getattr(self.request.user, "organization_id", None)
        if getattr(self, "swagger_fake_view", False) or organization is None:
            return Bid.objects.none()
        return (
            Bid.objects.filter(supplier_id=organization)
            .select_related("tender", "supplier")
            .order_by("-id")
        )

    @extend_schema(request=BidSubmitSerializer, responses={201: BidSerializer})
    def create(self, request: Request) -> Response:
        """Submit or revise a sealed bid before the deadline; the answer carries the SHA-256 receipt."""
        body = BidSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tender = body.validated_data["tender"]
        require(can_bid(request.user, tender))
        bid = services.bid_submit(
            tender=tender,
            actor=acting_user(request),
            price=body.validated_data["price"],
            technical_proposal=body.validated_data["technical_proposal"],
        )
        return Response(
            BidSerializer(bid, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        bid = self.get_object()
        withdrawn = services.bid_withdraw(bid=bid, actor=acting_user(request))
        return Response(BidSerializer(withdrawn, context={"request": request}).data)


class ContractViewSet(viewsets.ReadOnlyModelViewSet[Contract]):
    serializer_class = ContractSerializer
    filterset_fields = ["state", "project", "supplier"]

    def get_queryset(self) -> QuerySet[Contract]:
        return (
            Contract.objects.filter(visible_contracts_q(self.request.user))
            .select_related("supplier")
            .prefetch_related("amendments")
            .order_by("-id")
        )

    def _state(self, contract: Any) -> dict[str, Any]:
        contract.refresh_from_db()
        return dict(ContractSerializer(contract).data)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="sign-supplier")
    def sign_supplier(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        return run_transition_endpoint(
            request,
            contract,
            "sign_by_supplier",
            lambda: services.contract_sign_supplier(contract=contract, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="sign-bureau")
    def sign_bureau(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        return run_transition_endpoint(
            request,
            contract,
            "sign_by_bureau",
            lambda: services.contract_sign_bureau(contract=contract, actor=acting_user(request)),
            self._state,
        )


class CriterionInSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    points = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    guidance = serializers.CharField(required=False, allow_blank=True, default="")


class TenderInSerializer(serializers.ModelSerializer[Tender]):
    criteria = CriterionInSerializer(many=True, required=False)

    class Meta:
        model = Tender
        fields = [
            "project",
            "title",
            "method",
            "evaluation_method",
            "ceiling_price",
            "bid_bond",
            "price_weight",
            "qualification_requirements",
            "service_requirements",
            "clarification_deadline",
            "bid_deadline",
            "opening_at",
            "criteria",
        ]


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class AmendSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    end_date = serializers.DateField()
    reason = serializers.CharField()


class TenderActionsViewSet(mixins.CreateModelMixin, TenderViewSet):
    """Tenders: create a draft (the rules are checked at publication), cancel, start evaluation."""

    def get_serializer_class(self) -> Any:
        return TenderInSerializer if self.action == "create" else TenderSerializer

    @extend_schema(request=TenderInSerializer, responses={201: TenderSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = TenderInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        criteria = [
            services.CriterionInput(c["name"], c["points"], c.get("guidance", ""))
            for c in data.pop("criteria", [])
        ]
        project = data.pop("project")
        if not can_view_project(request.user, project):
            raise Http404
        require(can_create_tender(request.user, project))
        tender = services.tender_create(
            project=project, actor=acting_user(request), criteria=criteria, **data
        )
        return Response(TenderSerializer(tender).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelSerializer, responses=TenderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return run_transition_endpoint(
            request,
            tender,
            "cancel",
            lambda: services.tender_cancel(
                tender=tender, actor=acting_user(request), reason=body.validated_data["reason"]
            ),
            self._state,
        )

    @extend_schema(request=None, responses=TenderSerializer)
    @action(detail=True, methods=["post"], url_path="start-evaluation")
    def start_evaluation(self, request: Request, pk: str | None = None) -> Response:
        tender = self.get_object()
        return run_transition_endpoint(
            request,
            tender,
            "start_evaluation",
            lambda: services.tender_start_evaluation(tender=tender, actor=acting_user(request)),
            self._state,
        )


class ContractActionsViewSet(ContractViewSet):
    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="start-service")
    def start_service(self, request: Request, pk: str | None = None) -> Response:
        contract = self.get_object()
        return run_transition_endpoint(
            request,
            contract,
            "start_service",
            lambda: services.contract_start_service(contract=contract, actor=acting_user(request)),
            self._state,
        )

    @extend_schema(request=AmendSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """变更: a new version; the response shows the amount now in force."""
        contract = self.get_object()
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.contract_amend(
            contract=contract, actor=acting_user(request), **body.validated_data
        )
        return Response(self._state(contract))
