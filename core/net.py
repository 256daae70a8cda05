"""The address a request really came from, behind the reverse proxy or not.

Behind nginx every request arrives from 127.0.0.1 (or the proxy's address), so login lockout
and API throttling would count all clients as one: anyone could lock any account. The proxy
sets X-Real-IP to the peer it saw (deploy/nginx/sanshe.conf), overwriting whatever a client
sent; the header is believed only when the request comes from an address listed in
SANSHE_TRUSTED_PROXIES, and django-ipware parses and validates it. Without trusted proxies
(runserver, direct gunicorn) the socket's address is the client.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ipware import get_client_ip


def client_ip(request: Any) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if remote not in getattr(settings, "SANSHE_TRUSTED_PROXIES", ()):
        return remote
    ip, _routable = get_client_ip(request, request_header_order=["HTTP_X_REAL_IP"], strict=True)
    return ip or remote
