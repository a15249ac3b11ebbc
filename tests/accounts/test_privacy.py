"""Under-18s start with their name and home area hidden; everyone chooses what to share."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User

# Each sign-up uses its own address: allauth limits confirmation emails per address.
from tests.accounts.test_signup import signup
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def details(client: Client, user: User, **fields: str) -> str:
    """Post Your details as the browser would: unticked boxes are simply not sent."""
    data = {"display_name": user.display_name, "postcode": user.postcode, **fields}
    return client.post("/accounts/details/", data, follow=True).content.decode()


def test_a_13_to_17_year_old_joins_with_name_and_area_hidden(client: Client) -> None:
    # An address of its own: allauth limits confirmation emails per address.
    joined = signup(client, email="teen@example.org", age_group="13-17", postcode="tf1 2ab")
    assert joined.status_code == 302
    user = User.objects.get()
    assert user.declared_under_18 and user.is_under_18()
    assert not user.share_name and not user.share_location
    assert user.age_confirmed_at is not None
    assert user.public_name == "" and user.public_area == ""


def test_an_adult_joins_sharing_name_and_area(client: Client) -> None:
    # An address of its own: allauth limits confirmation emails per address.
    joined = signup(client, email="adult@example.org", age_group="18+", postcode="tf1 2ab")
    assert joined.status_code == 302
    user = User.objects.get()
    assert not user.declared_under_18 and not user.is_under_18()
    assert user.share_name and user.share_location
    assert user.public_name == "Priya" and user.public_area == "TF1"


def test_an_age_group_we_do_not_offer_is_refused(client: Client) -> None:
    page = signup(client, email="child@example.org", age_group="under-13").content.decode()
    assert "There is a problem" in page
    assert not User.objects.exists()


def test_a_birth_date_under_18_on_your_details_turns_sharing_off(
    client: Client, resident: User
) -> None:
    client.force_login(resident)
    born = years_ago(15)
    page = details(
        client, resident, birth_date=born.isoformat(), share_name="on", share_location="on"
    )
    assert "we have hidden your name and home area" in page
    assert "ask a parent or carer" in page
    resident.refresh_from_db()
    assert resident.birth_date == born
    assert not resident.share_name and not resident.share_location


def test_an_under_18_may_turn_sharing_back_on_and_it_stays_on(client: Client) -> None:
    teen = make_user("teen@example.org", display_name="Alex", postcode="TF1 2AB")
    teen.birth_date = years_ago(16)
    teen.use_high_privacy_defaults()
    teen.save()
    client.force_login(teen)
    page = client.get("/accounts/details/").content.decode()
    assert "These start off because you are under 18" in page
    assert "Show my first name to shops and to other volunteers" in page
    assert "Show my home area (first half of my postcode) to groups I volunteer with" in page

    details(
        client, teen, birth_date=teen.birth_date.isoformat(), share_name="on", share_location="on"
    )
    teen.refresh_from_db()
    assert teen.share_name and teen.share_location
    assert teen.public_name == "Alex" and teen.public_area == "TF1"


def test_an_adult_birth_date_leaves_sharing_as_it_was(client: Client, resident: User) -> None:
    client.force_login(resident)
    page = details(client, resident, birth_date="1990-05-06", share_name="on")
    assert "under 18" not in page
    resident.refresh_from_db()
    assert resident.share_name and not resident.share_location


def test_is_under_18_trusts_a_birth_date_over_what_was_said_at_sign_up() -> None:
    said_teen = User(declared_under_18=True)
    assert said_teen.is_under_18()
    said_teen.birth_date = date(2000, 1, 1)
    assert not said_teen.is_under_18()
    adult_born_2010 = User(birth_date=date(2010, 6, 15))
    assert adult_born_2010.is_under_18(on=date(2028, 6, 14))
    assert not adult_born_2010.is_under_18(on=date(2028, 6, 15))
    assert not User().is_under_18()


def test_the_public_name_is_blank_unless_shared() -> None:
    assert User(display_name="Sam").public_name == "Sam"
    assert User(display_name="Sam", share_name=False).public_name == ""
    assert User(display_name="").public_name == ""


@pytest.mark.parametrize(
    ("postcode", "share", "area"),
    [
        ("TF1 2AB", True, "TF1"),
        ("SW1A 1AA", True, "SW1A"),
        ("m11ae", True, "M1"),
        ("TF1 2AB", False, ""),
        ("", True, ""),
    ],
)
def test_the_public_area_is_the_outward_half_of_a_shared_postcode(
    postcode: str, share: bool, area: str
) -> None:
    assert User(postcode=postcode, share_location=share).public_area == area


def test_your_details_only_sends_people_on_to_our_own_pages(client: Client, resident: User) -> None:
    client.force_login(resident)
    data = {"display_name": "Sam", "postcode": ""}
    away = client.post("/accounts/details/?next=https://evil.example/", data)
    assert away["Location"] == "/accounts/details/"
    home = client.post("/accounts/details/?next=/my-shifts/", data)
    assert home["Location"] == "/my-shifts/"


def test_api_me_tells_an_under_18_what_others_see(client: Client) -> None:
    teen = make_user(
        "teen@example.org", display_name="Ali", postcode="BK3 2AA", declared_under_18=True
    )
    teen.use_high_privacy_defaults()
    teen.save()
    client.force_login(teen)
    body = client.get("/api/v1/me").json()
    assert (body["under_18"], body["share_name"], body["share_location"]) == (True, False, False)
    assert (body["public_name"], body["public_area"]) == ("", "")
