"""The one way a page runs a state-changing service: refusals become a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.views.decorators.http import require_POST

from core.fsm import ActionRefusedError


def act_and_redirect(
    request: HttpRequest,
    target: Any,
    action: Callable[[], Any],
    success: str | Promise,
    *,
    success_target: Any = None,
) -> HttpResponse:
    """Run `action`; show `success` or the refusal's reason; go back to `target` (after a
    success to `success_target` when given: a page the actor may no longer open, say)."""
    try:
        action()
    except ActionRefusedError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, str(success))
        if success_target is not None:
            return redirect(success_target)
    return redirect(target)


def post_action(
    load: Callable[[Any, Any], Any],
    run: Callable[[Any, Any], Any],
    success: Promise,
    *,
    target: Callable[[Any], Any] | None = None,
) -> Callable[..., HttpResponse]:
    """The page for a one-button action: a logged-in POST that loads the object named in the
    URL (`load(request, pk)`: 404 for one the user may not see), runs the service
    (`run(request, obj)`) through act_and_redirect and goes back to the object's page (or to
    `target(obj)`). `success` is lazy: it is translated when the action is done."""

    @login_required
    @require_POST
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        (key,) = kwargs.values()
        obj = load(request, key)
        return act_and_redirect(
            request,
            obj if target is None else target(obj),
            lambda: run(request, obj),
            success,
        )

    return view
