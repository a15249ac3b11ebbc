"""The request type of pages and endpoints that need a logged-in person."""

from django.http import HttpRequest

from accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A request behind login_required (or API auth): its user is a real User."""

    user: User
