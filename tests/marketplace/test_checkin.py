from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.checkin import checkin_token
from marketplace.board.models import GroupOrganiser, Shift, Signup
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db


def shift_starting_now() -> Shift:
    shift = make_shift()
    start = timezone.now() - timedelta(minutes=10)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    shift.refresh_from_db()
    return shift


def test_the_organiser_shows_a_qr_code_and_a_volunteer_checks_in_with_it(
    client: Client, resident: User
) -> None:
    shift = shift_starting_now()
    Signup.objects.create(shift=shift, user=resident, status=Signup.State.CONFIRMED)
    client.force_login(GroupOrganiser.objects.get(group=shift.opportunity.group).user)
    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    assert "<svg" in page and "Check-in code for volunteers to scan" in page

    client.force_login(resident)
    url = f"/shifts/{shift.pk}/check-in/{checkin_token(shift)}/"
    assert "I'm here" in client.get(url).content.decode()
    assert Signup.objects.get().attended is None  # opening the link alone does nothing
    response = client.post(url, follow=True)
    assert "checked in to Litter pick by the river" in response.content.decode()
    assert Signup.objects.get().attended is True


def test_a_forged_or_other_shifts_code_checks_nobody_in(client: Client, resident: User) -> None:
    shift = shift_starting_now()
    other = make_shift(title="Other")
    Signup.objects.create(shift=shift, user=resident, status=Signup.State.CONFIRMED)
    client.force_login(resident)
    for token in (checkin_token(other), "forged-token", checkin_token(shift) + "x"):
        response = client.post(f"/shifts/{shift.pk}/check-in/{token}/", follow=True)
        assert "not valid for this shift" in response.content.decode()
    assert Signup.objects.get().attended is None


def test_only_people_with_a_place_can_check_in_and_only_around_the_shift(client: Client) -> None:
    shift = shift_starting_now()
    stranger = make_user("stranger@example.org")
    client.force_login(stranger)
    url = f"/shifts/{shift.pk}/check-in/{checkin_token(shift)}/"
    assert "do not have a place" in client.post(url, follow=True).content.decode()

    later = make_shift(days_ahead=5, title="Later")
    volunteer = make_user("v@example.org")
    Signup.objects.create(shift=later, user=volunteer, status=Signup.State.CONFIRMED)
    client.force_login(volunteer)
    url = f"/shifts/{later.pk}/check-in/{checkin_token(later)}/"
    assert "Check-in opens an hour before" in client.post(url, follow=True).content.decode()
    assert not Signup.objects.filter(attended=True).exists()
