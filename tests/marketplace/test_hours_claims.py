import pytest
from django.test import Client

from accounts.models import User
from marketplace.board.models import Hours, Signup
from marketplace.board.services.hours import hours_confirm
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.test_hours import organiser_of, past_shift_with

pytestmark = pytest.mark.django_db


def test_a_volunteer_claims_hours_and_the_organiser_approves_them(client: Client) -> None:
    volunteer = make_user("v@example.org", display_name="Vi")
    shift = past_shift_with([volunteer])
    signup = Signup.objects.get()
    client.force_login(volunteer)
    assert "Claim hours" in client.get("/my-shifts/").content.decode()
    client.post(f"/my-shifts/{signup.pk}/claim/", {"hours": "2", "minutes": "30"})
    hours = Hours.objects.get()
    assert (hours.status, hours.minutes) == ("claimed", 150)
    organiser = organiser_of(shift)
    assert Notification.objects.filter(user=organiser, kind="hours_claimed").exists()

    client.force_login(organiser)
    assert "Claims 2 h 30 min" in client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    client.post(f"/organise/hours/{hours.pk}/decision/", {"decision": "approve"})
    hours.refresh_from_db()
    assert (hours.status, hours.minutes, hours.decided_by) == ("confirmed", 150, organiser)
    client.force_login(volunteer)
    assert "2 h 30 min confirmed" in client.get("/my-shifts/").content.decode()


def test_a_rejection_needs_a_reason_the_volunteer_sees_and_bulk_confirm_respects_it(
    client: Client,
) -> None:
    volunteer = make_user("v@example.org")
    shift = past_shift_with([volunteer])
    signup = Signup.objects.get()
    client.force_login(volunteer)
    client.post(f"/my-shifts/{signup.pk}/claim/", {"hours": "10", "minutes": "0"})
    hours = Hours.objects.get()
    organiser = organiser_of(shift)
    client.force_login(organiser)
    page = client.post(
        f"/organise/hours/{hours.pk}/decision/", {"decision": "reject", "reason": ""}, follow=True
    ).content.decode()
    assert "Give a reason" in page
    client.post(
        f"/organise/hours/{hours.pk}/decision/",
        {"decision": "reject", "reason": "The shift was three hours."},
    )
    hours.refresh_from_db()
    assert hours.status == "rejected"
    assert hours_confirm(shift=shift, minutes={}, by=organiser).confirmed == []
    client.force_login(volunteer)
    assert "The shift was three hours." in client.get("/my-shifts/").content.decode()


def test_claims_are_only_for_your_own_finished_shifts(client: Client, resident: User) -> None:
    volunteer = make_user("v@example.org")
    past_shift_with([volunteer])
    signup = Signup.objects.get()
    client.force_login(resident)
    mine = {"hours": "1", "minutes": "0"}
    assert client.post(f"/my-shifts/{signup.pk}/claim/", mine).status_code == 404
    client.force_login(volunteer)
    for hours, minutes in (("lots", "0"), ("0", "0"), ("", "")):
        client.post(f"/my-shifts/{signup.pk}/claim/", {"hours": hours, "minutes": minutes})
    assert not Hours.objects.exists()


def test_a_rejection_reason_that_is_too_long_is_explained_not_a_crash(client: Client) -> None:
    volunteer = make_user("v@example.org")
    shift = past_shift_with([volunteer])
    signup = Signup.objects.get()
    hours = Hours.objects.create(signup=signup, minutes=60, status=Hours.State.CLAIMED)
    client.force_login(organiser_of(shift))
    response = client.post(
        f"/organise/hours/{hours.pk}/decision/",
        {"decision": "reject", "reason": "x" * 301},
        follow=True,
    )
    assert "Keep the reason to 300 characters or fewer." in response.content.decode()
    hours.refresh_from_db()
    assert hours.status == Hours.State.CLAIMED
