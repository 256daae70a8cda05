"""/indicator-systems/: 绩效评价指标体系, with workbook import and export."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from core.api import require, run_transition_endpoint
from core.uploads import validate_upload
from evaluation import selectors, services
from evaluation.indicators import load_template
from evaluation.models import (
    IndicatorSystem,
)
from evaluation.permissions import (
    can_create_system,
    can_manage_system,
)
from evaluation.resources import export_rows, export_system

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
