"""Bring a friend: the invite link, the page it opens, the place it gives, and the names
each side sees in My shifts."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import GuardianConsent, User
from marketplace.board.models import Invite, Shift, Signup
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.invites import invite_accept, invite_create
from marketplace.board.services.signups import signup_create
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED = Signup.State.CONFIRMED, Signup.State.WAITLISTED


def an_invite(inviter: User, shift: Shift, *, whole_opportunity: bool = False) -> Invite:
    return invite_create(
        user=inviter,
        opportunity=shift.opportunity,
        shift=None if whole_opportunity else shift,
    )


# The service


def test_asking_again_gives_the_same_link_so_shared_links_keep_working(resident: User) -> None:
    shift = make_shift()
    first = an_invite(resident, shift)
    assert an_invite(resident, shift) == first
    assert an_invite(resident, shift, whole_opportunity=True) != first
    assert an_invite(make_user("other@example.org"), shift) != first
    assert len(first.token) >= 20  # unguessable: the token is the whole key


def test_a_shift_of_another_opportunity_is_refused(resident: User) -> None:
    with pytest.raises(ValueError, match="not one of this opportunity"):
        invite_create(user=resident, opportunity=make_shift().opportunity, shift=make_shift())


def test_the_friend_gets_a_place_on_the_same_shift_brought_by_the_inviter(resident: User) -> None:
    shift = make_shift()
    friend = make_user("priya@example.org")
    signup = invite_accept(invite=an_invite(resident, shift), user=friend)
    assert (signup.shift, signup.user, signup.status) == (shift, friend, CONFIRMED)
    assert signup.brought_by == resident


def test_an_opportunity_invite_takes_the_shift_the_friend_picks(resident: User) -> None:
    shift = make_shift()
    later = Shift.objects.create(
        opportunity=shift.opportunity,
        start=shift.start + timedelta(days=7),
        end=shift.end + timedelta(days=7),
        capacity=5,
    )
    invite = an_invite(resident, shift, whole_opportunity=True)
    friend = make_user("priya@example.org")
    with pytest.raises(SignupRefused, match="Choose a shift"):
        invite_accept(invite=invite, user=friend)
    with pytest.raises(SignupRefused, match="not part of this invite"):
        invite_accept(invite=invite, user=friend, shift=make_shift())
    signup = invite_accept(invite=invite, user=friend, shift=later)
    assert (signup.shift, signup.brought_by) == (later, resident)


def test_a_shift_invite_cannot_be_used_for_another_shift(resident: User) -> None:
    shift = make_shift()
    other = Shift.objects.create(
        opportunity=shift.opportunity,
        start=shift.start + timedelta(days=7),
        end=shift.end + timedelta(days=7),
        capacity=5,
    )
    with pytest.raises(SignupRefused, match="not part of this invite"):
        invite_accept(
            invite=an_invite(resident, shift), user=make_user("p@example.org"), shift=other
        )


def test_the_inviter_can_never_be_their_own_friend(resident: User) -> None:
    shift = make_shift()
    with pytest.raises(SignupRefused, match="your own invite link"):
        invite_accept(invite=an_invite(resident, shift), user=resident)
    assert not Signup.objects.exists()
    # Nor through signup_create itself.
    assert signup_create(shift=shift, user=resident, brought_by=resident).brought_by is None


def test_a_full_shift_offers_the_waiting_list_still_brought_by_the_inviter(resident: User) -> None:
    shift = make_shift(capacity=1)
    Signup.objects.create(shift=shift, user=resident, status=CONFIRMED)
    signup = invite_accept(invite=an_invite(resident, shift), user=make_user("p@example.org"))
    assert (signup.status, signup.brought_by) == (WAITLISTED, resident)


def test_cancelled_and_past_shifts_say_why_they_are_closed(resident: User) -> None:
    shift = make_shift()
    invite = an_invite(resident, shift)
    friend = make_user("priya@example.org")
    Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now(), cancel_reason="Rain")
    with pytest.raises(SignupRefused, match="cancelled"):
        invite_accept(invite=invite, user=friend)
    start = timezone.now() - timedelta(hours=1)
    Shift.objects.filter(pk=shift.pk).update(
        cancelled_at=None, start=start, end=start + timedelta(hours=2)
    )
    with pytest.raises(SignupRefused, match="already started"):
        invite_accept(invite=invite, user=friend)
    assert not Signup.objects.exists()


# The pages


def test_invite_a_friend_on_the_opportunity_page_gives_a_link_to_copy(
    client: Client, resident: User
) -> None:
    shift = make_shift(title="Riverside planting")
    client.force_login(resident)
    page = client.get(f"/opportunities/{shift.opportunity_id}/").content.decode()
    assert "Invite a friend to Riverside planting</button>" in page
    assert 'Invite a friend<span class="visually-hidden"> to the shift on' in page

    response = client.post(f"/opportunities/{shift.opportunity_id}/invite/", {"shift": shift.pk})
    invite = Invite.objects.get()
    assert (invite.inviter, invite.shift) == (resident, shift)
    assert response["Location"] == f"/invite/{invite.token}/"
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Invite a friend to Riverside planting</h1>" in page
    assert f'readonly value="http://testserver/invite/{invite.token}/"' in page
    # Tapping again gives the same link.
    client.post(f"/opportunities/{shift.opportunity_id}/invite/", {"shift": shift.pk})
    assert Invite.objects.count() == 1


def test_looking_at_the_invite_page_is_not_inviting(client: Client, resident: User) -> None:
    shift = make_shift()
    client.force_login(resident)
    assert client.get(f"/opportunities/{shift.opportunity_id}/invite/").status_code == 405
    assert not Invite.objects.exists()


def test_a_friend_sees_who_invited_them_and_takes_the_place_in_one_tap(
    client: Client, resident: User
) -> None:
    shift = make_shift(title="Riverside planting")
    invite = an_invite(resident, shift)
    friend = make_user("priya@example.org", display_name="Priya")
    client.force_login(friend)
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "<h1>Sam invited you to Riverside planting</h1>" in page
    assert "Sign up to this shift" in page

    response = client.post(f"/invite/{invite.token}/", follow=True)
    assert response.redirect_chain == [("/my-shifts/", 302)]
    assert "You&#x27;re going to Riverside planting." in response.content.decode()
    assert "Sam invited you." in response.content.decode()
    signup = Signup.objects.get(user=friend)
    assert (signup.shift, signup.brought_by, signup.status) == (shift, resident, CONFIRMED)


def test_a_blank_name_reads_a_friend(client: Client) -> None:
    shift = make_shift(title="Riverside planting")
    invite = an_invite(make_user("noname@example.org", display_name=""), shift)
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "<h1>A friend invited you to Riverside planting</h1>" in page


def test_a_visitor_not_logged_in_is_sent_to_sign_up_and_back(
    client: Client, resident: User
) -> None:
    invite = an_invite(resident, make_shift())
    back = f"%2Finvite%2F{invite.token}%2F"
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert f'href="/accounts/signup/?next={back}"' in page
    assert f'href="/accounts/login/?next={back}"' in page
    assert "Sign up to this shift" not in page
    response = client.post(f"/invite/{invite.token}/")
    assert response["Location"] == f"/accounts/signup/?next={back}"
    assert not Signup.objects.exists()
    # allauth keeps the way back on its sign-up form.
    signup_form = client.get(f"/accounts/signup/?next={back}").content.decode()
    assert f'name="next" value="/invite/{invite.token}/"' in signup_form


def test_the_inviter_opening_their_own_link_cannot_take_a_friend_place(
    client: Client, resident: User
) -> None:
    invite = an_invite(resident, make_shift())
    client.force_login(resident)
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "Your invite link" in page
    assert "Sign up to this shift" not in page
    response = client.post(f"/invite/{invite.token}/", follow=True)
    assert "This is your own invite link." in response.content.decode()
    assert not Signup.objects.exists()


@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00"])
def test_an_unknown_or_forged_token_is_a_clear_404(client: Client, token: str) -> None:
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 404
    assert "This invite link doesn" in response.content.decode()
    assert client.post(f"/invite/{token}/").status_code == 404


def test_a_cancelled_shift_says_so_and_points_to_the_others(client: Client, resident: User) -> None:
    shift = make_shift(title="Riverside planting")
    invite = an_invite(resident, shift)
    Shift.objects.filter(pk=shift.pk).update(
        cancelled_at=timezone.now(), cancel_reason="The river flooded."
    )
    client.force_login(make_user("priya@example.org"))
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "This shift has been cancelled.</strong> The river flooded." in page
    assert "See the other shifts of Riverside planting" in page
    assert "Sign up to this shift" not in page
    response = client.post(f"/invite/{invite.token}/", follow=True)
    assert "This shift has been cancelled, so it is closed for sign-ups." in (
        response.content.decode()
    )


def test_a_past_shift_says_it_has_started(client: Client, resident: User) -> None:
    shift = make_shift()
    invite = an_invite(resident, shift)
    start = timezone.now() - timedelta(days=1)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    client.force_login(make_user("priya@example.org"))
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "This shift has already started, so it is closed for sign-ups." in page
    assert "Sign up to this shift" not in page


def test_a_full_shift_offers_the_waiting_list_on_the_page(client: Client, resident: User) -> None:
    shift = make_shift(capacity=1)
    Signup.objects.create(shift=shift, user=resident, status=CONFIRMED)
    invite = an_invite(resident, shift)
    client.force_login(make_user("priya@example.org"))
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "This shift is full: you can join the waiting list" in page
    response = client.post(f"/invite/{invite.token}/", follow=True)
    assert "you&#x27;re on the waiting list" in response.content.decode()


def test_an_opportunity_invite_lists_its_shifts_to_pick(client: Client, resident: User) -> None:
    shift = make_shift(title="Riverside planting")
    later = Shift.objects.create(
        opportunity=shift.opportunity,
        start=shift.start + timedelta(days=7),
        end=shift.end + timedelta(days=7),
        capacity=5,
    )
    client.force_login(resident)
    response = client.post(f"/opportunities/{shift.opportunity_id}/invite/")
    invite = Invite.objects.get(shift=None)
    assert response["Location"] == f"/invite/{invite.token}/"

    friend = make_user("priya@example.org")
    client.force_login(friend)
    page = client.get(f"/invite/{invite.token}/").content.decode()
    assert "<h2>Choose a shift</h2>" in page
    assert page.count("Sign up to this shift") == 2
    bad = client.post(f"/invite/{invite.token}/", {"shift": "not-a-number"}, follow=True)
    assert "Choose one of the shifts below to sign up to." in bad.content.decode()
    client.post(f"/invite/{invite.token}/", {"shift": later.pk})
    signup = Signup.objects.get(user=friend)
    assert (signup.shift, signup.brought_by) == (later, resident)


def test_no_invite_link_for_a_cancelled_shift_or_a_bad_shift(
    client: Client, resident: User
) -> None:
    shift = make_shift()
    client.force_login(resident)
    url = f"/opportunities/{shift.opportunity_id}/invite/"
    assert client.post(url, {"shift": "abc"}).status_code == 404
    assert client.post(url, {"shift": make_shift().pk}).status_code == 404
    Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now(), cancel_reason="Rain")
    response = client.post(url, {"shift": shift.pk}, follow=True)
    assert "That shift is not taking sign-ups" in response.content.decode()
    assert not Invite.objects.exists()


# My shifts, and whose names each side sees


def test_my_shifts_shows_both_sides_of_the_invite(client: Client, resident: User) -> None:
    shift = make_shift(title="Riverside planting")
    Signup.objects.create(shift=shift, user=resident, status=CONFIRMED)
    invite = an_invite(resident, shift)
    invite_accept(invite=invite, user=make_user("priya@example.org", display_name="Priya"))
    invite_accept(
        invite=invite,
        user=make_user("quiet@example.org", display_name="Quinn", share_name=False),
    )
    client.force_login(resident)
    page = client.get("/my-shifts/").content.decode()
    assert "Priya and a friend signed up through your invite link." in page
    assert "Quinn" not in page  # they do not share their name with other volunteers
    assert "Invite a friend<span" in page

    client.force_login(User.objects.get(email="priya@example.org"))
    assert "Sam invited you." in client.get("/my-shifts/").content.decode()


def test_an_under_18_name_never_reaches_the_other_volunteer(client: Client) -> None:
    teen = make_user("teen@example.org", display_name="Tia", birth_date=date(2012, 1, 1))
    teen.share_name = True  # even when they chose to share it
    teen.save()
    now = timezone.now()
    GuardianConsent.objects.create(
        person=teen, guardian_email="parent@example.org", token="t", asked_at=now, given_at=now
    )
    adult = make_user("adult@example.org", display_name="Alex")
    shift = make_shift(title="Riverside planting")
    Signup.objects.create(shift=shift, user=adult, status=CONFIRMED)
    invite_accept(invite=an_invite(adult, shift), user=teen)

    client.force_login(adult)
    page = client.get("/my-shifts/").content.decode()
    assert "A friend signed up through your invite link." in page
    assert "Tia" not in page

    # And the other way: a teen's invite reads "A friend".
    teen_invite = invite_create(user=teen, opportunity=shift.opportunity, shift=shift)
    page = client.get(f"/invite/{teen_invite.token}/").content.decode()
    assert "<h1>A friend invited you to Riverside planting</h1>" in page
    assert "Tia" not in page
