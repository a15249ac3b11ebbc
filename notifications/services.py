"""Telling people: notify() stores a notification per recipient, as each chose to hear of
that kind, then after commit pushes it to their open pages and queues e-mail and web
push through the outbox."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, replace
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from notifications.kinds import KINDS, Channels, kind_for
from notifications.live import groups_send, user_group
from notifications.models import Notification, NotificationPreference, PushSubscription
from notifications.push import push_offered
from notifications.tasks import notifications_email, notifications_webpush
from outbox.services import outbox_enqueue

log = logging.getLogger(__name__)


def headline(text: str) -> str:
    """A notification title that fits its column: an opportunity's title alone may
    take 120 of its 140 characters."""
    return text if len(text) <= 140 else text[:139] + "…"


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    subject: str = "",
    reply_to: str = "",
) -> list[Notification]:
    """Store a notification per recipient, shaped by each one's choices for this kind;
    once the work commits, push the in-page ones over the socket and queue one email
    task and one web-push task for the rest. A rollback sends nothing.

    The one way anything reaches a person, e-mail included: `subject` replaces the
    e-mail's usual "Citizen Coin: <title>", `reply_to` lets them answer someone else."""
    people = list(recipients)
    title = headline(title)
    wanted = channels_for(user_ids=[user.pk for user in people], kind=kind)
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=kind,
                title=title,
                body=body,
                url=url,
                in_page=wanted[user.pk].in_page,
                read_at=None if wanted[user.pk].in_page else now,
            )
            for user in people
        ]
    )
    in_page = [(row.user_id, row.as_message()) for row in rows if row.in_page]
    email = [r.pk for r in rows if wanted[r.user_id].email]
    push = _with_push_subscription([r for r in rows if wanted[r.user_id].push])
    if in_page:
        transaction.on_commit(lambda: _push_live(in_page), robust=True)
    if email:
        outbox_enqueue(notifications_email.name, email, subject=subject, reply_to=reply_to)
    if push:
        outbox_enqueue(notifications_webpush.name, push)
    return rows


def _push_live(messages: list[tuple[int, dict[str, Any]]]) -> None:
    """After commit, to the open pages: live only by design, so a channel layer that
    cannot be reached is logged, not turned into an error page, and not tried again.
    E-mail and web push go through the outbox, which keeps them until the broker is
    back (the rows keep emailed_at/pushed_at NULL until then)."""
    try:
        notifications_push(messages=messages)
    except Exception:
        ids = [message["id"] for _, message in messages]
        log.exception("Could not push notifications %s to their pages", ids)


def _with_push_subscription(rows: list[Notification]) -> list[int]:
    """Push only where it is offered and the person has a phone that can receive it."""
    if not rows or not push_offered():
        return []
    subscribed = set(
        PushSubscription.objects.filter(user_id__in={row.user_id for row in rows}).values_list(
            "user_id", flat=True
        )
    )
    return [row.pk for row in rows if row.user_id in subscribed]


def channels_for(*, user_ids: list[int], kind: str) -> dict[int, Channels]:
    """Each person's channels for one kind, in one query; no row means the defaults."""
    saved = {
        pref.user_id: pref.channels
        for pref in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)
    }
    default = kind_for(kind).defaults
    chosen = {user_id: saved.get(user_id, default) for user_id in user_ids}
    if kind_for(kind).always_email:
        chosen = {user_id: replace(ch, email=True) for user_id, ch in chosen.items()}
    return chosen


def notifications_push(*, messages: list[tuple[int, dict[str, Any]]]) -> None:
    """Send committed notifications (recipient id, as_message()) to their recipients'
    sockets, each with its person's unread count counted now: one query, one batch of
    publishes however many people."""
    unread = defaultdict(int, unread_counts(user_ids={user_id for user_id, _ in messages}))
    groups_send(
        [
            (
                user_group(user_id),
                {"type": "notification.new", "message": message | {"unread": unread[user_id]}},
            )
            for user_id, message in messages
        ]
    )


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


def preferences_save(*, user: User, chosen: dict[str, Channels]) -> None:
    """Keep a row only where a choice differs from the kind's defaults, so that a
    better default later reaches everyone who never changed that kind."""
    known = {
        key: replace(channels, email=True) if KINDS[key].always_email else channels
        for key, channels in chosen.items()
        if key in KINDS
    }
    differ = {key: ch for key, ch in known.items() if ch != KINDS[key].defaults}
    with transaction.atomic():
        NotificationPreference.objects.filter(user=user, kind__in=known.keys() - differ).delete()
        NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(user=user, kind=key, **asdict(channels))
                for key, channels in differ.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["in_page", "email", "push"],
        )


def preference_email_off(*, user: User, kind: str) -> None:
    """Stop emails of one kind (the unsubscribe link); the other channels stay as they were."""
    current = channels_for(user_ids=[user.pk], kind=kind)[user.pk]
    NotificationPreference.objects.update_or_create(
        user=user,
        kind=kind,
        defaults={"in_page": current.in_page, "email": False, "push": current.push},
    )


def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """A browser agreed to web push. A phone passed to someone else who logs in moves
    to them: one endpoint is one browser, and it belongs to whoever subscribed last."""
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription


def push_subscription_delete(*, user: User, endpoint: str) -> int:
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted
