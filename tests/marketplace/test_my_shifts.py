"""Cancelling from My shifts: a page that asks first, then a button that does it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, Signup
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db


def full_shift_with_a_queue(me: User) -> tuple[Shift, Signup, Signup]:
    """A one-place shift: I have the place and someone else is waiting for it."""
    shift = make_shift(capacity=1, title="Riverside planting")
    mine = Signup.objects.create(shift=shift, user=me, status=Signup.State.CONFIRMED)
    waiting = Signup.objects.create(
        shift=shift, user=make_user("next@example.org"), status=Signup.State.WAITLISTED
    )
    return shift, mine, waiting


def test_my_shifts_links_to_a_page_that_asks_before_cancelling(
    client: Client, resident: User
) -> None:
    shift, mine, _ = full_shift_with_a_queue(resident)
    client.force_login(resident)
    listing = client.get("/my-shifts/").content.decode()
    assert f'<a href="/my-shifts/{mine.pk}/cancel/">Cancel' in listing

    page = client.get(f"/my-shifts/{mine.pk}/cancel/").content.decode()
    assert "Cancel your place on Riverside planting, " in page
    assert f"{timezone.localtime(shift.start):%A %-d %B, %H:%M}</time>?</h1>" in page
    assert "Yes, cancel my place" in page
    assert 'href="/my-shifts/">Keep my place</a>' in page
    mine.refresh_from_db()
    assert mine.status == Signup.State.CONFIRMED  # looking is not cancelling


def test_confirming_cancels_and_gives_the_place_to_the_next_person(
    client: Client, resident: User
) -> None:
    _, mine, waiting = full_shift_with_a_queue(resident)
    client.force_login(resident)
    response = client.post(f"/my-shifts/{mine.pk}/cancel/", follow=True)
    assert response.redirect_chain == [("/my-shifts/", 302)]
    assert "It goes to the next person waiting." in response.content.decode()
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == Signup.State.CANCELLED
    assert waiting.status == Signup.State.CONFIRMED


def test_leaving_the_waiting_list_says_so(client: Client) -> None:
    _, _, waiting = full_shift_with_a_queue(make_user("first@example.org"))
    client.force_login(waiting.user)
    page = client.get(f"/my-shifts/{waiting.pk}/cancel/").content.decode()
    assert "You are on the waiting list for this shift." in page
    response = client.post(f"/my-shifts/{waiting.pk}/cancel/", follow=True)
    assert "off the waiting list for Riverside planting." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Signup.State.CANCELLED


def test_a_cancelled_or_someone_elses_sign_up_is_not_found(client: Client, resident: User) -> None:
    _, mine, waiting = full_shift_with_a_queue(resident)
    client.force_login(resident)
    assert client.get(f"/my-shifts/{waiting.pk}/cancel/").status_code == 404
    assert client.post(f"/my-shifts/{waiting.pk}/cancel/").status_code == 404
    client.post(f"/my-shifts/{mine.pk}/cancel/")
    assert client.get(f"/my-shifts/{mine.pk}/cancel/").status_code == 404
    assert client.post(f"/my-shifts/{mine.pk}/cancel/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Signup.State.CONFIRMED


def test_the_cancel_page_needs_a_login(client: Client, resident: User) -> None:
    _, mine, _ = full_shift_with_a_queue(resident)
    response = client.get(f"/my-shifts/{mine.pk}/cancel/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_shift_that_has_started_can_no_longer_be_cancelled(client: Client) -> None:
    volunteer = make_user("late@example.org")
    shift = make_shift()
    signup = Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    start = timezone.now() - timedelta(hours=1)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    client.force_login(volunteer)
    page = client.post(f"/my-shifts/{signup.pk}/cancel/", follow=True).content.decode()
    assert "already started, so it can no longer be cancelled" in page
    response = client.post(f"/api/v1/me/signups/{signup.pk}/cancel")
    assert response.status_code == 409
    signup.refresh_from_db()
    assert signup.status == Signup.State.CONFIRMED
