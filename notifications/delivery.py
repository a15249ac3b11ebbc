"""Claiming stored notifications for one delivery channel, so that each is sent once."""

from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification
from outbox.services import held_for, lease

Stamp = Literal["emailed_at", "pushed_at"]
CLAIMS: dict[Stamp, str] = {"emailed_at": "email_claimed_at", "pushed_at": "push_claimed_at"}


@dataclass(frozen=True)
class Claim:
    """The rows this run may send, and, if another run holds some of the rest, how many
    seconds until its claim lapses (0: none held)."""

    rows: list[Notification]
    held_seconds: int = 0


def rows_claim(*, ids: list[int], stamp: Stamp) -> Claim:
    """Claim the rows not yet sent on this channel. Two runs given the same ids (a retry
    beside a slow first run) never both get a row: the second skips rows the first has
    locked or freshly claimed, and is told how long to wait for them. A claim older than
    the lease (its worker was killed mid-send) is taken over, so nothing is lost."""
    claim = CLAIMS[stamp]
    now = timezone.now()
    unsent = Notification.objects.filter(pk__in=ids, **{f"{stamp}__isnull": True})
    lapsed = Q(**{f"{claim}__isnull": True}) | Q(**{f"{claim}__lt": now - lease()})
    with transaction.atomic():
        free = list(
            unsent.select_for_update(skip_locked=True).filter(lapsed).values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=free).update(**{claim: now})
    held = list(unsent.exclude(pk__in=free).values_list(claim, flat=True))
    rows = list(Notification.objects.filter(pk__in=free).select_related("user").order_by("pk"))
    return Claim(rows, max((held_for(at or now, now) for at in held), default=0))


def rows_sent(*, ids: list[int], stamp: Stamp) -> None:
    """Mark claimed rows sent on this channel: no run sends them again."""
    sent: dict[str, Any] = {stamp: timezone.now()}
    Notification.objects.filter(pk__in=ids).update(**sent)


def rows_release(*, ids: list[int], stamp: Stamp) -> None:
    """Give claimed rows back after a failure that sent nothing, so that a retry sends them."""
    free: dict[str, Any] = {CLAIMS[stamp]: None}
    Notification.objects.filter(pk__in=ids).update(**free)
