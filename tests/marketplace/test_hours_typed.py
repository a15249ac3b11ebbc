"""Time is typed in hours and minutes, as people say it (a 3-hour shift is "3" and "0",
not 180), and shown as "3 h" or "2 h 30 min"; the services still keep whole minutes."""

import pytest
from django.test import Client

from coins.models import Transfer
from marketplace.board.hours_forms import TimeGivenForm
from marketplace.board.models import Hours, Signup
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.test_hours import organiser_of, past_shift_with

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("hours", "minutes", "total"),
    [("3", "0", 180), ("2", "30", 150), ("2.5", "", 150), ("2,5", "0", 150), ("", "45", 45)],
)
def test_hours_and_minutes_are_read_as_people_type_them(
    hours: str, minutes: str, total: int
) -> None:
    form = TimeGivenForm({"hours": hours, "minutes": minutes})
    assert form.is_valid(), form.errors
    assert form.total_minutes() == total


@pytest.mark.parametrize(
    ("hours", "minutes", "message"),
    [
        ("three", "0", "Enter the hours as a number, like 3 or 2.5."),
        ("-1", "0", "Enter the hours as a number, like 3 or 2.5."),
        ("1", "75", "Enter the minutes as a whole number from 0 to 59; put whole hours in Hours."),
        ("", "", "The time must be between 1 minute and 24 hours."),
        ("24", "30", "The time must be between 1 minute and 24 hours."),
    ],
)
def test_time_that_cannot_be_read_says_what_to_type(hours: str, minutes: str, message: str) -> None:
    form = TimeGivenForm({"hours": hours, "minutes": minutes})
    assert not form.is_valid()
    assert form.problems() == [message]


def test_a_volunteer_claims_in_hours_and_minutes_prefilled_with_the_shifts_length(
    client: Client,
) -> None:
    volunteer = make_user("v@example.org", display_name="Vi")
    past_shift_with([volunteer])
    signup = Signup.objects.get()
    client.force_login(volunteer)
    page = client.get("/my-shifts/").content.decode()
    assert "<legend>Time you gave</legend>" in page
    assert 'name="hours" value="3" inputmode="decimal"' in page
    assert f'id="claim-{signup.pk}-hours"' in page and "Minutes you gave" not in page

    response = client.post(
        f"/my-shifts/{signup.pk}/claim/", {"hours": "1.5", "minutes": "0"}, follow=True
    )
    assert "you claimed 1 h 30 min, waiting for the organiser" in response.content.decode()
    assert Hours.objects.get().minutes == 90

    Hours.objects.all().delete()
    response = client.post(
        f"/my-shifts/{signup.pk}/claim/", {"hours": "1", "minutes": "90"}, follow=True
    )
    assert "Enter the minutes as a whole number from 0 to 59" in response.content.decode()
    assert not Hours.objects.exists()


def test_the_organiser_confirms_in_hours_and_minutes_and_sees_whole_hours_plainly(
    client: Client,
) -> None:
    volunteers = [make_user(f"v{n}@example.org", display_name=f"V{n}") for n in range(2)]
    shift = past_shift_with(volunteers)
    first, second = (shift.signups.get(user=v) for v in volunteers)
    client.force_login(organiser_of(shift))
    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    assert "<legend>Time for V0</legend>" in page and "Minutes for" not in page
    assert "the shift&#x27;s length (3 h)" in page or "the shift's length (3 h)" in page
    client.post(
        f"/organise/shifts/{shift.pk}/hours/",
        {f"time-{first.pk}-hours": "0", f"time-{first.pk}-minutes": "45"},
    )
    assert dict(Hours.objects.values_list("signup_id", "minutes")) == {first.pk: 45, second.pk: 180}
    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    assert "45 min confirmed" in page and "0 h 45 min" not in page
    assert "3 h confirmed" in page and "3 h 0 min" not in page


def test_the_volunteers_notice_and_statement_say_45_min_not_0_h_45_min(client: Client) -> None:
    volunteer = make_user("v9@example.org", display_name="V9")
    shift = past_shift_with([volunteer])
    signup = shift.signups.get(user=volunteer)
    client.force_login(organiser_of(shift))
    client.post(
        f"/organise/shifts/{shift.pk}/hours/",
        {f"time-{signup.pk}-hours": "0", f"time-{signup.pk}-minutes": "45"},
    )
    notice = Notification.objects.get(user=volunteer, kind="hours_confirmed")
    assert notice.title.startswith("45 min confirmed for ")
    mint = Transfer.objects.get(kind=Transfer.Kind.MINT)
    assert mint.memo.startswith("45 min volunteering: ")
