"""DRF's token login with a throttle: it sets none of its own, and a password guesser is an
anonymous client (a separate module: DRF imports core.throttles while it loads its views)."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken

from core.throttles import AnonThrottle


class ThrottledObtainAuthToken(ObtainAuthToken):
    throttle_classes = [AnonThrottle]


obtain_auth_token = ThrottledObtainAuthToken.as_view()
