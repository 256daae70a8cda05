from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind @login_required: request.user is a real User."""

    user: User


def acting_user(request: Any) -> User:
    """The logged-in user of an API request (the default permission class already required one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
