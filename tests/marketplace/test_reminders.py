import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, Signup
from marketplace.board.services.reminders import shift_reminders_send
from marketplace.board.services.shifts import shift_cancel
from marketplace.board.services.signups import signup_create
from marketplace.board.tasks import shift_reminders
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

CONFIRMED = Signup.State.CONFIRMED


def shift_starting_in(delta: timedelta, **fields: Any) -> Shift:
    shift = make_shift(**fields)
    start = timezone.now().replace(second=0, microsecond=0) + delta
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    return shift


def place(shift: Shift, email: str, status: str = CONFIRMED) -> Signup:
    """A sign-up made long before, so that no reminder has been sent yet."""
    return Signup.objects.create(shift=shift, user=make_user(email), status=status)


def reminders(user: User | None = None) -> list[Notification]:
    rows = Notification.objects.filter(kind="shift_reminder").order_by("pk")
    return list(rows.filter(user=user) if user else rows)


@pytest.mark.django_db
def test_a_volunteer_is_reminded_a_day_before_and_again_two_hours_before() -> None:
    shift = make_shift(address="Riverside Park", postcode="TE1 1ST")
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(datetime.combine(day, time(14, 0)))
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    signup = place(shift, "sam@example.org")

    assert shift_reminders_send(now=shift.start - timedelta(hours=25)) == {"2h": 0, "24h": 0}
    day_before = shift.start - timedelta(hours=23, minutes=55)
    assert shift_reminders_send(now=day_before) == {"2h": 0, "24h": 1}
    assert shift_reminders_send(now=day_before + timedelta(minutes=10))["24h"] == 0
    assert shift_reminders_send(now=shift.start - timedelta(hours=1, minutes=58))["2h"] == 1

    first, second = reminders(signup.user)
    assert first.title == "Reminder: Litter pick by the river, tomorrow at 14:00"
    assert second.title == "Reminder: Litter pick by the river, today at 14:00"
    assert f"{start:%a %-d %b}, 14:00 to 17:00 with Park Friends." in first.body
    assert "Where: Riverside Park, TE1 1ST." in first.body
    assert first.url == second.url == "/my-shifts/"


@pytest.mark.django_db
def test_the_reminder_task_run_twice_sends_one_reminder_per_signup() -> None:
    tomorrow = shift_starting_in(timedelta(hours=20))
    soon = shift_starting_in(timedelta(hours=1), title="Food bank sorting")
    people = [place(tomorrow, f"t{n}@example.org") for n in range(3)]
    people += [place(soon, f"s{n}@example.org") for n in range(2)]

    assert shift_reminders.delay().get() == {"2h": 2, "24h": 3}
    assert shift_reminders.delay().get() == {"2h": 0, "24h": 0}

    assert len(reminders()) == 5
    for signup in people:
        assert len(reminders(signup.user)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_task_at_once_send_each_reminder_once() -> None:
    shift = shift_starting_in(timedelta(hours=12), capacity=40)
    for n in range(40):
        place(shift, f"v{n}@example.org")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            shift_reminders_send()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(reminders()) == 40
    assert len({row.user_id for row in reminders()}) == 40


@pytest.mark.django_db
def test_a_place_taken_three_hours_before_gets_only_the_two_hour_reminder(
    resident: User,
) -> None:
    shift = shift_starting_in(timedelta(hours=3))
    signup_create(shift=shift, user=resident)

    now = timezone.now()
    assert shift_reminders_send(now=now) == {"2h": 0, "24h": 0}
    assert shift_reminders_send(now=shift.start - timedelta(hours=1, minutes=55))["2h"] == 1
    assert shift_reminders_send(now=shift.start - timedelta(minutes=30)) == {"2h": 0, "24h": 0}
    assert len(reminders(resident)) == 1


@pytest.mark.django_db
def test_a_reminder_missed_while_the_task_was_down_sends_only_the_nearer_one() -> None:
    shift = shift_starting_in(timedelta(hours=1))
    signup = place(shift, "sam@example.org")

    assert shift_reminders_send() == {"2h": 1, "24h": 0}
    assert len(reminders(signup.user)) == 1


@pytest.mark.django_db
def test_people_waiting_and_cancelled_shifts_get_no_reminder() -> None:
    shift = shift_starting_in(timedelta(hours=5), capacity=1)
    place(shift, "coming@example.org")
    waiting = place(shift, "waiting@example.org", status=Signup.State.WAITLISTED)
    gone = shift_starting_in(timedelta(hours=6), title="Food bank sorting")
    place(gone, "told@example.org")
    organiser = gone.opportunity.group.organisers.get().user
    shift_cancel(shift=gone, by=organiser, reason="The hall is flooded.")

    assert shift_reminders_send() == {"2h": 0, "24h": 1}
    assert reminders(waiting.user) == []


def test_celery_beat_runs_the_reminders_every_ten_minutes() -> None:
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "marketplace.board.tasks.shift_reminders"
    )
    assert entry["schedule"] == crontab(minute="*/10")
