"""/tenders/: one viewset with every tender action — drafting and correcting, the state
transitions, the bid panel and its score sheets, the random expert draw, the 采购文件, 磋商/谈判
rounds and the contract draft. Each action asks the rules' `may_*` (who) first and answers
403 with its reason; the service then applies the rest of the rule (state, deadlines) and
answers 409 with its reason."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from core.arrival import arrival_time
from core.files import protected_file_response
from procurement import expert_draw, publication, rounds, selectors, services
from procurement.api.shared import BidSerializer, ContractSerializer, TenderSerializer
from procurement.api.tender_serializers import (
    BidReviewSerializer,
    CancelSerializer,
    ContractDraftSerializer,
    DocumentsUploadSerializer,
    DrawRequestSerializer,
    MemberSerializer,
    OfferSerializer,
    PanelAddSerializer,
    PanelDeclareSerializer,
    PanelDrawSerializer,
    PanelMemberSerializer,
    PanelScoreSheetSerializer,
    RoundRefSerializer,
    RoundSerializer,
    ScoreSaveSerializer,
    TenderInSerializer,
    TenderUpdateSerializer,
)
from procurement.models import (
    Bid,
    BidState,
    NegotiationRound,
    PanelMember,
    Score,
    Tender,
)
from procurement.permissions import (
    can_create_tender,
    can_manage_tender,
    can_view_panel,
    may_chair_panel,
    may_declare_on_panel,
    may_score,
    visible_tenders_q,
)
from projects.permissions import can_view_project


def _tender_bid(tender: Tender, bid_id: int, field: str = "bid") -> Bid:
    """A bid of this tender, else 400 on `field` (an id from another tender is bad input)."""
    bid = tender.bids.select_related("tender", "supplier").filter(pk=bid_id).first()
    if bid is None:
        raise serializers.ValidationError({field: [_("This is not a bid of this tender.")]})
    return bid


class TenderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Tender]):
    """Tenders with their bid panel: forming it, declarations, qualification review, the members'
    score sheets and the chair's tie decision."""

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

    # --- drafting, cancelling, evaluation, the contract draft

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

    # --- the bid panel: forming it, declarations, qualification review, score sheets

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

    # --- the random expert draw and the 采购文件

    def _seat(self, tender: Any, member_id: int) -> PanelMember:
        seat = PanelMember.objects.filter(tender=tender, pk=member_id).first()
        if seat is None:
            raise serializers.ValidationError({"member": ["This is not a seat of this panel."]})
        return seat

    @extend_schema(request=DrawRequestSerializer, responses={201: PanelDrawSerializer})
    @action(detail=True, methods=["post"], url_path="panel/draw")
    def panel_draw(self, request: Request, pk: str | None = None) -> Response:
        """Draw experts at random from the pool (实施条例第39条); the seed is recorded."""
        tender = self.get_object()
        require(can_manage_tender(request.user, tender))
        body = DrawRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draw = expert_draw.panel_draw(
            tender=tender, actor=acting_user(request), experts=body.validated_data.get("experts")
        )
        return Response(PanelDrawSerializer(draw).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberSerializer, responses={201: PanelDrawSerializer})
    @action(detail=True, methods=["post"], url_path="panel/decline")
    def panel_decline(self, request: Request, pk: str | None = None) -> Response:
        """A drawn expert declines; a replacement is drawn and recorded at once."""
        tender = self.get_object()
        body = MemberSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        seat = self._seat(tender, body.validated_data["member"])
        if not (can_manage_tender(request.user, tender) or seat.user_id == request.user.pk):
            require(can_manage_tender(request.user, tender))
        draw = expert_draw.panel_decline(
            member=seat, actor=acting_user(request), reason=body.validated_data["reason"]
        )
        return Response(PanelDrawSerializer(draw).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberSerializer, responses=None)
    @action(detail=True, methods=["post"], url_path="panel/chair")
    def panel_chair(self, request: Request, pk: str | None = None) -> Response:
        """Record the member the panel chose as its chair (组长)."""
        tender = self.get_object()
        require(can_manage_tender(request.user, tender))
        body = MemberSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        seat = self._seat(tender, body.validated_data["member"])
        services.panel_chair_set(tender=tender, actor=acting_user(request), member=seat)
        return Response({"member": seat.pk, "is_chair": True})

    @extend_schema(request=None, responses=PanelDrawSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def draws(self, request: Request, pk: str | None = None) -> Response:
        """The recorded draws (seed, candidates, exclusions), to whoever may know the panel."""
        tender = self.get_object()
        require(can_view_panel(request.user, tender))
        return Response(PanelDrawSerializer(tender.draws.all(), many=True).data)

    @extend_schema(methods=["POST"], request=DocumentsUploadSerializer, responses={201: None})
    @extend_schema(methods=["GET"], request=None, responses={(200, "application/pdf"): bytes})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def documents(self, request: Request, pk: str | None = None) -> Any:
        """GET: the 采购文件 (anyone, once published); POST: upload it (bureau, draft)."""
        tender = self.get_object()
        if request.method == "GET":
            response: FileResponse = protected_file_response(
                tender.documents_file, publication.can_download_documents(request.user, tender)
            )
            return response
        require(can_manage_tender(request.user, tender))
        body = DocumentsUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = publication.tender_documents_upload(
            tender=tender, actor=acting_user(request), upload=body.validated_data["documents_file"]
        )
        return Response({"documents_sha256": updated.documents_sha256}, status=201)

    # --- 磋商/谈判 rounds

    def _round(self, tender: Any, round_id: int) -> NegotiationRound:
        found = NegotiationRound.objects.filter(tender=tender, pk=round_id).first()
        if found is None:
            raise serializers.ValidationError({"round": ["This is not a round of this tender."]})
        return found

    @extend_schema(methods=["GET"], request=None, responses=RoundSerializer(many=True))
    @extend_schema(methods=["POST"], request=RoundSerializer, responses={201: RoundSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def rounds(self, request: Request, pk: str | None = None) -> Response:
        """The rounds of a 磋商/谈判; POST opens the next (bureau), `is_final` for 最后报价."""
        tender = self.get_object()
        if request.method == "GET":
            return Response(RoundSerializer(tender.rounds.all(), many=True).data)
        require(can_manage_tender(request.user, tender))
        body = RoundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opened = rounds.round_open(tender=tender, actor=acting_user(request), **body.validated_data)
        return Response(RoundSerializer(opened).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OfferSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="rounds/offer")
    def round_offer(self, request: Request, pk: str | None = None) -> Response:
        """A qualified bidder's offer in the open round (its 最后报价 in the final one)."""
        tender = self.get_object()
        body = OfferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        offer = rounds.offer_submit(
            round=self._round(tender, body.validated_data["round"]),
            actor=acting_user(request),
            price=body.validated_data["price"],
            note=body.validated_data["note"],
            now=arrival_time(request),
        )
        return Response({"round": offer.round_id, "submitted_at": offer.submitted_at}, status=201)

    @extend_schema(request=RoundRefSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"], url_path="rounds/close")
    def round_close(self, request: Request, pk: str | None = None) -> Response:
        """Close the round; the final round's offers become the bids' 最后报价."""
        tender = self.get_object()
        require(can_manage_tender(request.user, tender))
        body = RoundRefSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closed = rounds.round_close(
            round=self._round(tender, body.validated_data["round"]), actor=acting_user(request)
        )
        return Response(RoundSerializer(closed).data)
