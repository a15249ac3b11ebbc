import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import GroupOrganiser, Hours, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from marketplace.organisations import NotAllowed
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def past_shift_with(volunteers: list[User], title: str = "Litter pick") -> Shift:
    shift = make_shift(title=title)
    for volunteer in volunteers:
        Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    # Move it into the past, as if it ended an hour ago (check-in is still open).
    start = timezone.now() - timedelta(hours=4)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    return shift


def organiser_of(shift: Shift) -> User:
    return GroupOrganiser.objects.filter(group=shift.opportunity.group).first().user  # type: ignore[union-attr]


def test_an_organiser_confirms_a_whole_shift_in_one_action_and_each_volunteer_sees_it(
    client: Client,
) -> None:
    volunteers = [make_user(f"v{n}@example.org", display_name=f"V{n}") for n in range(3)]
    shift = past_shift_with(volunteers)
    organiser = organiser_of(shift)
    no_show = shift.signups.get(user=volunteers[2])
    client.force_login(organiser)
    client.post(
        f"/organise/shifts/{shift.pk}/attendance/", {"signup": no_show.pk, "attended": "no"}
    )
    first = shift.signups.get(user=volunteers[0])

    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    # Each person's time defaults to the shift's length, in hours and minutes.
    assert f'name="time-{first.pk}-hours" value="3"' in page
    assert f'name="time-{first.pk}-minutes" value="0"' in page
    response = client.post(
        f"/organise/shifts/{shift.pk}/hours/",
        {f"time-{first.pk}-hours": "2", f"time-{first.pk}-minutes": "30"},
        follow=True,
    )
    assert "Confirmed hours for 2 volunteers." in response.content.decode()
    assert "V2 was marked as not coming." in response.content.decode()
    minutes = dict(Hours.objects.values_list("signup__user__email", "minutes"))
    assert minutes == {"v0@example.org": 150, "v1@example.org": 180}

    client.force_login(volunteers[1])
    assert "3 h confirmed" in client.get("/my-shifts/").content.decode()
    assert Notification.objects.filter(user=volunteers[1], kind="hours_confirmed").count() == 1


def test_confirming_twice_changes_nothing() -> None:
    volunteer = make_user("v@example.org")
    shift = past_shift_with([volunteer])
    organiser = organiser_of(shift)
    assert len(hours_confirm(shift=shift, minutes={}, by=organiser).confirmed) == 1
    again = hours_confirm(shift=shift, minutes={shift.signups.get().pk: 30}, by=organiser)
    assert again.confirmed == []
    assert Hours.objects.get().minutes == 180


def test_an_organiser_never_confirms_their_own_hours() -> None:
    shift = past_shift_with([])
    organiser = organiser_of(shift)
    Signup.objects.create(shift=shift, user=organiser, status=Signup.State.CONFIRMED)
    result = hours_confirm(shift=shift, minutes={}, by=organiser)
    assert result.confirmed == []
    assert result.skipped == ["Your own hours need another organiser to confirm them."]
    assert not Hours.objects.exists()


def test_an_organiser_cannot_see_or_confirm_another_groups_shift(client: Client) -> None:
    volunteer = make_user("v@example.org")
    shift = past_shift_with([volunteer])
    other_group = make_group("Other Group")
    stranger = organiser_of(make_shift(group=other_group, title="Theirs"))
    client.force_login(stranger)
    assert client.get(f"/organise/shifts/{shift.pk}/").status_code == 403
    assert client.post(f"/organise/shifts/{shift.pk}/hours/").status_code == 403
    with pytest.raises(NotAllowed, match="Only the group's organisers"):
        hours_confirm(shift=shift, minutes={}, by=stranger)
    assert not Hours.objects.exists()


def test_hours_wait_for_the_shift_to_end_and_must_be_sensible(client: Client) -> None:
    volunteer = make_user("v@example.org")
    upcoming = make_shift()
    Signup.objects.create(shift=upcoming, user=volunteer, status=Signup.State.CONFIRMED)
    with pytest.raises(NotAllowed, match="once the shift has ended"):
        hours_confirm(shift=upcoming, minutes={}, by=organiser_of(upcoming))

    shift = past_shift_with([make_user("w@example.org")], title="Past")
    signup = shift.signups.get()
    client.force_login(organiser_of(shift))
    for hours, minutes, message in (
        ("lots", "0", "Enter the hours as a number, like 3 or 2.5."),
        ("1", "90", "Enter the minutes as a whole number from 0 to 59"),
        ("0", "0", "The time must be between 1 minute and 24 hours."),
        ("25", "0", "The time must be between 1 minute and 24 hours."),
    ):
        sent = {f"time-{signup.pk}-hours": hours, f"time-{signup.pk}-minutes": minutes}
        page = client.post(f"/organise/shifts/{shift.pk}/hours/", sent, follow=True)
        assert f"Time for {signup.user.display_name or 'a volunteer'}: {message}" in html.unescape(
            page.content.decode()
        )
    assert not Hours.objects.exists()
