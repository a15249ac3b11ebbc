"""Before a first shift: a name, a date of birth where the shift or the person's age
needs it, and for an under-16 a parent or guardian's consent. The service refuses with
the reason; the board's sign-up sends the person to the page that asks, and back."""

from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import GuardianConsent, User
from accounts.services import guardian_consent_give, guardian_consent_request
from marketplace.board.models import GroupOrganiser, Signup
from marketplace.board.services.signups import DetailsNeeded, signup_create
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db


def years_ago(years: int, *, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def organiser_page(client: Client, shift_pk: int) -> str:
    from marketplace.board.models import Shift

    shift = Shift.objects.select_related("opportunity").get(pk=shift_pk)
    client.force_login(GroupOrganiser.objects.get(group=shift.opportunity.group_id).user)
    return client.get(f"/organise/shifts/{shift_pk}/").content.decode()


def test_a_person_without_a_name_cannot_sign_up_and_is_told_why() -> None:
    shift = make_shift()
    nameless = make_user("nameless@example.org", display_name="")
    with pytest.raises(DetailsNeeded, match="Tell us what to call you before your first shift"):
        signup_create(shift=shift, user=nameless)
    assert not Signup.objects.exists()


def test_the_sign_up_sends_a_person_without_a_name_to_the_name_page_and_signs_them_up(
    client: Client,
) -> None:
    shift = make_shift()
    nameless = make_user("nameless@example.org", display_name="", postcode="BK1 1AA")
    client.force_login(nameless)
    response = client.post(f"/shifts/{shift.pk}/sign-up/")
    assert response.status_code == 302
    assert response["Location"] == f"/shifts/{shift.pk}/before-you-start/"
    page = client.get(response["Location"]).content.decode()
    assert "Before your first shift" in page and "What should we call you?" in page
    assert "Tell us what to call you before your first shift" in page  # the reason
    assert "date of birth" not in page.lower()  # not asked where not needed

    empty = client.post(response["Location"], {"action": "details", "display_name": " "})
    assert "Tell us what to call you: the organisers" in empty.content.decode()
    assert not Signup.objects.exists()

    done = client.post(response["Location"], {"action": "details", "display_name": "Priya"})
    assert done.status_code == 302 and done["Location"] == "/my-shifts/"
    assert Signup.objects.get().user == nameless
    # The organiser sees who is coming, by the name they gave.
    assert "Priya · BK1" in organiser_page(client, shift.pk)


def test_an_adult_is_asked_their_date_of_birth_at_a_16_plus_shift_and_signed_up(
    client: Client,
) -> None:
    shift = make_shift(minimum_age=16)
    adult = make_user("adult@example.org", display_name="Ann")
    client.force_login(adult)
    response = client.post(f"/shifts/{shift.pk}/sign-up/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/shifts/{shift.pk}/before-you-start/"
    assert "This opportunity is for people aged 16 or over." in page
    assert "Your date of birth" in page and 'href="/accounts/details/"' in page
    assert "What should we call you?" not in page  # she has a name

    bad = client.post(
        f"/shifts/{shift.pk}/before-you-start/", {"action": "details", "birth_date": "2099-01-01"}
    )
    assert "must be in the past" in bad.content.decode()
    done = client.post(
        f"/shifts/{shift.pk}/before-you-start/", {"action": "details", "birth_date": "1990-05-01"}
    )
    assert done["Location"] == "/my-shifts/"
    adult.refresh_from_db()
    assert adult.birth_date == date(1990, 5, 1)
    assert Signup.objects.get().status == Signup.State.CONFIRMED


def test_too_young_for_the_shift_after_giving_the_date_is_told_so(client: Client) -> None:
    shift = make_shift(minimum_age=18)
    client.force_login(make_user("teen@example.org", display_name="Tia"))
    response = client.post(
        f"/shifts/{shift.pk}/before-you-start/",
        {"action": "details", "birth_date": years_ago(17).isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/opportunities/{shift.opportunity_id}/"
    assert "This opportunity is for people aged 18 or over." in response.content.decode()
    assert not Signup.objects.exists()


def test_someone_who_said_13_to_17_gives_their_date_of_birth_before_a_first_shift() -> None:
    shift = make_shift()  # open to 13 and over
    teen = make_user("teen@example.org", declared_under_18=True)
    with pytest.raises(DetailsNeeded, match="Tell us your date of birth before your first shift"):
        signup_create(shift=shift, user=teen)
    teen.birth_date = years_ago(17)
    teen.save()
    assert signup_create(shift=shift, user=teen).status == Signup.State.CONFIRMED


def test_an_under_16_needs_a_parent_or_guardians_consent_before_a_first_shift() -> None:
    shift = make_shift()
    kai = make_user("kai@example.org", display_name="Kai", birth_date=years_ago(14))
    with pytest.raises(DetailsNeeded, match="You are under 16, so a parent or guardian"):
        signup_create(shift=shift, user=kai)
    consent = guardian_consent_request(person=kai, guardian_email="parent@example.org")
    with pytest.raises(DetailsNeeded, match=r"waiting for your parent or guardian \(parent@"):
        signup_create(shift=shift, user=kai)
    guardian_consent_give(consent=consent)
    assert signup_create(shift=shift, user=kai).status == Signup.State.CONFIRMED


def test_consent_withdrawn_blocks_the_next_sign_up_saying_why_and_when(client: Client) -> None:
    first, second = make_shift(title="Park clean-up"), make_shift(days_ahead=6)
    kai = make_user("kai@example.org", display_name="Kai", birth_date=years_ago(14))
    consent = guardian_consent_give(
        consent=guardian_consent_request(person=kai, guardian_email="parent@example.org")
    )
    signup_create(shift=first, user=kai)
    withdrawn = timezone.make_aware(datetime(2026, 5, 3, 18, 30))
    GuardianConsent.objects.filter(pk=consent.pk).update(
        asked_at=withdrawn - timedelta(days=9),
        given_at=withdrawn - timedelta(days=8),
        withdrawn_at=withdrawn,
    )

    with pytest.raises(
        DetailsNeeded, match="Your parent or guardian withdrew their consent on 3 May 2026, so"
    ):
        signup_create(shift=second, user=kai)
    client.force_login(kai)
    response = client.post(f"/shifts/{second.pk}/sign-up/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/shifts/{second.pk}/before-you-start/"
    assert "withdrew their consent on 3 May 2026, so you cannot sign up to shifts" in page
    assert "Send the request" in page  # they can ask again
    assert second.signups.count() == 0


def test_an_under_16_asks_from_the_page_and_signs_up_once_the_guardian_says_yes(
    client: Client,
) -> None:
    shift = make_shift()
    kai = make_user("kai@example.org", display_name="Kai", declared_under_18=True)
    client.force_login(kai)
    page_url = f"/shifts/{shift.pk}/before-you-start/"
    after_dob = client.post(
        page_url, {"action": "details", "birth_date": years_ago(14).isoformat()}, follow=True
    ).content.decode()
    assert "You are under 16, so a parent or guardian must give their consent" in after_dob
    assert "Your parent or guardian&#x27;s email address" in after_dob

    client.post(page_url, {"action": "guardian", "guardian_email": "parent@example.org"})
    consent = GuardianConsent.objects.get(person=kai)
    assert consent.return_path == page_url
    waiting = client.get(page_url).content.decode()
    assert "Waiting for parent@example.org" in waiting

    guardian_consent_give(consent=consent)
    assert client.post(f"/shifts/{shift.pk}/sign-up/")["Location"] == "/my-shifts/"
    page = organiser_page(client, shift.pk)
    assert "Kai" in page and "Under 16: parent's consent on file" in page


def test_a_name_given_before_a_first_shift_stays_hidden_from_others_for_an_under_18(
    client: Client,
) -> None:
    shift = make_shift(minimum_age=16)
    teen = make_user("teen@example.org", display_name="", birth_date=years_ago(17))
    teen.use_high_privacy_defaults()
    teen.save()
    client.force_login(teen)
    client.post(
        f"/shifts/{shift.pk}/before-you-start/", {"action": "details", "display_name": "Jo"}
    )
    teen.refresh_from_db()
    assert teen.display_name == "Jo" and teen.public_name == ""
    assert "Jo" in organiser_page(client, shift.pk)


def test_a_date_of_birth_that_shows_an_under_18_hides_their_name_from_others(
    client: Client,
) -> None:
    shift = make_shift(minimum_age=16)
    said_adult = make_user("sam@example.org", display_name="Sam")
    assert said_adult.share_name
    client.force_login(said_adult)
    client.post(
        f"/shifts/{shift.pk}/before-you-start/",
        {"action": "details", "birth_date": years_ago(17).isoformat()},
    )
    said_adult.refresh_from_db()
    assert not said_adult.share_name and not said_adult.share_location
    assert Signup.objects.filter(user=said_adult).exists()


def test_the_page_with_nothing_left_to_give_offers_the_sign_up(
    client: Client, resident: User
) -> None:
    shift = make_shift()
    client.force_login(resident)
    page = client.get(f"/shifts/{shift.pk}/before-you-start/").content.decode()
    assert "Now sign up" in page and f'action="/shifts/{shift.pk}/sign-up/"' in page


def test_the_organiser_sees_when_an_under_16s_consent_was_withdrawn_after_they_signed_up(
    client: Client,
) -> None:
    shift = make_shift()
    kai = make_user("kai@example.org", display_name="Kai", birth_date=years_ago(14))
    consent = guardian_consent_give(
        consent=guardian_consent_request(person=kai, guardian_email="parent@example.org")
    )
    signup_create(shift=shift, user=kai)
    assert "Under 16: parent's consent on file" in organiser_page(client, shift.pk)
    GuardianConsent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    assert "Under 16: parent's consent withdrawn" in organiser_page(client, shift.pk)
