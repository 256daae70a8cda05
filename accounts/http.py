from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind @login_required: request.user is a real User."""

    user: User
