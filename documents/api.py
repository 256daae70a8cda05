"""Bureau staff read and save their bureau's document templates through the API, as on the page.

Each bureau's versions are kept (never overwritten); the current text is the bureau's latest
version, else its nearest ancestor's, else the shipped default. Saving validates the template by
rendering its sample to PDF in the sandbox, so a syntax error is a 400 with the message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import Organization
from core.api import IdempotentMixin, require
from documents import registry, selectors, services
from documents.models import DocumentTemplate
from documents.permissions import can_edit_document_template
from documents.rendering import render_pdf


class TemplateVersionSerializer(serializers.ModelSerializer[DocumentTemplate]):
    created_by_name = serializers.CharField(source="created_by.__str__", read_only=True)

    class Meta:
        model = DocumentTemplate
        fields = ["version", "created_at", "created_by", "created_by_name"]
        read_only_fields = fields


# `label` and `source` are also attributes of a DRF field (a serializer is one); the declared
# fields replace them at class creation, which the type stubs cannot tell.
class DocumentTemplateSummarySerializer(serializers.Serializer[Any]):
    key = serializers.SlugField()
    label = serializers.CharField()  # type: ignore[assignment]
    versions = serializers.IntegerField(help_text="How many versions the caller's bureau saved.")


class DocumentTemplateSerializer(DocumentTemplateSummarySerializer):
    version = serializers.IntegerField(
        allow_null=True,
        help_text="The bureau's latest version; null while it uses its parent's or the default.",
    )
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="The text in force for the bureau (Jinja2, HTML)."
    )
    history = TemplateVersionSerializer(many=True, help_text="The bureau's versions, newest first.")


class TemplateSaveSerializer(serializers.Serializer[Any]):
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=200_000,
        trim_whitespace=False,
        help_text="The new text (Jinja2, HTML); saved as the next version if its sample renders.",
    )


class _BureauTemplates(viewsets.ViewSet):
    """What both template viewsets share: the caller's bureau (bureau staff only) and the kind."""

    lookup_field = "key"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def _bureau(self, request: Request) -> Organization:
        bureau = acting_user(request).organization
        require(can_edit_document_template(request.user, bureau))
        if bureau is None:  # pragma: no cover - the rule refuses a user without a bureau
            raise PermissionDenied
        return bureau

    def _kind(self, key: str) -> registry.DocumentKind:
        try:
            return registry.get(key)
        except KeyError as exc:
            raise Http404 from exc


# Registered with explicit URLs in config/api.py (POST on the detail URL saves a version, which
# the router's routes do not offer), so the idempotency mixin is a base here.
class DocumentTemplateViewSet(IdempotentMixin, _BureauTemplates):
    """文书模板: the bureau's contract, notice and voucher templates, inherited down the bureau
    tree; bureau staff save new versions (others 403)."""

    def _detail(self, kind: registry.DocumentKind, bureau: Organization) -> dict[str, Any]:
        history = list(selectors.template_versions(key=kind.key, bureau=bureau))
        return dict(
            DocumentTemplateSerializer(
                {
                    "key": kind.key,
                    "label": str(kind.label),
                    "versions": len(history),
                    "version": history[0].version if history else None,
                    "source": selectors.template_source(key=kind.key, bureau=bureau),
                    "history": history,
                }
            ).data
        )

    @extend_schema(responses=DocumentTemplateSummarySerializer(many=True))
    def list(self, request: Request) -> Response:
        """The document templates the caller's bureau may edit, with its saved versions."""
        bureau = self._bureau(request)
        rows = [
            {
                "key": kind.key,
                "label": str(kind.label),
                "versions": selectors.template_versions(key=kind.key, bureau=bureau).count(),
            }
            for kind in registry.all_kinds()
        ]
        return Response(DocumentTemplateSummarySerializer(rows, many=True).data)

    @extend_schema(responses=DocumentTemplateSerializer)
    def retrieve(self, request: Request, key: str) -> Response:
        """The text in force for the caller's bureau and the bureau's own versions."""
        bureau = self._bureau(request)
        return Response(self._detail(self._kind(key), bureau))

    @extend_schema(request=TemplateSaveSerializer, responses={201: DocumentTemplateSerializer})
    def save(self, request: Request, key: str) -> Response:
        """Save the text as the bureau's next version; 400 with the message when the template
        does not render (syntax, unknown variable, sandbox)."""
        bureau = self._bureau(request)
        kind = self._kind(key)
        body = TemplateSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.document_template_save(
                key=kind.key,
                bureau=bureau,
                source=body.validated_data["source"],
                actor=acting_user(request),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"source": exc.messages}) from exc
        return Response(self._detail(kind, bureau), status=status.HTTP_201_CREATED)


# Without the idempotency mixin: a preview changes nothing, so a retry simply renders again
# (and a PDF is not an answer the key store could replay).
class DocumentTemplatePreviewViewSet(_BureauTemplates):
    """Render a template text being edited with its kind's sample data, without saving it."""

    @extend_schema(
        request=TemplateSaveSerializer,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def preview(self, request: Request, key: str) -> HttpResponse:
        """The text rendered to PDF with the sample data, as the page's 预览 button does; 400 with
        the message when it does not render. Nothing is saved."""
        self._bureau(request)
        kind = self._kind(key)
        body = TemplateSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            pdf = render_pdf(body.validated_data["source"], kind.sample_context())
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"source": exc.messages}) from exc
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind.key}-preview.pdf"'
        return response
