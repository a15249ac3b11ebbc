import json
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, Signup
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.reminders import shift_reminders_send
from marketplace.board.services.shifts import shift_cancel, shift_update
from marketplace.board.services.signups import signup_create
from marketplace.organisations import NotAllowed
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED = Signup.State.CONFIRMED, Signup.State.WAITLISTED
CANCELLED = Signup.State.CANCELLED


def organiser(shift: Shift) -> User:
    return shift.opportunity.group.organisers.get().user


def full_shift_with_a_waiting_list(places: int = 2, waiting: int = 2) -> Shift:
    shift = make_shift(capacity=places)
    for n in range(places + waiting):
        signup_create(shift=shift, user=make_user(f"v{n}@example.org"))
    return shift


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


def local(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def test_moving_a_shift_tells_everyone_with_a_place_or_waiting() -> None:
    shift = full_shift_with_a_waiting_list()
    leaver = shift.signups.first()
    assert leaver is not None
    leaver.status = CANCELLED
    leaver.save()

    shift_update(shift=shift, by=organiser(shift), start=local(5, 10), end=local(5, 12), capacity=2)

    assert told("shift_changed") == {"v1@example.org", "v2@example.org", "v3@example.org"}
    moved = Notification.objects.filter(kind="shift_changed").first()
    assert moved is not None
    assert "has moved to" in moved.title and "10:00" in moved.title
    assert "Now" in moved.body and "10:00 to 12:00" in moved.body
    assert moved.url == "/my-shifts/"


def test_places_cannot_go_below_the_places_taken() -> None:
    shift = full_shift_with_a_waiting_list(places=3, waiting=0)
    with pytest.raises(NotAllowed, match="3 people have a place already"):
        shift_update(shift=shift, by=organiser(shift), start=shift.start, end=shift.end, capacity=2)
    shift.refresh_from_db()
    assert shift.capacity == 3


def test_more_places_go_to_the_people_waiting_longest() -> None:
    shift = full_shift_with_a_waiting_list(places=2, waiting=3)

    shift_update(shift=shift, by=organiser(shift), start=shift.start, end=shift.end, capacity=4)

    statuses = dict(shift.signups.values_list("user__email", "status"))
    assert statuses == {
        "v0@example.org": CONFIRMED,
        "v1@example.org": CONFIRMED,
        "v2@example.org": CONFIRMED,
        "v3@example.org": CONFIRMED,
        "v4@example.org": WAITLISTED,
    }
    assert told("signup_promoted") == {"v2@example.org", "v3@example.org"}
    assert told("shift_changed") == set()  # the time is the same: nobody else is bothered


def test_cancelling_a_shift_cancels_every_place_and_tells_everyone_why() -> None:
    shift = full_shift_with_a_waiting_list(places=1, waiting=1)

    shift_cancel(shift=shift, by=organiser(shift), reason="The hall is flooded.")
    shift_cancel(shift=shift, by=organiser(shift), reason="Said twice.")

    shift.refresh_from_db()
    assert shift.is_cancelled and shift.cancel_reason == "The hall is flooded."
    assert set(shift.signups.values_list("status", flat=True)) == {CANCELLED}
    assert told("shift_cancelled") == {"v0@example.org", "v1@example.org"}
    cancelled = Notification.objects.filter(kind="shift_cancelled")
    assert cancelled.count() == 2
    assert all("The hall is flooded." in n.body for n in cancelled)
    assert all(n.url == f"/opportunities/{shift.opportunity_id}/" for n in cancelled)


def test_a_cancelled_shift_takes_no_signups_leaves_search_and_shows_as_cancelled(
    client: Client, resident: User
) -> None:
    shift = make_shift(title="Towpath clean-up")
    shift_cancel(shift=shift, by=organiser(shift), reason="The towpath is closed.")

    with pytest.raises(SignupRefused, match="cancelled"):
        signup_create(shift=shift, user=resident)
    assert "Towpath clean-up" not in client.get("/opportunities/?q=towpath").content.decode()
    client.force_login(resident)
    page = client.get(f"/opportunities/{shift.opportunity_id}/").content.decode()
    assert "Cancelled.</strong> The towpath is closed." in page
    assert "Sign up" not in page
    listed = client.get(f"/api/v1/opportunities/{shift.opportunity_id}").json()["shifts"]
    assert listed[0]["cancelled"] is True and listed[0]["places_left"] == 0


def test_cancelling_needs_a_reason_and_a_started_shift_cannot_change() -> None:
    shift = make_shift()
    with pytest.raises(NotAllowed, match="Give a reason"):
        shift_cancel(shift=shift, by=organiser(shift), reason="  ")
    Shift.objects.filter(pk=shift.pk).update(start=timezone.now() - timedelta(minutes=5))
    shift.refresh_from_db()
    with pytest.raises(NotAllowed, match="already started"):
        shift_cancel(shift=shift, by=organiser(shift), reason="Rain")
    with pytest.raises(NotAllowed, match="already started"):
        shift_update(
            shift=shift,
            by=organiser(shift),
            start=local(3, 10),
            end=local(3, 12),
            capacity=5,
        )


def test_only_the_groups_organisers_can_change_or_cancel_a_shift(
    client: Client, resident: User
) -> None:
    shift = make_shift()
    with pytest.raises(NotAllowed):
        shift_cancel(shift=shift, by=resident, reason="Mischief")
    client.force_login(resident)
    assert client.get(f"/organise/shifts/{shift.pk}/change/").status_code == 403
    assert client.post(f"/organise/shifts/{shift.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert send(client, "post", f"/organise/shifts/{shift.pk}/cancel", {"reason": "x"}) == 403
    shift.refresh_from_db()
    assert not shift.is_cancelled


def test_moving_a_shift_sets_its_reminders_going_again() -> None:
    shift = make_shift(capacity=3)
    Shift.objects.filter(pk=shift.pk).update(start=local(1, 12), end=local(1, 14))
    shift.refresh_from_db()
    Signup.objects.create(shift=shift, user=make_user("sam@example.org"), status=CONFIRMED)
    assert shift_reminders_send(now=local(0, 13))["24h"] == 1

    shift_update(shift=shift, by=organiser(shift), start=local(4, 9), end=local(4, 11), capacity=3)

    assert shift_reminders_send(now=local(3, 10))["24h"] == 1
    assert Notification.objects.filter(kind="shift_reminder").count() == 2


# The organiser's pages


def test_the_change_page_shows_the_shift_and_explains_a_refused_number_of_places(
    client: Client,
) -> None:
    shift = full_shift_with_a_waiting_list(places=2, waiting=0)
    client.force_login(organiser(shift))
    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    assert "Change time or places" in page and "Cancel this shift" in page

    form = client.get(f"/organise/shifts/{shift.pk}/change/").content.decode()
    start = timezone.localtime(shift.start)
    assert f'value="{start:%H:%M}"' in form and 'value="2"' in form
    data = {
        "day": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{timezone.localtime(shift.end):%H:%M}",
        "capacity": "1",
    }
    refused = client.post(f"/organise/shifts/{shift.pk}/change/", data).content.decode()
    assert "2 people have a place already, so there must be at least 2 places." in refused

    response = client.post(
        f"/organise/shifts/{shift.pk}/change/", {**data, "capacity": "6"}, follow=True
    )
    assert "Shift changed." in response.content.decode()
    shift.refresh_from_db()
    assert shift.capacity == 6
    assert told("shift_changed") == set()  # same minute shown, so not a move


def test_the_cancel_page_asks_first_then_cancels_with_the_reason(client: Client) -> None:
    shift = full_shift_with_a_waiting_list(places=1, waiting=0)
    client.force_login(organiser(shift))
    page = client.get(f"/organise/shifts/{shift.pk}/cancel/").content.decode()
    assert "1 person has a place or is waiting." in page
    shift.refresh_from_db()
    assert not shift.is_cancelled

    empty = client.post(f"/organise/shifts/{shift.pk}/cancel/", {"reason": ""}).content.decode()
    assert "Give a reason, so that volunteers know why." in empty
    done = client.post(
        f"/organise/shifts/{shift.pk}/cancel/", {"reason": "Storm warning"}, follow=True
    ).content.decode()
    assert "Shift cancelled." in done
    assert "This shift was cancelled</strong>" in done and "Storm warning" in done
    assert "Change time or places" not in done
    assert told("shift_cancelled") == {"v0@example.org"}


# The JSON API


def send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    call = getattr(client, method)
    response = call(f"/api/v1{path}", json.dumps(body), content_type="application/json")
    return response.status_code if response.status_code >= 400 else response.json()


def test_the_api_moves_a_shift_changes_its_places_and_cancels_it(client: Client) -> None:
    shift = full_shift_with_a_waiting_list(places=1, waiting=1)
    client.force_login(organiser(shift))
    day = (timezone.localdate() + timedelta(days=6)).isoformat()

    moved = send(client, "patch", f"/organise/shifts/{shift.pk}", {"day": day, "capacity": 2})
    assert moved["capacity"] == 2
    assert timezone.localtime(datetime.fromisoformat(moved["start"])).date().isoformat() == day
    assert [v["status"] for v in moved["confirmed"]] == [CONFIRMED, CONFIRMED]
    assert told("shift_changed") == {"v0@example.org", "v1@example.org"}

    too_few = client.patch(
        f"/api/v1/organise/shifts/{shift.pk}", '{"capacity": 1}', content_type="application/json"
    )
    assert too_few.status_code == 422
    assert "at least 2 places" in too_few.json()["errors"]["capacity"][0]

    assert send(client, "post", f"/organise/shifts/{shift.pk}/cancel", {}) == 422
    gone = send(client, "post", f"/organise/shifts/{shift.pk}/cancel", {"reason": "No hall"})
    assert gone["cancel_reason"] == "No hall" and gone["cancelled_at"]
    assert gone["confirmed"] == [] and gone["waiting"] == []
    assert send(client, "patch", f"/organise/shifts/{shift.pk}", {"capacity": 3}) == 409
