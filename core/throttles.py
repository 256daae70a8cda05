"""API throttles keyed by the real client address (core.net), counted in the shared cache.

With several app servers the counts live in Redis (settings CACHES), so a client cannot
multiply its allowance by the number of servers.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.net import client_ip


class AnonThrottle(AnonRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class UserThrottle(UserRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request)
