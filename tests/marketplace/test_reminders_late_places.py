"""A place taken less than a day before a shift still gets the reminder two hours before:
only the reminders whose time has already passed count as told."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, Signup
from marketplace.board.services.reminders import shift_reminders_send
from marketplace.board.services.shifts import shift_update
from marketplace.board.services.signups import signup_cancel, signup_create
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_shift


def shift_starting_in(delta: timedelta, **fields: Any) -> Shift:
    shift = make_shift(**fields)
    start = timezone.now().replace(second=0, microsecond=0) + delta
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    return shift


def reminders(user: User) -> list[Notification]:
    return list(Notification.objects.filter(kind="shift_reminder", user=user).order_by("pk"))


def runs_until_the_shift(shift: Shift) -> list[tuple[datetime, dict[str, int]]]:
    """celery beat's runs every 10 minutes from now until the shift starts: when, and
    how many reminders each sent."""
    now, runs = timezone.now(), []
    while now < shift.start:
        runs.append((now, shift_reminders_send(now=now)))
        now += timedelta(minutes=10)
    return runs


def sent(runs: list[tuple[datetime, dict[str, int]]], step: str) -> list[datetime]:
    return [when for when, counts in runs for _ in range(counts[step])]


@pytest.mark.django_db
@pytest.mark.parametrize("ahead", [timedelta(hours=20), timedelta(hours=3)])
def test_a_place_taken_less_than_a_day_ahead_gets_the_two_hour_reminder(
    resident: User, ahead: timedelta
) -> None:
    shift = shift_starting_in(ahead)
    signup_create(shift=shift, user=resident)

    runs = runs_until_the_shift(shift)

    assert sent(runs, "24h") == []  # the day-before reminder's time had passed
    (when,) = sent(runs, "2h")
    # The first run once the two-hour mark came, not at sign-up.
    assert shift.start - timedelta(hours=2) <= when < shift.start - timedelta(hours=1, minutes=50)
    (reminder,) = reminders(resident)
    # Two hours before: the same day, or the day before for a shift just after midnight.
    same_day = timezone.localdate(shift.start) == timezone.localdate(when)
    day = "today" if same_day else "tomorrow"
    assert reminder.title.startswith(f"Reminder: Litter pick by the river, {day} at ")


@pytest.mark.django_db
def test_a_place_from_the_waiting_list_twenty_hours_ahead_gets_the_two_hour_reminder() -> None:
    shift = shift_starting_in(timedelta(hours=20), capacity=1)
    first = signup_create(shift=shift, user=make_user("first@example.org"))
    waiting = make_user("waiting@example.org")
    assert signup_create(shift=shift, user=waiting).status == Signup.State.WAITLISTED
    signup_cancel(signup=first)

    runs = runs_until_the_shift(shift)

    assert len(sent(runs, "2h")) == 1
    assert len(reminders(waiting)) == 1


@pytest.mark.django_db
def test_a_shift_moved_to_five_hours_ahead_still_sends_the_two_hour_reminder(
    resident: User,
) -> None:
    shift = shift_starting_in(timedelta(days=3))
    signup_create(shift=shift, user=resident)
    organiser = shift.opportunity.group.organisers.get().user
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=5)
    shift = shift_update(
        shift=shift, by=organiser, start=start, end=start + timedelta(hours=2), capacity=10
    )

    runs = runs_until_the_shift(shift)

    assert len(sent(runs, "2h")) == 1
    assert sent(runs, "24h") == []
    assert len(reminders(resident)) == 1
