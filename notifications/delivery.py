"""Claiming stored notifications for one delivery channel, so that each is sent once."""

from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

Stamp = Literal["emailed_at", "pushed_at"]


def rows_claim(*, ids: list[int], stamp: Stamp) -> list[Notification]:
    """Stamp the rows not yet sent on this channel and return them. Two workers given
    the same ids (a retry beside a slow first run) never both get a row: the second
    skips rows the first has locked and finds the rest already stamped."""
    unsent: dict[str, Any] = {f"{stamp}__isnull": True}
    now: dict[str, Any] = {stamp: timezone.now()}
    with transaction.atomic():
        free = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, **unsent)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=free).update(**now)
    return list(Notification.objects.filter(pk__in=free).select_related("user").order_by("pk"))


def rows_release(*, ids: list[int], stamp: Stamp) -> None:
    """Give rows back after a failure that sent nothing, so that a retry sends them."""
    unsent: dict[str, Any] = {stamp: None}
    Notification.objects.filter(pk__in=ids).update(**unsent)
