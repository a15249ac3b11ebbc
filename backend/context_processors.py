"""What every page's layout needs: the menu's roles, the unread count, and links the
lower layers may not build themselves."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.functional import SimpleLazyObject

from backend.roles import roles_for
from notifications.models import Notification


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Where to earn coins, the person's roles and unread count for the menu, and the
    newest notification the page was rendered with (live.js asks the socket only for
    newer ones), each fetched only when a template asks."""
    return {
        # Where to earn coins: the shell links the lower layers' pages (a wallet, a shop's
        # catalogue) to the board, which they may not name themselves.
        "earn_url": reverse_lazy("board:search"),
        "roles": SimpleLazyObject(lambda: roles_for(request.user)),
        "unread_count": SimpleLazyObject(lambda: _unread(request)),
        "last_notification_id": SimpleLazyObject(lambda: _last_notification(request)),
    }


def _unread(request: HttpRequest) -> int:
    if not request.user.is_authenticated:
        return 0
    return Notification.objects.filter(user=request.user, read_at__isnull=True).count()


def _last_notification(request: HttpRequest) -> int:
    if not request.user.is_authenticated:
        return 0
    newest = Notification.objects.filter(user=request.user).order_by("-pk")
    return newest.values_list("pk", flat=True).first() or 0
