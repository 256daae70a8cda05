from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView

from accounts.demo import DEMO_PASSWORD, demo_logins


class SansheLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context["demo_logins"] = demo_logins()
            context["demo_password"] = DEMO_PASSWORD
        return context
