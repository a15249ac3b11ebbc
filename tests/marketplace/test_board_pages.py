import pytest
from django.test import Client
from icalendar import Calendar

from accounts.models import User
from marketplace.models import CalendarFeed, Signup, Status
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def test_a_resident_signs_up_from_the_opportunity_page_and_sees_it_in_my_shifts(
    client: Client, resident: User
) -> None:
    shift = make_shift(title="Riverside planting")
    client.force_login(resident)
    page = client.get(f"/opportunities/{shift.opportunity_id}/").content.decode()
    assert "10 places left" in page

    response = client.post(f"/shifts/{shift.pk}/sign-up/")
    assert response["Location"] == "/my-shifts/"
    mine = client.get("/my-shifts/").content.decode()
    assert "Riverside planting" in mine
    assert "Place confirmed" in mine

    ics = client.get(f"/shifts/{shift.pk}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert "Riverside planting" in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == shift.start


def test_a_refusal_is_shown_on_the_opportunity_page(client: Client, resident: User) -> None:
    shift = make_shift(dbs_required=True)
    client.force_login(resident)
    response = client.post(f"/shifts/{shift.pk}/sign-up/", follow=True)
    assert "needs a DBS check" in response.content.decode()
    assert not Signup.objects.exists()


def test_cancelling_from_my_shifts_frees_the_place(client: Client, resident: User) -> None:
    shift = make_shift(capacity=1)
    client.force_login(resident)
    client.post(f"/shifts/{shift.pk}/sign-up/")
    signup = Signup.objects.get()
    client.post(f"/my-shifts/{signup.pk}/cancel/")
    signup.refresh_from_db()
    assert signup.status == Signup.State.CANCELLED
    assert "You have no shifts coming up" in client.get("/my-shifts/").content.decode()


def test_an_unverified_groups_opportunity_is_invisible_to_residents(
    client: Client, resident: User
) -> None:
    hidden = make_shift(group=make_group("Not Yet", status=Status.PENDING), title="Secret")
    client.force_login(resident)
    assert client.get(f"/opportunities/{hidden.opportunity_id}/").status_code == 404
    assert "Secret" not in client.get("/opportunities/").content.decode()


def test_someone_elses_calendar_file_and_cancel_are_not_found(
    client: Client, resident: User
) -> None:
    shift = make_shift()
    other = User.objects.create_user("other@example.org", "pw-long-enough-1")
    client.force_login(other)
    client.post(f"/shifts/{shift.pk}/sign-up/")
    signup = Signup.objects.get()
    client.force_login(resident)
    assert client.get(f"/shifts/{shift.pk}/calendar.ics").status_code == 404
    assert client.post(f"/my-shifts/{signup.pk}/cancel/").status_code == 404
    signup.refresh_from_db()
    assert signup.status == Signup.State.CONFIRMED


def test_signing_up_needs_a_login(client: Client) -> None:
    shift = make_shift()
    response = client.post(f"/shifts/{shift.pk}/sign-up/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Signup.objects.exists()


def test_a_private_calendar_feed_lists_my_shifts_until_i_revoke_it(
    client: Client, resident: User
) -> None:
    shift = make_shift(title="Riverside planting")
    client.force_login(resident)
    client.post(f"/shifts/{shift.pk}/sign-up/")
    client.post("/my-shifts/calendar/", {"action": "renew"})
    feed = CalendarFeed.objects.get(user=resident)
    assert f"/calendar/{feed.token}.ics" in client.get("/my-shifts/").content.decode()

    client.logout()  # a calendar app has no session
    body = client.get(f"/calendar/{feed.token}.ics")
    assert body.status_code == 200
    events = Calendar.from_ical(body.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Riverside planting (Park Friends)"]

    client.force_login(resident)
    client.post("/my-shifts/calendar/", {"action": "revoke"})
    client.logout()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert client.get("/calendar/guessed-token.ics").status_code == 404
