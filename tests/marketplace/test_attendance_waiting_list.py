"""Someone on a waiting list has no place: My shifts, the opportunity page and the
shift's check-in code offer them neither "I'm here" nor "Add to calendar"."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from marketplace.board.checkin import checkin_token
from marketplace.board.models import Shift, Signup
from marketplace.board.services.signups import calendar_feed_renew
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_shift() -> tuple[Shift, Signup, Signup]:
    """A one-place shift starting in half an hour (check-in is open): Ana has the place,
    Wyn is waiting."""
    shift = make_shift(capacity=1, title="Riverside planting")
    start = timezone.now() + timedelta(minutes=30)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    shift.refresh_from_db()
    going = Signup.objects.create(
        shift=shift, user=make_user("ana@example.org", display_name="Ana"), status="confirmed"
    )
    waiting = Signup.objects.create(
        shift=shift, user=make_user("wyn@example.org", display_name="Wyn"), status="waitlisted"
    )
    return shift, going, waiting


def test_my_shifts_offers_the_calendar_only_to_someone_with_a_place(
    client: Client, full_shift: tuple[Shift, Signup, Signup]
) -> None:
    shift, going, waiting = full_shift
    client.force_login(going.user)
    assert "Add to calendar" in client.get("/my-shifts/").content.decode()
    assert client.get(f"/shifts/{shift.pk}/calendar.ics").status_code == 200

    client.force_login(waiting.user)
    page = client.get("/my-shifts/").content.decode()
    assert "On the waiting list" in page
    assert "Add to calendar" not in page and "I&#x27;m here" not in page and "I'm here" not in page
    assert client.get(f"/shifts/{shift.pk}/calendar.ics").status_code == 404


def test_the_opportunity_page_offers_a_waiting_person_neither(
    client: Client, full_shift: tuple[Shift, Signup, Signup]
) -> None:
    shift, _, waiting = full_shift
    client.force_login(waiting.user)
    page = client.get(f"/opportunities/{shift.opportunity_id}/").content.decode()
    assert "On the waiting list." in page
    assert "Add to calendar" not in page and "I&#x27;m here" not in page and "I'm here" not in page


def test_the_check_in_code_tells_a_waiting_person_they_have_no_place(
    client: Client, full_shift: tuple[Shift, Signup, Signup]
) -> None:
    shift, going, waiting = full_shift
    url = f"/shifts/{shift.pk}/check-in/{checkin_token(shift)}/"
    client.force_login(waiting.user)
    page = client.get(url).content.decode()
    assert "on the waiting list for this shift" in page
    assert "I'm here" not in page and "I&#x27;m here" not in page
    client.post(url)
    waiting.refresh_from_db()
    assert waiting.attended is None

    client.force_login(going.user)
    assert "I'm here" in client.get(url).content.decode()


def test_the_private_calendar_feed_leaves_out_a_shift_the_person_only_waits_for(
    client: Client, full_shift: tuple[Shift, Signup, Signup]
) -> None:
    _, _, waiting = full_shift
    feed = calendar_feed_renew(user=waiting.user)
    other = make_shift(title="Library reading")
    Signup.objects.create(shift=other, user=waiting.user, status="confirmed")

    body = client.get(f"/calendar/{feed.token}.ics")
    events = Calendar.from_ical(body.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Library reading (Park Friends)"]
