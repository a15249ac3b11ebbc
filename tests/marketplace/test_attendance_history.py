"""A volunteer's record with a group (came, did not come, cancelled late) for that
group's organisers on the shift page: this group's shifts only, in one query, and never
on a volunteer's or a shop's page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import CommunityGroup, Shift, Signup
from marketplace.board.organiser_selectors import AttendanceHistory, attendance_history_for
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift
from tests.marketplace.test_hours import organiser_of

pytestmark = pytest.mark.django_db


def past_shift(group: CommunityGroup, days_ago: int, **fields: object) -> Shift:
    shift = make_shift(group=group, title=f"Shift {days_ago} days ago")
    start = timezone.now() - timedelta(days=days_ago)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2), **fields)
    shift.refresh_from_db()
    return shift


def cancelled(shift: Shift, user: User, hours_before: int) -> Signup:
    return Signup.objects.create(
        shift=shift,
        user=user,
        status=Signup.State.CANCELLED,
        cancelled_at=shift.start - timedelta(hours=hours_before),
    )


def came(shift: Shift, user: User, attended: bool) -> Signup:
    return Signup.objects.create(
        shift=shift, user=user, status=Signup.State.CONFIRMED, attended=attended
    )


@pytest.fixture
def history() -> tuple[Shift, User, User]:
    """Vi: came twice, missed once, cancelled late once (and early once) with Park
    Friends; came to another group's shifts, which never count here. Ned: new."""
    group = make_group()
    vi = make_user("vi@example.org", display_name="Vi")
    ned = make_user("ned@example.org", display_name="Ned")
    came(past_shift(group, 30), vi, True)
    came(past_shift(group, 20), vi, True)
    came(past_shift(group, 10), vi, False)
    cancelled(past_shift(group, 8), vi, hours_before=3)  # late
    cancelled(past_shift(group, 6), vi, hours_before=48)  # in good time
    gone = timezone.now() - timedelta(days=5)
    called_off = past_shift(group, 4, cancelled_at=gone, cancel_reason="Flooded")
    cancelled(called_off, vi, hours_before=1)  # the group called it off: not hers
    other = make_group("Other Group")
    for days in (15, 12):
        came(past_shift(other, days), vi, False)
    today = make_shift(group=group, title="Today")
    for person in (vi, ned):
        Signup.objects.create(shift=today, user=person, status=Signup.State.CONFIRMED)
    return today, vi, ned


def test_the_record_counts_this_groups_other_shifts_in_one_query(
    history: tuple[Shift, User, User], django_assert_num_queries: object
) -> None:
    today, vi, ned = history
    with django_assert_num_queries(1):  # type: ignore[operator]
        found = attendance_history_for(today)
    assert found[vi.pk] == AttendanceHistory(came=2, no_shows=1, cancelled_late=1)
    assert ned.pk not in found
    assert AttendanceHistory().first_time


def test_the_shift_page_shows_each_volunteers_record_to_the_organiser(
    client: Client, history: tuple[Shift, User, User]
) -> None:
    today, _, _ = history
    client.force_login(organiser_of(today))
    page = client.get(f"/organise/shifts/{today.pk}/").content.decode()
    assert "Came 2 · no-show 1 · cancelled late 1" in page
    assert "First time with your group" in page


def test_no_volunteer_sees_anyones_record(
    client: Client, history: tuple[Shift, User, User]
) -> None:
    today, _, ned = history
    client.force_login(ned)
    for url in ("/my-shifts/", f"/opportunities/{today.opportunity_id}/"):
        page = client.get(url).content.decode()
        assert "no-show" not in page and "cancelled late" not in page, url
    assert client.get(f"/organise/shifts/{today.pk}/").status_code == 403
    listing = client.get("/api/v1/me/signups").content.decode()
    assert "no_show" not in listing and "cancelled_late" not in listing
