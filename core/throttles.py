"""API throttles keyed by the real client address (core.net), counted in the shared cache.

With several app servers the counts live in Redis (settings CACHES), so a client cannot
multiply its allowance by the number of servers.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.cache import UNREACHABLE
from core.net import client_ip

logger = logging.getLogger(__name__)


class _FailOpen:
    """A throttle that lets requests through while the cache holding its counts is down: the
    API keeps answering (logged), where Django's Redis backend would make every call a 500.
    Logins are not guarded here but by django-axes, whose counts live in the database."""

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))  # type: ignore[misc]
        except UNREACHABLE:
            logger.warning("cache unreachable: API throttle not applied")
            return True


class AnonThrottle(_FailOpen, AnonRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class UserThrottle(_FailOpen, UserRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request)
