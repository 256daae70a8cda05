"""REST API for tenders, sealed bids and contracts: the same services and permission layer as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import User
from core.api import require, run_transition_endpoint
from core.arrival import arrival_time
from procurement import selectors, services
from procurement.api_audit import ContractNoticeActions, PanelDrawActions, RoundActions
from procurement.models import (
    Bid,
    BidState,
    Clarification,
    Contract,
    Criterion,
    PanelMember,
    Score,
    Tender,
)
from procurement.permissions import (
    can_bid,
    can_create_tender,
    can_manage_contract,
    can_manage_tender,
    can_view_bid_content,
    can_view_panel,
    can_view_tender,
    may_ask_clarification,
    may_chair_panel,
    may_declare_on_panel,
    may_score,
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
    # A tender has a handful of bids: the list is not paginated (nor filtered).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def bids(self, request: Request, pk: str | None = None) -> Response:
        """The tender's bids; sealed contents are null until the opening time."""
        tender = self.get_object()
        bids = selectors.visible_bids(user=request.user, tender=tender)
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
        require(can_bid(request.user, tender, arrival_time(request)))
        bid = services.bid_submit(
            tender=tender,
            actor=acting_user(request),
            price=body.validated_data["price"],
            technical_proposal=body.validated_data["technical_proposal"],
            now=arrival_time(request),
        )
        return Response(
            BidSerializer(bid, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        bid = self.get_object()
        withdrawn = services.bid_withdraw(
            bid=bid, actor=acting_user(request), now=arrival_time(request)
        )
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
        # The terms a draft holds are the service's; the API adds the project and the criteria.
        fields = ["project", *services.TENDER_TERMS, "criteria"]


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class AmendSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    end_date = serializers.DateField()
    reason = serializers.CharField()


class TenderUpdateSerializer(TenderInSerializer):
    """The terms a draft may still change; only the fields sent change. `criteria`, when sent,
    replaces the whole list (an empty list removes them); left out, the criteria stay."""

    class Meta(TenderInSerializer.Meta):
        fields = [f for f in TenderInSerializer.Meta.fields if f != "project"]
        # Optional fields rather than `partial=True`, which would also make a criterion's name
        # and points optional.
        extra_kwargs = {f: {"required": False} for f in fields}


class MilestoneInSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    percentage = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text="Share of the contract amount in per cent; the milestones add up to 100.",
    )
    due_date = serializers.DateField()
    is_advance = serializers.BooleanField(
        required=False, default=False, help_text="The advance payment (预付款)."
    )
    deliverables = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="The deliverables required before this milestone is paid.",
    )


class ContractDraftSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=40)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    term_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed for a term over one year (at most three).",
    )
    performance_bond = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        default=Decimal("0"),
        help_text="At most 10% of the contract amount.",
    )
    advance_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when the supplier is an SME and the advance is under 30%.",
    )
    milestones = MilestoneInSerializer(many=True, allow_empty=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError(
                {"end_date": [_("The term cannot end before it starts.")]}
            )
        return attrs


class TenderActionsViewSet(mixins.CreateModelMixin, TenderViewSet):
    """Tenders: create a draft (the rules are checked at publication), correct it while a draft,
    cancel, start evaluation, draft the contract once the award notice is out."""

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return TenderInSerializer
        if self.action == "partial_update":
            return TenderUpdateSerializer
        return TenderSerializer

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

    @extend_schema(request=TenderUpdateSerializer, responses=TenderSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct a draft (terms and criteria) before publishing: 403 for anyone but the
        purchasing bureau's staff, 409 once published; the rules are checked at publication."""
        tender = self.get_object()
        require(can_manage_tender(request.user, tender))
        body = TenderUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        sent = data.pop("criteria", None)
        criteria = (
            [
                services.CriterionInput(c.name, c.points, c.guidance)
                for c in tender.criteria.order_by("order", "id")
            ]
            if sent is None
            else [
                services.CriterionInput(c["name"], c["points"], c.get("guidance", "")) for c in sent
            ]
        )
        updated = services.tender_update(
            tender=tender, actor=acting_user(request), criteria=criteria, **data
        )
        return Response(self._state(updated))

    @extend_schema(request=ContractDraftSerializer, responses={201: ContractSerializer})
    @action(detail=True, methods=["post"])
    def contract(self, request: Request, pk: str | None = None) -> Response:
        """Draft the contract with the winner once the award notice is out, with its payment
        milestones: 403 for anyone but the purchasing bureau's staff; 409 with the reason when a
        rule refuses (milestones not adding up to 100%, term, performance bond, SME advance, an
        unanswered objection, the 30-day signing period, a contract already drafted)."""
        tender = self.get_object()
        require(can_manage_tender(request.user, tender))
        body = ContractDraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        milestones = [
            services.MilestoneInput(
                m["name"], m["percentage"], m["due_date"], m["is_advance"], m["deliverables"]
            )
            for m in data.pop("milestones")
        ]
        drafted = services.contract_draft(
            tender=tender, actor=acting_user(request), milestones=milestones, **data
        )
        return Response(ContractSerializer(drafted).data, status=status.HTTP_201_CREATED)

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


class ContractActionsViewSet(ContractNoticeActions, ContractViewSet):
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
        require(can_manage_contract(acting_user(request), contract))
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.contract_amend(
            contract=contract, actor=acting_user(request), **body.validated_data
        )
        return Response(self._state(contract))


# --- the bid panel, clarifications and objections -----------------------------------------------
#
# Each action asks the rules' `may_*` (who) first and answers 403 with its reason; the service
# then applies the rest of the rule (state, deadlines) and answers 409 with its reason.


class PanelMemberSerializer(serializers.ModelSerializer[PanelMember]):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    declared = serializers.SerializerMethodField()

    class Meta:
        model = PanelMember
        fields = [
            "id",
            "tender",
            "user",
            "user_name",
            "is_expert",
            "is_chair",
            "declared",
            "declared_at",
            "withdrawn",
            "declined",
            "draw",
        ]
        read_only_fields = fields

    def get_declared(self, member: PanelMember) -> bool:
        return member.declared_at is not None


class PanelAddSerializer(serializers.Serializer[Any]):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text="A bid-evaluation expert or a staff member of the bureau.",
    )
    is_chair = serializers.BooleanField(required=False, default=False)


class PanelDeclareSerializer(serializers.Serializer[Any]):
    conflict = serializers.BooleanField(
        help_text="false: no tie with any bidder; true: withdraw from the panel (回避)."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="With a conflict: the bidder you are tied to.",
    )


class BidReviewSerializer(serializers.Serializer[Any]):
    bid = serializers.IntegerField(min_value=1)
    valid = serializers.BooleanField(
        help_text="true: qualified; false: disqualified (give the reason)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ScoreCellSerializer(serializers.Serializer[Any]):
    bid = serializers.IntegerField(min_value=1)
    criterion = serializers.IntegerField(min_value=1)
    points = serializers.DecimalField(max_digits=5, decimal_places=2)


class ScoreSaveSerializer(serializers.Serializer[Any]):
    scores = ScoreCellSerializer(many=True, allow_empty=False)


class SheetCriterionSerializer(serializers.ModelSerializer[Criterion]):
    class Meta:
        model = Criterion
        fields = ["id", "name", "points", "guidance"]
        read_only_fields = fields


class SheetBidSerializer(serializers.ModelSerializer[Bid]):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Bid
        fields = ["id", "supplier_name"]
        read_only_fields = fields


class PanelScoreSheetSerializer(serializers.Serializer[Any]):
    """The caller's own scores on the valid bids, one cell per (bid, criterion)."""

    criteria = SheetCriterionSerializer(many=True, read_only=True)
    bids = SheetBidSerializer(many=True, read_only=True)
    scores = ScoreCellSerializer(many=True, read_only=True)
    complete = serializers.BooleanField(read_only=True)


def _tender_bid(tender: Tender, bid_id: int, field: str = "bid") -> Bid:
    """A bid of this tender, else 400 on `field` (an id from another tender is bad input)."""
    bid = tender.bids.select_related("tender", "supplier").filter(pk=bid_id).first()
    if bid is None:
        raise serializers.ValidationError({field: [_("This is not a bid of this tender.")]})
    return bid


class TenderPanelActionsViewSet(PanelDrawActions, RoundActions, TenderActionsViewSet):
    """Tenders with their bid panel: forming it, declarations, qualification review, the members'
    score sheets and the chair's tie decision."""

    def _members(self, tender: Tender) -> list[dict[str, Any]]:
        members = selectors.panel_for(user=self.request.user, tender=tender)
        return list(PanelMemberSerializer(members, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=PanelMemberSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=PanelAddSerializer, responses={201: PanelMemberSerializer}
    )
    # A tender has a handful of members: the list is not paginated (nor filtered).
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def panel(self, request: Request, pk: str | None = None) -> Response:
        """The panel (评标委员会); POST adds a member or makes one the chair (bureau staff)."""
        tender = self.get_object()
        if request.method == "GET":
            require(can_view_panel(request.user, tender))
            return Response(self._members(tender))
        require(can_manage_tender(request.user, tender))
        body = PanelAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.panel_member_add(
            tender=tender,
            actor=acting_user(request),
            user=body.validated_data["user"],
            is_chair=body.validated_data["is_chair"],
        )
        return Response(PanelMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PanelDeclareSerializer, responses=PanelMemberSerializer)
    @action(detail=True, methods=["post"], url_path="panel/declare")
    def panel_declare(self, request: Request, pk: str | None = None) -> Response:
        """A member declares no conflict of interest, or withdraws (回避) naming the bidder."""
        tender = self.get_object()
        require(may_declare_on_panel(request.user, tender))
        body = PanelDeclareSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor = acting_user(request)
        member = services.panel_declare(
            member=tender.panel.get(user=actor),
            actor=actor,
            conflict=body.validated_data["conflict"],
            note=body.validated_data["note"],
        )
        return Response(PanelMemberSerializer(member).data)

    @extend_schema(request=BidReviewSerializer, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """资格/符合性审查 of one bid by the panel chair; a disqualification needs its reason."""
        tender = self.get_object()
        require(may_chair_panel(request.user, tender))
        body = BidReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bid = _tender_bid(tender, body.validated_data["bid"])
        reviewed = services.bid_review(
            bid=bid,
            actor=acting_user(request),
            valid=body.validated_data["valid"],
            reason=body.validated_data["reason"],
        )
        return Response(BidSerializer(reviewed, context={"request": request}).data)

    def _score_sheet(self, tender: Tender, user: Any) -> dict[str, Any]:
        criteria = list(tender.criteria.all())
        bids = list(tender.bids.filter(state=BidState.VALID).select_related("supplier"))
        mine = list(Score.objects.filter(member__tender=tender, member__user=user))
        return dict(
            PanelScoreSheetSerializer(
                {
                    "criteria": criteria,
                    "bids": bids,
                    "scores": [
                        {"bid": s.bid_id, "criterion": s.criterion_id, "points": s.points}
                        for s in mine
                    ],
                    "complete": len(mine) >= len(criteria) * len(bids) > 0,
                }
            ).data
        )

    @extend_schema(methods=["GET"], request=None, responses=PanelScoreSheetSerializer)
    @extend_schema(
        methods=["POST"], request=ScoreSaveSerializer, responses=PanelScoreSheetSerializer
    )
    @action(detail=True, methods=["get", "post"], url_path="my-scores")
    def my_scores(self, request: Request, pk: str | None = None) -> Response:
        """The caller's own score sheet; POST saves the given cells (each within the criterion's
        points). Scoring is complete once every active member has scored every valid bid."""
        tender = self.get_object()
        require(may_score(request.user, tender))
        if request.method == "POST":
            body = ScoreSaveSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            services.scores_save(
                tender=tender,
                actor=acting_user(request),
                points={
                    (c["bid"], c["criterion"]): c["points"] for c in body.validated_data["scores"]
                },
            )
        return Response(self._score_sheet(tender, request.user))


def _visible_tender(user: Any, tender: Tender) -> Tender:
    """A tender named in a request body: one the caller may not see does not exist (404)."""
    if not can_view_tender(user, tender):
        raise Http404
    return tender


class ClarificationSerializer(serializers.ModelSerializer[Clarification]):
    # Who asked is not shown: before the opening, bidders' names stay confidential.
    class Meta:
        model = Clarification
        fields = ["id", "tender", "question", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class ClarificationAskSerializer(serializers.Serializer[Any]):
    tender = serializers.PrimaryKeyRelatedField(queryset=Tender.objects.all())
    question = serializers.CharField(max_length=5000)


class AnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=5000)


class ClarificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Clarification]
):
    """答疑澄清: a social organisation asks while the tender is open; the bureau answers publicly."""

    serializer_class = ClarificationSerializer
    filterset_fields = ["tender"]

    def get_queryset(self) -> QuerySet[Clarification]:
        tenders = Tender.objects.filter(visible_tenders_q(self.request.user)).values("pk")
        return Clarification.objects.filter(tender__in=tenders).order_by("tender_id", "asked_at")

    @extend_schema(request=ClarificationAskSerializer, responses={201: ClarificationSerializer})
    def create(self, request: Request) -> Response:
        """Ask a question before the clarification deadline (409 after it or once bids close)."""
        body = ClarificationAskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tender = _visible_tender(request.user, body.validated_data["tender"])
        require(may_ask_clarification(request.user, tender))
        asked = services.clarification_ask(
            tender=tender, actor=acting_user(request), question=body.validated_data["question"]
        )
        return Response(ClarificationSerializer(asked).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=ClarificationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The bureau's answer, published to every bidder with the question."""
        item = self.get_object()
        require(can_manage_tender(request.user, item.tender))
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answered = services.clarification_answer(
            clarification=item, actor=acting_user(request), answer=body.validated_data["answer"]
        )
        return Response(ClarificationSerializer(answered).data)


# The objection and complaint endpoints live in their own module; config/api.py imports them here.
from procurement.api_objections import ObjectionViewSet  # noqa: E402

__all__ = [
    "BidViewSet",
    "ClarificationViewSet",
    "ContractActionsViewSet",
    "ObjectionViewSet",
    "TenderPanelActionsViewSet",
]
