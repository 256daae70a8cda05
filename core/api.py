"""What every app's API shares: error mapping and the transition-endpoint helper.

Refusals carry the same translated reason the pages show: 403 when the user may not act,
409 when the object's state or a business rule forbids it, 400 for bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.fsm import ActionRefusedError, check_permission
from core.permissions import Decision


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
