"""Reminders a day and two hours before a shift, sent by celery beat every few minutes.

A sign-up is claimed for a step by setting its reminded_*_at column in the transaction
that stores the notification, on rows locked with SKIP LOCKED: a second run, or a second
worker at the same moment, finds nothing left to send."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.db import transaction
from django.db.models import DateTimeField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, Signup
from marketplace.board.services.common import shift_when
from notifications.services import headline, notify


@dataclass(frozen=True)
class Step:
    name: str
    ahead: timedelta
    field: str


# The nearer step first: a shift already within two hours gets that reminder only.
STEPS = (
    Step("2h", timedelta(hours=2), "reminded_2h_at"),
    Step("24h", timedelta(hours=24), "reminded_24h_at"),
)
CHUNK = 500


def reminders_told(*, start: datetime, now: datetime) -> dict[str, datetime | None]:
    """The reminder columns for someone told the shift's time just now (a confirmation,
    a place from the waiting list, a change of time): a step whose time has already
    come counts as sent, so a place taken 3 hours before gets only the 2-hour reminder."""
    return {step.field: now if start - now <= step.ahead else None for step in STEPS}


def shift_reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send every reminder that is due; returns how many went out per step."""
    now = now or timezone.now()
    return {step.name: _remind(step, now) for step in STEPS}


def _remind(step: Step, now: datetime) -> int:
    sent = 0
    while True:
        with transaction.atomic():
            due = _due(step, now).select_for_update(of=("self",), skip_locked=True)
            batch = list(due[:CHUNK])
            if not batch:
                return sent
            # Reaching a step counts for the earlier (further ahead) ones too.
            marks = {
                other.field: Coalesce(other.field, Value(now, output_field=DateTimeField()))
                for other in STEPS
                if other.ahead >= step.ahead
            }
            Signup.objects.filter(
                pk__in=[s.pk for s in batch], **{f"{step.field}__isnull": True}
            ).update(**marks)
            for _, signups in groupby(batch, key=lambda s: s.shift_id):
                people = list(signups)
                _tell(people[0].shift, [s.user for s in people], now)
            sent += len(batch)


def _due(step: Step, now: datetime) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(
            status=Signup.State.CONFIRMED,
            shift__cancelled_at__isnull=True,
            shift__start__gt=now,
            shift__start__lte=now + step.ahead,
            **{f"{step.field}__isnull": True},
        )
        .select_related("user", "shift__opportunity__group")
        .order_by("shift_id", "pk")
    )


def _tell(shift: Shift, people: list[User], now: datetime) -> None:
    opportunity = shift.opportunity
    start = timezone.localtime(shift.start)
    days = (start.date() - timezone.localtime(now).date()).days
    day = {0: "today", 1: "tomorrow"}.get(days, f"on {start:%A}")
    where = ", ".join(part for part in (opportunity.address, opportunity.postcode) if part)
    body = f"{shift_when(shift.start, shift.end)} with {opportunity.group.name}."
    body += f" Where: {where}." if where else " Ask the group where to meet."
    notify(
        recipients=people,
        kind="shift_reminder",
        title=headline(f"Reminder: {opportunity.title}, {day} at {start:%H:%M}"),
        body=body,
        url=reverse("board:my_shifts"),
    )
