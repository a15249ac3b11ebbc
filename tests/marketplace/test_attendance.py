"""Attendance on the day: the organiser's Check in, Did not come and Undo keep to the
check-in window, can be taken back until the hours are confirmed, and the page says
when they open."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.checkin import checkin_open
from marketplace.board.models import Hours, Shift, Signup
from marketplace.board.services.attendance import signup_attendance_undo, signup_mark_attendance
from marketplace.board.services.hours import hours_confirm
from marketplace.organisations import NotAllowed
from tests.conftest import make_user
from tests.marketplace.factories import make_shift
from tests.marketplace.test_hours import organiser_of

pytestmark = pytest.mark.django_db


def shift_starting_in(delta: timedelta, *, hours: int = 2) -> tuple[Shift, Signup]:
    """A shift starting `delta` from now (negative: it began that long ago), with Vi on it."""
    shift = make_shift(title="Riverside planting")
    start = timezone.now() + delta
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=hours))
    shift.refresh_from_db()
    volunteer = make_user("vi@example.org", display_name="Vi")
    signup = Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    return shift, signup


def attended(signup: Signup) -> bool | None:
    signup.refresh_from_db()
    return signup.attended


def test_check_in_opens_an_hour_before_the_start_and_not_sixteen_hours_before() -> None:
    shift, signup = shift_starting_in(timedelta(hours=16))
    with pytest.raises(NotAllowed, match=r"Check-in opens at .*, an hour before the shift starts"):
        signup_mark_attendance(signup=signup, attended=True, by=organiser_of(shift))
    assert attended(signup) is None

    Shift.objects.filter(pk=shift.pk).update(
        start=timezone.now() + timedelta(minutes=50), end=timezone.now() + timedelta(hours=3)
    )
    signup.refresh_from_db()
    signup_mark_attendance(signup=signup, attended=True, by=organiser_of(shift))
    assert attended(signup) is True


def test_nobody_is_marked_as_not_coming_before_the_shift_starts() -> None:
    shift, signup = shift_starting_in(timedelta(minutes=30))
    with pytest.raises(NotAllowed, match="once the shift starts"):
        signup_mark_attendance(signup=signup, attended=False, by=organiser_of(shift))
    assert attended(signup) is None

    Shift.objects.filter(pk=shift.pk).update(start=timezone.now() - timedelta(minutes=1))
    signup.refresh_from_db()
    signup_mark_attendance(signup=signup, attended=False, by=organiser_of(shift))
    assert attended(signup) is False


def test_the_day_after_the_organiser_can_still_mark_who_did_not_come() -> None:
    # Whoever confirms the hours next morning must be able to leave a no-show out.
    shift, signup = shift_starting_in(timedelta(hours=-20), hours=2)  # ended 18 hours ago
    assert not checkin_open(shift)  # the code volunteers scan has closed
    organiser = organiser_of(shift)
    signup_mark_attendance(signup=signup, attended=False, by=organiser)
    result = hours_confirm(shift=shift, minutes={}, by=organiser)
    assert result.confirmed == [] and not Hours.objects.filter(signup=signup).exists()


def test_the_organisers_list_closes_a_week_after_the_end() -> None:
    shift, signup = shift_starting_in(timedelta(days=-8), hours=2)
    organiser = organiser_of(shift)
    for mark in (True, False):
        with pytest.raises(NotAllowed, match=r"The list closed at .*a week after the shift"):
            signup_mark_attendance(signup=signup, attended=mark, by=organiser)
    assert attended(signup) is None


def test_a_check_in_or_a_no_show_is_undone_while_the_window_is_open() -> None:
    shift, signup = shift_starting_in(timedelta(minutes=-10))
    organiser = organiser_of(shift)
    with pytest.raises(NotAllowed, match="Vi is not marked yet, so there is nothing to undo"):
        signup_attendance_undo(signup=signup, by=organiser)

    signup_mark_attendance(signup=signup, attended=True, by=organiser)
    signup_attendance_undo(signup=signup, by=organiser)
    assert attended(signup) is None
    signup_mark_attendance(signup=signup, attended=False, by=organiser)
    signup_attendance_undo(signup=signup, by=organiser)
    assert attended(signup) is None

    signup_mark_attendance(signup=signup, attended=False, by=organiser)
    Shift.objects.filter(pk=shift.pk).update(
        start=timezone.now() - timedelta(days=9), end=timezone.now() - timedelta(days=8)
    )
    signup.refresh_from_db()
    with pytest.raises(NotAllowed, match="The list closed at"):
        signup_attendance_undo(signup=signup, by=organiser)
    assert attended(signup) is False


def test_once_the_hours_are_confirmed_attendance_stays_as_it_is() -> None:
    shift, signup = shift_starting_in(timedelta(hours=-3), hours=2)  # ended an hour ago
    organiser = organiser_of(shift)
    signup_mark_attendance(signup=signup, attended=True, by=organiser)
    hours_confirm(shift=shift, minutes={}, by=organiser)
    assert Hours.objects.get(signup=signup).status == Hours.State.CONFIRMED
    with pytest.raises(NotAllowed, match="Vi's hours are confirmed, so their attendance"):
        signup_attendance_undo(signup=signup, by=organiser)
    with pytest.raises(NotAllowed, match="Vi's hours are confirmed"):
        signup_mark_attendance(signup=signup, attended=False, by=organiser)
    assert attended(signup) is True


def test_only_people_with_a_place_are_marked_and_never_by_themselves(resident: User) -> None:
    shift, signup = shift_starting_in(timedelta(minutes=-10))
    waiting = Signup.objects.create(
        shift=shift, user=make_user("w@example.org", display_name="Wyn"), status="waitlisted"
    )
    with pytest.raises(NotAllowed, match="Wyn does not have a place on this shift"):
        signup_mark_attendance(signup=waiting, attended=True, by=organiser_of(shift))
    with pytest.raises(NotAllowed, match="Only the group's organisers"):
        signup_mark_attendance(signup=signup, attended=True, by=resident)
    with pytest.raises(NotAllowed, match="Only the group's organisers"):
        signup_attendance_undo(signup=signup, by=resident)
    assert attended(waiting) is None and attended(signup) is None


def test_the_page_offers_no_buttons_before_the_window_and_says_when_it_opens(
    client: Client,
) -> None:
    shift, signup = shift_starting_in(timedelta(hours=16))
    client.force_login(organiser_of(shift))
    page = html.unescape(client.get(f"/organise/shifts/{shift.pk}/").content.decode())
    opens = timezone.localtime(shift.start - timedelta(hours=1))
    assert f"Check-in opens at {opens:%H:%M} on {opens:%A %-d %B}" in page
    assert ">Check in<" not in page and "Did not come" not in page

    response = client.post(
        f"/organise/shifts/{shift.pk}/attendance/",
        {"signup": signup.pk, "attended": "yes"},
        follow=True,
    )
    assert "Check-in opens at" in html.unescape(response.content.decode())
    assert attended(signup) is None


def test_the_page_checks_in_and_undoes_with_buttons_far_apart(client: Client) -> None:
    shift, signup = shift_starting_in(timedelta(minutes=-10))
    client.force_login(organiser_of(shift))
    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    assert 'value="yes" class="button attendance__button"' in page
    assert "attendance__button--apart" in page  # "Did not come", now the shift has begun
    url = f"/organise/shifts/{shift.pk}/attendance/"
    checked = client.post(url, {"signup": signup.pk, "attended": "yes"}, follow=True)
    assert "<strong>Checked in</strong>" in checked.content.decode()
    assert 'Undo<span class="visually-hidden"> check-in for Vi</span>' in checked.content.decode()
    undone = client.post(url, {"signup": signup.pk, "attended": "undo"}, follow=True)
    assert attended(signup) is None
    assert "<strong>Checked in</strong>" not in undone.content.decode()
    again = client.post(url, {"signup": signup.pk, "attended": "undo"}, follow=True)
    assert "nothing to undo" in again.content.decode()
    assert client.post(url, {"signup": "nobody", "attended": "yes"}).status_code == 404


def test_the_api_undoes_by_the_same_rules(client: Client) -> None:
    shift, signup = shift_starting_in(timedelta(minutes=-10))
    client.force_login(organiser_of(shift))
    path = f"/api/v1/organise/shifts/{shift.pk}/attendance"
    body = {"signup": signup.pk, "attended": False}
    assert client.post(path, body, content_type="application/json").json()["attended"] is False
    undone = client.post(f"{path}/undo", {"signup": signup.pk}, content_type="application/json")
    assert undone.status_code == 200 and undone.json()["attended"] is None
    again = client.post(f"{path}/undo", {"signup": signup.pk}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"] == "Vi is not marked yet, so there is nothing to undo."

    client.force_login(signup.user)
    refused = client.post(f"{path}/undo", {"signup": signup.pk}, content_type="application/json")
    assert refused.status_code == 403
