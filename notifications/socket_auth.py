"""Who is opening the notification socket, in one trip to the database.

Channels' AuthMiddlewareStack reads the session and the user in one thread hop and the
consumer then counted the unread in another; every hop runs on the process's one
thread for sync code (thread_sensitive) and, without persistent connections, opens a
database connection of its own. A town's pages reconnecting at once (a deploy, a train
leaving a tunnel) queued there. Here the session, the user and the unread count are
read together in one hop."""

from types import SimpleNamespace
from typing import Any

from channels.db import DatabaseSyncToAsync
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase

from accounts.models import User
from notifications.models import Notification


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def _who(session: SessionBase) -> tuple[User | AnonymousUser, int]:
    # Django's own get_user (backends, the session's auth hash, flushing a stale one);
    # it reads nothing of the request but its session.
    user = auth.get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    if not isinstance(user, User):
        return AnonymousUser(), 0
    return user, unread_count(user.pk)


# One hop, closing or keeping its connection as CONN_MAX_AGE says. (thread_sensitive=False
# would let sockets opening together not wait for each other, but left a connection
# open per executor thread in tests: not yet understood, so not done.)
who = DatabaseSyncToAsync(_who)


class SocketUserMiddleware(BaseMiddleware):
    """Sets scope["user"] as channels' AuthMiddleware does, and scope["unread"]: the
    person's unread count when the socket opened, for the consumer's greeting."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        scope = dict(scope)
        scope["user"], scope["unread"] = await who(scope["session"])
        return await super().__call__(scope, receive, send)


def SocketAuthStack(inner: Any) -> Any:
    return CookieMiddleware(SessionMiddleware(SocketUserMiddleware(inner)))
