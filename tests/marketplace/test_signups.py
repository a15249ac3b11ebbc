import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import DbsRecord, Opportunity, Signup
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.signups import signup_cancel, signup_create
from marketplace.organisations import Status
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

CONFIRMED, WAITLISTED = Signup.State.CONFIRMED, Signup.State.WAITLISTED


@pytest.mark.django_db(transaction=True)
def test_thirty_people_racing_for_ten_places_get_ten_places_and_twenty_waits() -> None:
    shift = make_shift(capacity=10)
    people = [make_user(f"v{n}@example.org") for n in range(30)]
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def sign_up(person: User) -> None:
        try:
            start.wait()
            signup_create(shift=shift, user=person)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert shift.signups.filter(status=CONFIRMED).count() == 10
    assert shift.signups.filter(status=WAITLISTED).count() == 20

    first_waiting = shift.signups.filter(status=WAITLISTED).order_by("created", "id").first()
    assert first_waiting is not None
    leaving = shift.signups.filter(status=CONFIRMED).first()
    assert leaving is not None
    signup_cancel(signup=leaving)

    first_waiting.refresh_from_db()
    assert first_waiting.status == CONFIRMED
    assert shift.signups.filter(status=CONFIRMED).count() == 10
    assert shift.signups.filter(status=WAITLISTED).count() == 19
    promoted = Notification.objects.filter(user=first_waiting.user, kind="signup_promoted")
    assert promoted.count() == 1
    assert "A place came up" in promoted.get().title


@pytest.mark.django_db
def test_signing_up_twice_keeps_one_place(resident: User) -> None:
    shift = make_shift()
    first = signup_create(shift=shift, user=resident)
    again = signup_create(shift=shift, user=resident)
    assert first.pk == again.pk
    assert shift.signups.count() == 1
    assert Notification.objects.filter(user=resident, kind="signup_confirmed").count() == 1


@pytest.mark.django_db
def test_a_cancelled_place_can_be_taken_again(resident: User) -> None:
    shift = make_shift()
    signup_cancel(signup=signup_create(shift=shift, user=resident))
    assert signup_create(shift=shift, user=resident).status == CONFIRMED


@pytest.mark.django_db
def test_overlapping_shifts_cannot_both_be_booked(resident: User) -> None:
    first = make_shift(title="Food bank sorting")
    second = make_shift(group=first.opportunity.group, title="Park clean-up")
    signup_create(shift=first, user=resident)
    with pytest.raises(SignupRefused, match="already signed up to “Food bank sorting”"):
        signup_create(shift=second, user=resident)
    assert second.signups.count() == 0


@pytest.mark.django_db
def test_an_unverified_groups_opportunity_cannot_be_signed_up_to(resident: User) -> None:
    shift = make_shift(group=make_group("New Group", status=Status.PENDING))
    with pytest.raises(SignupRefused, match="not open for sign-ups"):
        signup_create(shift=shift, user=resident)


@pytest.mark.django_db
def test_a_draft_or_past_shift_cannot_be_signed_up_to(resident: User) -> None:
    with pytest.raises(SignupRefused, match="not open"):
        signup_create(shift=make_shift(status=Opportunity.State.DRAFT), user=resident)
    with pytest.raises(SignupRefused, match="already started"):
        signup_create(shift=make_shift(days_ahead=-1), user=resident)


@pytest.mark.django_db
def test_a_resident_under_the_minimum_age_is_refused_with_the_reason() -> None:
    shift = make_shift(minimum_age=18)
    shift_day = shift.start.date()
    young = make_user("young@example.org", birth_date=shift_day.replace(year=shift_day.year - 16))
    unknown = make_user("unknown@example.org")
    grown = make_user("grown@example.org", birth_date=date(1990, 5, 1))
    with pytest.raises(SignupRefused, match=r"for people aged 18 or over\.$"):
        signup_create(shift=shift, user=young)
    with pytest.raises(SignupRefused, match="Tell us your date of birth"):
        signup_create(shift=shift, user=unknown)
    assert signup_create(shift=shift, user=grown).status == CONFIRMED


@pytest.mark.django_db
def test_a_dbs_opportunity_needs_a_current_clear_check(resident: User) -> None:
    shift = make_shift(dbs_required=True)
    with pytest.raises(SignupRefused, match="needs a DBS check"):
        signup_create(shift=shift, user=resident)
    DbsRecord.objects.create(
        user=resident,
        outcome=DbsRecord.Outcome.CLEAR,
        checked_on=timezone.localdate() - timedelta(days=4 * 365),
    )
    with pytest.raises(SignupRefused, match="Your DBS check expired on"):
        signup_create(shift=shift, user=resident)
    DbsRecord.objects.create(
        user=resident, outcome=DbsRecord.Outcome.CLEAR, checked_on=timezone.localdate()
    )
    assert signup_create(shift=shift, user=resident).status == CONFIRMED


@pytest.mark.django_db
def test_a_volunteer_is_told_whether_they_have_a_place_or_a_wait() -> None:
    shift = make_shift(capacity=1)
    first, second = make_user("a@example.org"), make_user("b@example.org")
    signup_create(shift=shift, user=first)
    assert signup_create(shift=shift, user=second).status == WAITLISTED
    titles = dict(Notification.objects.values_list("user__email", "title"))
    assert titles["a@example.org"] == "You're going to Litter pick by the river"
    assert titles["b@example.org"] == "You're on the waiting list for Litter pick by the river"


@pytest.mark.django_db
def test_a_long_title_is_shortened_to_fit_the_notification(resident: User) -> None:
    shift = make_shift(capacity=1, title="Planting " + "wildflowers " * 9)
    first = signup_create(shift=shift, user=make_user("first@example.org"))
    signup_create(shift=shift, user=resident)
    signup_cancel(signup=first)
    promoted = Notification.objects.get(user=resident, kind="signup_promoted")
    assert len(promoted.title) == 140 and promoted.title.endswith("…")
    assert promoted.url == "/my-shifts/"
