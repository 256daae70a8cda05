"""The one way a page runs a state-changing service: refusals become a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.fsm import ActionRefusedError


def act_and_redirect(
    request: HttpRequest, target: Any, action: Callable[[], Any], success: str
) -> HttpResponse:
    """Run `action`; show `success` or the refusal's reason; go back to `target`."""
    try:
        action()
        messages.success(request, success)
    except ActionRefusedError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(target)
