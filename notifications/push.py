"""Web push: each stored notification to each of its person's subscribed browsers."""

import json
import logging
from collections import defaultdict
from enum import Enum

import pywebpush
import requests
from django.conf import settings

from notifications.delivery import rows_claim, rows_release, rows_sent
from notifications.models import Notification, PushSubscription
from outbox.services import WorkHeld

logger = logging.getLogger(__name__)

# A reminder that arrives a day late is worse than none.
PUSH_TTL_SECONDS = 12 * 60 * 60
PUSH_TIMEOUT_SECONDS = 10
GONE = (404, 410)  # the browser unsubscribed, or the push service forgot it


class PushDeferred(Exception):
    """Some pushes met a failure that may pass (network, 429, 5xx): retry those."""


class Outcome(Enum):
    SENT = "sent"
    GONE = "gone"
    RETRY = "retry"
    REFUSED = "refused"


def push_offered() -> bool:
    """Web push needs the site's VAPID keys and a contact; without them it is not offered."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


def notifications_webpush_send(*, notification_ids: list[int]) -> int:
    """Push the rows not pushed yet to every subscription of their person; returns how
    many pushes went. Subscriptions the push service calls gone are deleted. Rows that
    met a passing failure are given back and PushDeferred raised, for the task's retry
    (the tag makes a phone that already has one replace it, not show it twice)."""
    if not push_offered():
        return 0
    claim = rows_claim(ids=notification_ids, stamp="pushed_at")
    rows = claim.rows
    subscriptions: dict[int, list[PushSubscription]] = defaultdict(list)
    for subscription in PushSubscription.objects.filter(user_id__in={r.user_id for r in rows}):
        subscriptions[subscription.user_id].append(subscription)
    sent, retry = 0, []
    for row in rows:
        data = json.dumps(_payload(row))
        for subscription in list(subscriptions[row.user_id]):
            outcome = _send(subscription, data)
            sent += outcome is Outcome.SENT
            if outcome is Outcome.GONE:
                subscriptions[row.user_id].remove(subscription)
            elif outcome is Outcome.RETRY and row.pk not in retry:
                retry.append(row.pk)
    rows_sent(ids=[row.pk for row in rows if row.pk not in retry], stamp="pushed_at")
    if retry:
        rows_release(ids=retry, stamp="pushed_at")
        raise PushDeferred(f"{len(retry)} notification(s) to push again")
    if claim.held_seconds:
        raise WorkHeld(claim.held_seconds)
    return sent


def _payload(row: Notification) -> dict[str, str]:
    """What the service worker shows; kept well under the 4 KB a push may carry."""
    return {
        "title": row.title,
        "body": row.body[:300],
        "url": row.url or "/notifications/",
        "tag": f"notification-{row.pk}",
    }


def _send(subscription: PushSubscription, data: str) -> Outcome:
    try:
        pywebpush.webpush(
            subscription_info=subscription.as_info(),
            data=data,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            # A fresh dict each time: pywebpush writes this endpoint's audience into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except pywebpush.WebPushException as error:
        # `is not None`, not truthiness: a requests Response is falsy for any 4xx/5xx.
        status = error.response.status_code if error.response is not None else None
        if status in GONE:
            subscription.delete()
            return Outcome.GONE
        if status is not None and (status == 429 or status >= 500):
            return Outcome.RETRY
        # Anything else (a 4xx, or keys pywebpush cannot use) will not pass by waiting.
        logger.warning("push to subscription %s refused: %s", subscription.pk, status)
        return Outcome.REFUSED
    except requests.RequestException:
        return Outcome.RETRY
    return Outcome.SENT
