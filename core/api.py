"""What every app's API shares: error mapping, the transition-endpoint helper and idempotency keys.

Refusals carry the same translated reason the pages show: 403 when the user may not act,
409 when the object's state or a business rule forbids it, 400 for bad input. A client that may
retry sends an `Idempotency-Key` header; every viewset on `IdempotentRouter` (the API's router)
then runs the request at most once and replays its answer to a retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core.fsm import ActionRefusedError, check_permission
from core.jobs import EXPORT_KINDS, export_kind_get
from core.models import ExportJob, IdempotencyKey
from core.permissions import Decision, can_download_export
from core.services import export_job_request


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionRefusedError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and exc.args:
        return Response({"detail": str(exc.args[0])}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


def require(decision: Decision) -> None:
    """Raise a 403 carrying the rule's reason when `decision` is a refusal."""
    decision.require()


def run_transition_endpoint(
    request: Request,
    obj: models.Model,
    transition: str,
    service: Callable[[], models.Model],
    serialize: Callable[[models.Model], dict[str, Any]],
) -> Response:
    """Check the actor may run `transition` (403), run the service (409 on a rule), return the new state."""
    require(check_permission(obj, transition, request.user))
    updated = service()
    return Response(serialize(updated), status=status.HTTP_200_OK)


# --- idempotency keys -------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY_LENGTH = 255


class ChoiceLabelField(serializers.CharField):
    """A choice field's label in the request's language (`get_<field>_display()`), read-only.

    `CharField(source="get_state_display")` would do the same, but DRF inspects the signature
    of a bound method on every read to see whether it may call it: 15 % of a tender page's
    time went there. This field calls the display method it is named for directly."""

    def __init__(self, field_name: str, **kwargs: Any) -> None:
        super().__init__(read_only=True, source=field_name, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return getattr(instance, f"get_{self.source}_display")()


class IdempotencyKeyReusedError(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class IdempotentReplay(Exception):  # noqa: N818 - not an error: it carries the stored answer
    """Raised before the handler runs when the key already holds a committed answer."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        data = json.loads(record.body) if record.body else None
        self.response = Response(data, status=record.status, headers={REPLAYED_HEADER: "true"})


def _canonical(value: Any) -> Any:
    """JSON-comparable form of parsed request data; uploaded files count by their content."""
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    if isinstance(value, QueryDict):
        return {k: [_canonical(v) for v in vs] for k, vs in value.lists()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(request: Request) -> str:
    """SHA-256 of method, path and body, independent of JSON key order and file boundaries."""
    body = json.dumps(_canonical(request.data), sort_keys=True, default=str, ensure_ascii=False)
    text = f"{request.method} {request.get_full_path()}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def claim_idempotency_key(request: Request, *, key: str, user_id: int) -> IdempotencyKey:
    """Take `key` for this request, or raise the replay of the answer it already holds.

    Must run inside the request's transaction. The new row is locked by that transaction until
    it commits, so a duplicate sent meanwhile waits on the unique index and then replays the
    answer (or, if the first attempt failed and rolled back, runs the request itself).
    """
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: _("An idempotency key has 1 to 255 characters.")}
        )
    fingerprint = request_fingerprint(request)
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user_id=user_id,
                key=key,
                method=request.method or "",
                path=request.get_full_path()[:500],
                fingerprint=fingerprint,
            )
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.select_for_update().get(user_id=user_id, key=key)
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            _(
                "This idempotency key was already used for a different request (%(method)s "
                "%(path)s); send a new key with a new request."
            )
            % {"method": record.method, "path": record.path}
        )
    raise IdempotentReplay(record)


def _json(data: Any) -> str:
    """The response data as the JSON the client received (decimals and dates as strings)."""
    return "" if data is None else JSONRenderer().render(data).decode()


# Honour an `Idempotency-Key` header on a viewset's state-changing requests.
#
# The request and the stored answer share one transaction: a 2xx answer is kept with the key and
# the change; any other answer rolls the whole request back, key included, so a refused or failed
# request changed nothing and the same key may be sent again. A retry with the same key and the
# same request gets the stored answer with `Idempotent-Replayed: true` and runs nothing; the same
# key with a different request is a 422. (A comment, not a docstring: drf-spectacular would show
# a docstring as the description of every operation of every viewset using the mixin.)
class IdempotentMixin:
    _idempotency: IdempotencyKey | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in UNSAFE_METHODS or IDEMPOTENCY_HEADER not in request.headers:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        self._idempotency = None
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            record = self._idempotency
            if record is not None:
                if 200 <= response.status_code < 300:
                    record.status = response.status_code
                    record.body = _json(getattr(response, "data", None))
                    record.save(update_fields=["status", "body"])
                else:
                    transaction.set_rollback(True)
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        # After authentication, permissions and throttling: keys belong to a known user.
        key = request.headers.get(IDEMPOTENCY_HEADER)
        user_id = request.user.pk if request.user.is_authenticated else None
        if request.method in UNSAFE_METHODS and key is not None and user_id is not None:
            self._idempotency = claim_idempotency_key(request, key=key, user_id=user_id)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, IdempotentReplay):
            return exc.response
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]


class IdempotentRouter(DefaultRouter):
    """The API's router: every viewset it registers honours `Idempotency-Key`.

    The mixin is added here, at registration, rather than in each viewset's bases, so a new
    viewset cannot forget it and a viewset's own code stays about its resource.
    """

    def register(self, prefix: str, viewset: Any, basename: str | None = None) -> None:
        if not issubclass(viewset, IdempotentMixin):
            viewset = type(
                viewset.__name__,
                (IdempotentMixin, viewset),
                {"__module__": viewset.__module__, "__qualname__": viewset.__qualname__},
            )
        super().register(prefix, viewset, basename)


class AutoSchema(SpectacularAutoSchema):
    """The project's schema class: documents the idempotency headers on every unsafe operation."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if isinstance(self.view, IdempotentMixin) and self.method in UNSAFE_METHODS:
            parameters += [
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "A unique key (1 to 255 characters, e.g. a UUID) that makes a retry safe: "
                        "if the first request succeeded, the same key with the same request "
                        "returns the stored answer with `Idempotent-Replayed: true` and changes "
                        "nothing again; the same key with a different request answers 422. "
                        "Keys are per user; a refused request (4xx) keeps no key."
                    ),
                ),
                OpenApiParameter(
                    REPLAYED_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=True,
                    description="`true` when the answer is a replay of an earlier request's.",
                ),
            ]
        return parameters


# --- background exports (我的导出) --------------------------------------------------------------


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    kind_label = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField(
        help_text="The file's API address once the job is done; null before."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "params",
            "state",
            "filename",
            "rows",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    def get_kind_label(self, job: ExportJob) -> str:
        kind = export_kind_get(job.kind)
        return str(kind.label) if kind else job.kind

    def get_download(self, job: ExportJob) -> str | None:
        if not job.is_ready:
            return None
        return reverse("export-job-download", args=[job.pk])


class ExportRequestSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[])
    params = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="The filters of the page the export comes from, e.g. "
        '{"project": "12", "start": "2026-01-01"} for the ledger.',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Kinds are registered by the apps' ready(); read them when the serializer is made.
        kind = cast(serializers.ChoiceField, self.fields["kind"])
        kind.choices = sorted(EXPORT_KINDS)


class ExportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ExportJob]
):
    """我的导出: the caller's own background exports. A request is queued and built by the worker;
    its file downloads once done, by the requester alone."""

    serializer_class = ExportJobSerializer
    filterset_fields = ["state", "kind"]
    search_fields: list[str] = []
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[ExportJob]:
        # Someone else's job is a 404: an export holds what its requester was allowed to see.
        return ExportJob.objects.filter(requested_by_id=self.request.user.pk).order_by(
            "-created_at", "-id"
        )

    @extend_schema(request=ExportRequestSerializer, responses={201: ExportJobSerializer})
    def create(self, request: Request) -> Response:
        """Queue an export (400 for an unknown kind or a bad filter, 403 when the caller may not
        read what it would hold); poll the job until its state is done, then download it."""
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = export_job_request(
            user=request.user,
            kind=body.validated_data["kind"],
            params={k: v for k, v in body.validated_data["params"].items() if v},
        )
        return Response(ExportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The built file; 409 while the job is queued or running, or when it failed."""
        job = self.get_object()
        require(can_download_export(request.user, job))
        if not job.is_ready:
            raise ActionRefusedError(_("This export has no file yet."))
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type="application/octet-stream",
        )
