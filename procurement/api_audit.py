"""API actions for what an audit checks: the random expert draw, the 采购文件, the contract
notice and filing, and the 采购意向. Mixed into the tender and contract viewsets of api.py (and
one small viewset) so that file stays a table of contents rather than growing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require
from core.arrival import arrival_time
from core.files import protected_file_response
from procurement import expert_draw, publication, rounds
from procurement.models import NegotiationRound, PanelDraw, PanelMember, ProcurementIntent
from procurement.permissions import (
    can_manage_contract,
    can_manage_tender,
    can_view_panel,
)
from projects.models import ServiceProject
from projects.permissions import can_view_project


class PanelDrawSerializer(serializers.ModelSerializer[PanelDraw]):
    class Meta:
        model = PanelDraw
        fields = [
            "id",
            "seed",
            "category",
            "wanted",
            "candidates",
            "excluded",
            "drawn",
            "replaces",
            "drawn_at",
        ]
        read_only_fields = fields


class DrawRequestSerializer(serializers.Serializer[Any]):
    experts = serializers.IntegerField(
        min_value=1,
        max_value=25,
        required=False,
        allow_null=True,
        help_text="How many experts to draw; by default what the size and share rules need.",
    )


class MemberSerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField(help_text="The panel seat's id.")
    reason = serializers.CharField(max_length=2000, required=False, default="")


class DocumentsUploadSerializer(serializers.Serializer[Any]):
    documents_file = serializers.FileField(help_text="The 采购文件 as PDF.")


class PanelDrawActions:
    """/tenders/{id}/panel/draw/, /panel/chair/, /panel/decline/, /draws/, /documents/."""

    get_object: Any
    request: Any

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
        from procurement import services

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


class FilingSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(
        max_length=100, help_text="The finance department's 备案 number."
    )


class ContractNoticeActions:
    """/contracts/{id}/publish-notice/ and /contracts/{id}/filing/."""

    get_object: Any

    def _answer(self, contract: Any) -> Response:
        return Response(
            {
                "id": contract.pk,
                "notice_published_at": contract.notice_published_at,
                "notice_due": contract.notice_due(),
                "filed_at": contract.filed_at,
                "filing_reference": contract.filing_reference,
                "filing_due": contract.filing_due(),
            }
        )

    @extend_schema(request=None, responses=None)
    @action(detail=True, methods=["post"], url_path="publish-notice")
    def publish_notice(self, request: Request, pk: str | None = None) -> Response:
        """合同公告 within 2 working days of signing (实施条例第50条)."""
        contract = self.get_object()
        require(can_manage_contract(request.user, contract))
        return self._answer(
            publication.contract_publish_notice(contract=contract, actor=acting_user(request))
        )

    @extend_schema(request=FilingSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def filing(self, request: Request, pk: str | None = None) -> Response:
        """备案 within 7 working days of signing (政府采购法第47条)."""
        contract = self.get_object()
        require(can_manage_contract(request.user, contract))
        body = FilingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            publication.contract_record_filing(
                contract=contract, actor=acting_user(request), **body.validated_data
            )
        )


class IntentSerializer(serializers.ModelSerializer[ProcurementIntent]):
    class Meta:
        model = ProcurementIntent
        fields = ["id", "project", "published_on", "summary", "budget", "planned_month"]
        read_only_fields = ["id", "published_on"]


class ProcurementIntentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProcurementIntent]
):
    """采购意向: public once published; the bureau publishes one per project ≥ 30 days before
    its tender (财库〔2020〕10号)."""

    serializer_class = IntentSerializer
    filterset_fields = ["project"]
    permission_classes: list[Any] = []  # public, like the notices
    queryset = ProcurementIntent.objects.none()

    def get_queryset(self) -> QuerySet[ProcurementIntent]:
        return ProcurementIntent.objects.select_related("project").order_by("-published_on", "-id")

    def get_permissions(self) -> list[Any]:
        from rest_framework.permissions import AllowAny, IsAuthenticated

        return (
            [AllowAny()]
            if self.request.method in ("GET", "HEAD", "OPTIONS")
            else [IsAuthenticated()]
        )

    @extend_schema(request=IntentSerializer, responses={201: IntentSerializer})
    def create(self, request: Request) -> Response:
        body = IntentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project: ServiceProject = body.validated_data["project"]
        if not can_view_project(request.user, project):
            raise Http404
        intent = publication.intent_publish(
            project=project,
            actor=acting_user(request),
            summary=body.validated_data["summary"],
            budget=body.validated_data["budget"],
            planned_month=body.validated_data["planned_month"],
        )
        return Response(IntentSerializer(intent).data, status=status.HTTP_201_CREATED)


class RoundSerializer(serializers.ModelSerializer[NegotiationRound]):
    offers = serializers.SerializerMethodField(
        help_text="How many offers came; prices are in the bids' final_price once closed."
    )

    class Meta:
        model = NegotiationRound
        fields = ["id", "number", "is_final", "topics", "closes_at", "closed_at", "offers"]
        read_only_fields = ["id", "number", "closed_at", "offers"]

    def get_offers(self, obj: NegotiationRound) -> int:
        return obj.offers.count()


class OfferSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField(help_text="The round's id.")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    note = serializers.CharField(max_length=5000, required=False, default="")


class RoundRefSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField(help_text="The round's id.")


class RoundActions:
    """/tenders/{id}/rounds/ (GET, POST), rounds/offer/ and rounds/close/ for 磋商/谈判."""

    get_object: Any

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
