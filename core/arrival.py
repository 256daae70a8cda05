"""The moment a request arrived, stamped before anything can make it wait.

A deadline is judged by when the request arrived, not by when a service got hold of a row lock:
under load a bid sent in the last second may wait for the tender lock past the deadline
(issue 12). ArrivalMiddleware runs first and stamps every request; services take the stamp.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class ArrivalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.arrived_at = timezone.now()  # type: ignore[attr-defined]
        return self.get_response(request)


def arrival_time(request: Any) -> dt.datetime:
    """When `request` (a Django or DRF request) arrived; now when no middleware stamped it."""
    stamp = getattr(request, "arrived_at", None)
    return stamp if isinstance(stamp, dt.datetime) else timezone.now()
