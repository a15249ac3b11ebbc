import pytest
from django.test import Client
from icalendar import Calendar

from accounts.models import User
from marketplace.board.models import CalendarFeed, Signup
from marketplace.organisations import Status
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
    other = User.objects.create_user("other@example.org", "pw-long-enough-1", display_name="O")
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


def search_page(client: Client, **params: str) -> str:
    return client.get("/opportunities/", params).content.decode()


def test_the_search_page_offers_use_my_location_only_to_javascript(client: Client) -> None:
    page = search_page(client)
    # Hidden until site.js finds navigator.geolocation; the live region is there to speak.
    assert '<button type="button" class="button button--secondary" data-locate hidden>' in page
    assert '<p role="status" class="locate-status" data-locate-status></p>' in page
    assert 'type="hidden" name="latitude"' in page and 'type="hidden" name="longitude"' in page


def test_a_location_lists_the_nearest_first(client: Client) -> None:
    near = make_shift(title="Near", latitude=53.808, longitude=-1.567)
    make_shift(title="Further", latitude=53.78, longitude=-1.60, days_ahead=1)
    make_shift(title="Far away", latitude=51.5, longitude=-0.12)
    page = search_page(client, latitude="53.808", longitude="-1.567", sort="nearest")
    assert "There is a problem" not in page
    assert "2 opportunities" in page
    assert page.index(">Near</a>") < page.index(">Further</a>")
    assert "Far away" not in page
    assert "Showing what is near where you are." in page
    assert f"/opportunities/{near.opportunity_id}/" in page


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"latitude": "91", "longitude": "0"}, "latitude must be a number from -90 to 90"),
        ({"latitude": "0", "longitude": "-181"}, "longitude must be a number from -180 to 180"),
        ({"latitude": "north", "longitude": "0"}, "latitude must be a number from -90 to 90"),
        ({"latitude": "nan", "longitude": "inf"}, "latitude must be a number from -90 to 90"),
        ({"latitude": "53.8"}, "it needs both a latitude and a longitude"),
    ],
)
def test_a_location_that_cannot_be_used_is_explained_on_the_postcode(
    client: Client, params: dict[str, str], problem: str
) -> None:
    page = search_page(client, sort="nearest", **params)
    assert "There is a problem" in page
    assert f'<a href="#id_postcode">We couldn&#x27;t use that location: {problem}' in page
    assert "Enter a postcode instead." in page
    assert "Enter a postcode to sort by distance." not in page  # one error is enough
    assert "opportunities</h2>" not in page


def test_a_postcode_wins_over_a_location(client: Client) -> None:
    make_shift(title="Community gardening", latitude=53.80771, longitude=-1.56653)
    page = search_page(client, postcode="BK3 2AA", latitude="999", longitude="0", sort="nearest")
    assert "There is a problem" not in page
    assert "Community gardening" in page


def test_the_distance_shown_is_the_one_searched_when_none_is_given(client: Client) -> None:
    page = client.get("/opportunities/?q=litter").content.decode()
    assert '<option value="5" selected>5 miles</option>' in page
