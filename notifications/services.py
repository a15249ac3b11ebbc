from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification


def user_group(user_id: int) -> str:
    """The channel-layer group every socket of one person joins."""
    return f"user.{user_id}"


def notify(
    *, recipients: Iterable[User], kind: str, title: str, body: str, url: str = ""
) -> list[Notification]:
    """Store a notification per recipient; push each over the socket once the work commits."""
    rows = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, title=title, body=body, url=url) for user in recipients]
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: notifications_push(notification_ids=ids))
    return rows


def notifications_push(*, notification_ids: list[int]) -> None:
    """Send stored notifications to their recipients' sockets, with each one's unread count."""
    rows = list(Notification.objects.filter(pk__in=notification_ids).order_by("pk"))
    unread = unread_counts(user_ids={row.user_id for row in rows})
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for row in rows:
        message = {**row.as_message(), "unread": unread.get(row.user_id, 0)}
        send(user_group(row.user_id), {"type": "notification.new", "message": message})


def unread_counts(*, user_ids: set[int]) -> dict[int, int]:
    counted = (
        Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("id"))
    )
    return {row["user_id"]: row["n"] for row in counted}


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(Q(pk__in=list(ids)))
    return unread.update(read_at=timezone.now())
