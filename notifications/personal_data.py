"""The person's notifications, choices and phones in the download of their data, and
their erasure when the account is deleted: theirs deleted, and their name or address
taken out of what others were told about them ("Sam gave you 5 coins")."""

import re
from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from notifications.models import Notification, NotificationPreference, PushSubscription
from notifications.services import headline

LEFT = "a resident who has left"


def personal_data(user: User) -> dict[str, Any]:
    return {
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "created": n.created,
                "read_at": n.read_at,
                "emailed_at": n.emailed_at,
                "pushed_at": n.pushed_at,
            }
            for n in Notification.objects.filter(user=user).order_by("id")
        ],
        "notification_choices": [
            {"kind": p.kind, "in_page": p.in_page, "email": p.email, "push": p.push}
            for p in NotificationPreference.objects.filter(user=user).order_by("kind")
        ],
        # The push service's address for each phone; its keys are secrets, left out.
        "push_subscriptions": [
            {"endpoint": s.endpoint, "created": s.created}
            for s in PushSubscription.objects.filter(user=user).order_by("id")
        ],
    }


def personal_data_erase(*, user: User) -> None:
    with transaction.atomic():
        Notification.objects.filter(user=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        PushSubscription.objects.filter(user=user).delete()
        mentions_erase(user=user)


def mentions_erase(*, user: User) -> int:
    """Others' notifications that name the person (by name or e-mail address) name
    nobody. Notifications do not say whom they are about, so this goes by the words:
    since the person joined, whole words only; another person of the same name, named
    in that time, is made nameless too, which errs on the side of their privacy."""
    names = [n for n in (user.display_name.strip(), user.email.strip()) if len(n) > 1]
    if not names:
        return 0
    pattern = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in names), re.IGNORECASE)
    found = Q()
    for name in names:
        found |= Q(title__icontains=name) | Q(body__icontains=name)
    changed = 0
    for notification in Notification.objects.filter(found, created__gte=user.date_joined):
        title, body = _unnamed(pattern, notification.title), _unnamed(pattern, notification.body)
        if (title, body) != (notification.title, notification.body):
            notification.title, notification.body = headline(title), body
            notification.save(update_fields=["title", "body"])
            changed += 1
    return changed


def _unnamed(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: LEFT.capitalize() if m.start() == 0 else LEFT, text)
