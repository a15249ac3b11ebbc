"""A council officer deletes a resident's account at their request: found by e-mail,
confirmed with a reason and a typed word, the same erasure as the resident's own, and
logged as done by the officer. Refused for residents of another town and for accounts
the rules keep (the only organiser of a group)."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import Erasure, User
from coins.models import Account, Scheme, SchemeAdmin
from coins.services import account_for, wallet_for
from marketplace.board.models import GroupOrganiser, Signup
from marketplace.board.services.hours import hours_confirm
from tests.conftest import make_user
from tests.marketplace.factories import make_group
from tests.marketplace.test_hours import organiser_of
from tests.marketplace.test_hours_coins import past_shift

pytestmark = pytest.mark.django_db

REASON = "E-mail of 3 December, case 1234"


def officer_and_resident() -> tuple[User, User, Signup]:
    """Rita runs Testford; Sam earned 30 coins there."""
    sam = make_user("sam@example.org", display_name="Sam", postcode="TF1 1AA")
    shift = past_shift(sam, hours_ago=4)
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    rita = make_user("rita.officer@example.org")
    SchemeAdmin.objects.create(scheme=shift.opportunity.scheme, user=rita)
    return rita, sam, Signup.objects.get(user=sam)


def erase(client: Client, officer: User, email: str, **data: str) -> Any:
    client.force_login(officer)
    fields = {"email": email, "reason": REASON, "confirm": "DELETE", **data}
    return client.post("/council/erase/", fields, follow=True)


def test_the_officer_finds_the_resident_and_is_asked_to_confirm(client: Client) -> None:
    rita, sam, _ = officer_and_resident()
    client.force_login(rita)
    page = client.post("/council/erase/", {"email": "SAM@example.org"}).content.decode()
    assert "sam@example.org (Sam)" in page
    assert "Their 30 Citizen Coins in Testford" in page
    assert "Delete this account" in page
    sam.refresh_from_db()
    assert sam.is_active  # found, not yet deleted


def test_the_officer_erases_the_account_and_it_is_logged_as_theirs(client: Client) -> None:
    rita, sam, place = officer_and_resident()

    page = erase(client, rita, "sam@example.org").content.decode()

    assert f"The account is deleted (account {sam.pk}), and the deletion is logged." in page
    sam.refresh_from_db()
    assert (sam.email, sam.display_name, sam.postcode) == (
        f"deleted-{sam.pk}@deleted.invalid",
        "",
        "",
    )
    assert not sam.is_active
    assert wallet_for(scheme=place.shift.opportunity.scheme, user=sam).balance == 0
    erasure = Erasure.objects.get()
    assert (erasure.account_id, erasure.by_id, erasure.reason) == (sam.pk, rita.pk, REASON)
    assert erasure.on_request
    call_command("verify_ledger")


def test_the_officer_can_give_the_coins_to_a_group_the_resident_named(client: Client) -> None:
    rita, _, place = officer_and_resident()
    group = place.shift.opportunity.group
    account = account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)
    scheme = group.scheme

    erase(client, rita, "sam@example.org", **{f"give_{scheme.pk}": str(account.pk)})

    account.refresh_from_db()
    assert account.balance == 30
    call_command("verify_ledger")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"reason": ""}, "Say how the resident asked. Nothing was erased."),
        ({"reason": "Sam rang on Tuesday"}, "Leave out their name, e-mail address and postcode."),
        ({"reason": "Letter from TF1 1AA"}, "Leave out their name, e-mail address and postcode."),
        ({"confirm": "delete"}, "Type DELETE to delete their account."),
    ],
)
def test_no_reason_one_that_names_them_or_no_confirmation_erases_nothing(
    client: Client, fields: dict[str, str], says: str
) -> None:
    rita, sam, _ = officer_and_resident()
    page = erase(client, rita, "sam@example.org", **fields).content.decode()
    assert says in page
    sam.refresh_from_db()
    assert sam.is_active and sam.email == "sam@example.org"
    assert not Erasure.objects.exists()


def test_a_resident_of_another_town_is_not_found(client: Client) -> None:
    rita, _, _ = officer_and_resident()
    other = Scheme.objects.create(name="Otherby", slug="otherby")
    far = make_user("far.away@example.org")
    wallet_for(scheme=other, user=far)
    client.force_login(rita)

    for email in ("far.away@example.org", "nobody.at.all@example.org", "FAR.AWAY@example.org"):
        page = client.post("/council/erase/", {"email": email}).content.decode()
        assert "No resident of your town has joined with that e-mail address." in page
    erase(client, rita, "far.away@example.org")
    far.refresh_from_db()
    assert far.is_active and not Erasure.objects.exists()


def test_the_only_organiser_of_a_group_is_refused_with_what_they_must_do(
    client: Client,
) -> None:
    rita, _, place = officer_and_resident()
    group = make_group("Canal Crew")
    organiser = GroupOrganiser.objects.get(group=group).user
    wallet_for(scheme=place.shift.opportunity.scheme, user=organiser)
    client.force_login(rita)

    asked = client.post("/council/erase/", {"email": organiser.email}).content.decode()
    page = erase(client, rita, organiser.email).content.decode()

    for shown in (asked, page):
        assert "This account cannot be deleted yet" in shown
        assert "You are the only organiser of Canal Crew." in shown
    organiser.refresh_from_db()
    assert organiser.is_active and not Erasure.objects.exists()


def test_a_resident_cannot_use_the_page(client: Client) -> None:
    _, sam, _ = officer_and_resident()
    client.force_login(make_user("kim@example.org"))
    assert client.get("/council/erase/").status_code == 403
    assert client.post("/council/erase/", {"email": "sam@example.org"}).status_code == 403
    sam.refresh_from_db()
    assert sam.is_active


def test_the_officers_home_page_links_to_it(client: Client) -> None:
    rita, _, _ = officer_and_resident()
    client.force_login(rita)
    page = client.get("/").content.decode()
    assert 'href="/council/erase/">Delete a resident\'s account at their request</a>' in page
