"""A resident deletes their account: asked for their password and a typed word, their
coins go to a group they choose or back to the scheme through the ledger, upcoming
places are cancelled, what they told us is deleted, the User row stays only as an
anonymous, unusable row, and the erasure is logged."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client

from accounts.models import Background, Erasure, GuardianConsent, User
from backend.account_deletion import DeletionRefused, account_delete
from cohesion.models import PulseInvite
from coins.gifts import gift_to_resident
from coins.models import Account, PendingGift, Scheme, SchemeAdmin, Transfer
from coins.personal_data import GIVEN_UP
from coins.services import account_for, wallet_for
from marketplace.board.models import (
    CalendarFeed,
    CommunityGroup,
    GroupOrganiser,
    SavedSearch,
    Signup,
)
from marketplace.board.services.hours import hours_confirm
from marketplace.board.services.signups import calendar_feed_renew
from marketplace.rewards.models import Redemption
from marketplace.rewards.services.redemptions import redemption_code_create
from notifications.models import Notification, PushSubscription
from notifications.services import user_group
from tests.conftest import PASSWORD, make_user
from tests.marketplace.factories import (
    make_group,
    make_offer,
    make_retailer,
    make_shift,
    staff_of,
)
from tests.marketplace.test_hours import organiser_of
from tests.marketplace.test_hours_coins import past_shift

pytestmark = pytest.mark.django_db


def sam_with_30_coins_and_a_place() -> tuple[User, Signup]:
    """Sam earned 30 coins and holds the only place on Saturday's shift; Kim waits."""
    sam = make_user("sam@example.org", display_name="Sam", postcode="TF1 1AA")
    earned = past_shift(sam, hours_ago=4)
    hours_confirm(shift=earned, minutes={}, by=organiser_of(earned))
    Background.objects.create(user=sam, ethnic_group="white", religion="none")
    SavedSearch.objects.create(user=sam, query={"cause": "food"}, summary="Food")
    upcoming = make_shift(title="Food bank sort", capacity=1, days_ahead=2)
    place = Signup.objects.create(shift=upcoming, user=sam, status=Signup.State.CONFIRMED)
    kim = make_user("kim@example.org")
    Signup.objects.create(shift=upcoming, user=kim, status=Signup.State.WAITLISTED)
    return sam, place


def delete(client: Client, user: User, **data: str) -> Any:
    client.force_login(user)
    fields = {"password": PASSWORD, "confirm": "DELETE", **data}
    return client.post("/accounts/delete/", fields, follow=True)


def test_coins_left_go_back_to_the_scheme_through_the_ledger(client: Client) -> None:
    sam, place = sam_with_30_coins_and_a_place()
    scheme = place.shift.opportunity.scheme

    page = delete(client, sam).content.decode()

    assert "Your account is deleted" in page
    assert wallet_for(scheme=scheme, user=sam).balance == 0
    given_up = Transfer.objects.get(kind=Transfer.Kind.EXPIRY, memo=GIVEN_UP)
    expiry = Account.objects.get(scheme=scheme, kind=Account.Kind.EXPIRY)
    assert {(e.account_id, e.amount) for e in given_up.entries.all()} == {
        (wallet_for(scheme=scheme, user=sam).pk, -30),
        (expiry.pk, 30),
    }
    call_command("verify_ledger")  # exits non-zero on any discrepancy


def test_a_gift_still_waiting_comes_back_and_goes_with_the_rest(client: Client) -> None:
    sam, place = sam_with_30_coins_and_a_place()
    scheme = place.shift.opportunity.scheme
    gift_to_resident(scheme=scheme, sender=sam, email="new@example.org", amount=5, key="give:t")

    delete(client, sam)

    assert PendingGift.objects.get().state == PendingGift.State.RETURNED
    held = Account.objects.get(kind=Account.Kind.HELD)
    assert (held.balance, wallet_for(scheme=scheme, user=sam).balance) == (0, 0)
    assert Transfer.objects.get(kind=Transfer.Kind.EXPIRY).entries.get(amount__gt=0).amount == 30


def test_an_upcoming_place_is_cancelled_and_the_next_person_waiting_gets_it(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    sam, place = sam_with_30_coins_and_a_place()
    organiser = organiser_of(place.shift)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(organiser.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        delete(client, sam)

    place.refresh_from_db()
    assert place.status == Signup.State.CANCELLED
    kim = Signup.objects.get(user__email="kim@example.org")
    assert kim.status == Signup.State.CONFIRMED
    assert Notification.objects.filter(user=kim.user, kind="signup_promoted").exists()
    # The organiser's open list of the shift refreshes, as for any cancellation.
    told = async_to_sync(layer.receive)(channel)
    assert told == {"type": "live.refresh", "fragments": ["signups"]}


def test_the_person_is_anonymised_logged_out_and_cannot_log_in_again(client: Client) -> None:
    sam, _ = sam_with_30_coins_and_a_place()

    delete(client, sam)

    sam.refresh_from_db()
    assert sam.email == f"deleted-{sam.pk}@deleted.invalid"
    assert (sam.display_name, sam.postcode, sam.birth_date) == ("", "", None)
    assert not sam.is_active and not sam.has_usable_password()
    assert not EmailAddress.objects.filter(user=sam).exists()
    assert not Background.objects.filter(user=sam).exists()
    assert not SavedSearch.objects.filter(user=sam).exists()
    assert not Notification.objects.filter(user=sam).exists()
    assert client.get("/accounts/details/").status_code == 302  # logged out
    assert not Client().login(email="sam@example.org", password=PASSWORD)
    login = Client().post("/accounts/login/", {"login": "sam@example.org", "password": PASSWORD})
    assert login.status_code == 200  # the form again, with its error: not logged in
    # The hours stay, for the council's anonymous totals.
    assert Signup.objects.filter(user=sam, hours__status="confirmed").count() == 1


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"password": "not-my-password"}, "That is not your password. Nothing was deleted."),
        ({"confirm": ""}, "Type DELETE to delete your account."),
        ({"confirm": "delete please"}, "Type DELETE to delete your account."),
    ],
)
def test_a_wrong_password_or_no_confirmation_deletes_nothing(
    client: Client, fields: dict[str, str], says: str
) -> None:
    sam, place = sam_with_30_coins_and_a_place()

    page = delete(client, sam, **fields).content.decode()

    assert says in page
    sam.refresh_from_db()
    assert (sam.email, sam.is_active) == ("sam@example.org", True)
    assert wallet_for(scheme=place.shift.opportunity.scheme, user=sam).balance == 30
    place.refresh_from_db()
    assert place.status == Signup.State.CONFIRMED
    assert Background.objects.filter(user=sam).exists()
    assert not Transfer.objects.filter(kind=Transfer.Kind.EXPIRY).exists()


def test_the_only_organiser_of_a_group_is_refused_with_a_message(client: Client) -> None:
    group = make_group("Canal Crew")
    organiser = GroupOrganiser.objects.get(group=group).user

    client.force_login(organiser)
    asked = client.get("/accounts/delete/").content.decode()
    page = delete(client, organiser).content.decode()

    for shown in (asked, page):
        assert "You are the only organiser of Canal Crew. Add another organiser" in shown
    organiser.refresh_from_db()
    assert organiser.is_active and organiser.email.startswith("organiser-canal-crew@")
    assert GroupOrganiser.objects.filter(group=group, user=organiser).exists()


def test_one_of_two_organisers_may_leave_and_the_group_keeps_the_other(client: Client) -> None:
    group = make_group("Canal Crew")
    leaving = make_user("leaving@example.org")
    GroupOrganiser.objects.create(group=group, user=leaving)

    assert "Your account is deleted" in delete(client, leaving).content.decode()

    assert list(
        GroupOrganiser.objects.filter(group=group).values_list("user__email", flat=True)
    ) == ["organiser-canal-crew@example.org"]


def test_the_only_staff_of_a_shop_is_refused(client: Client) -> None:
    staff = staff_of(make_retailer("Corner Bakery"))
    page = delete(client, staff).content.decode()
    assert "You are the only member of staff at Corner Bakery." in page
    staff.refresh_from_db()
    assert staff.is_active


def test_someone_not_logged_in_is_sent_to_log_in(client: Client) -> None:
    response = client.get("/accounts/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_only_council_officer_of_a_town_is_refused(client: Client) -> None:
    officer = make_user("officer@example.org")
    scheme = make_group().scheme
    SchemeAdmin.objects.create(scheme=scheme, user=officer)
    page = delete(client, officer).content.decode()
    assert "You are the only council officer running Testford." in page
    SchemeAdmin.objects.create(scheme=scheme, user=make_user("second@example.org"))
    assert "Your account is deleted" in delete(client, officer).content.decode()


def test_the_person_is_logged_out_on_their_other_phone_too(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sam, _ = sam_with_30_coins_and_a_place()
    other_phone = Client()
    other_phone.force_login(sam)
    assert other_phone.get("/accounts/details/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        delete(client, sam)

    assert other_phone.get("/accounts/details/").status_code == 302
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(sam.pk) not in sessions


def test_codes_phones_feeds_consents_and_pulse_offers_go_too(client: Client) -> None:
    sam, place = sam_with_30_coins_and_a_place()
    code = redemption_code_create(user=sam, offer=make_offer())
    calendar_feed_renew(user=sam)
    PushSubscription.objects.create(user=sam, endpoint="https://p.example", p256dh="k", auth="a")
    GuardianConsent.objects.create(person=sam, guardian_email="mum@example.org", token="tok")
    PulseInvite.objects.create(
        user=sam, scheme=place.shift.opportunity.scheme, token="pulse", item="belong"
    )

    delete(client, sam)

    code.refresh_from_db()
    assert code.status == Redemption.State.CANCELLED
    assert not CalendarFeed.objects.filter(user=sam).exists()
    assert not PushSubscription.objects.filter(user=sam).exists()
    assert not GuardianConsent.objects.filter(person=sam).exists()
    assert not PulseInvite.objects.filter(user=sam).exists()


def test_hours_confirmed_after_someone_left_mint_nothing_for_them(client: Client) -> None:
    leaver, stayer = make_user("leaver@example.org"), make_user("stayer@example.org")
    shift = past_shift(leaver, hours_ago=4)
    Signup.objects.create(shift=shift, user=stayer, status=Signup.State.CONFIRMED)
    assert delete(client, leaver).status_code == 200
    result = hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    assert [hours.signup.user_id for hours in result.confirmed] == [stayer.pk]
    assert "A volunteer who has left Citizen Coin is left out." in result.skipped
    assert not Transfer.objects.filter(entries__account__owner_id=leaver.pk).exists()


def park_friends_account(place: Signup) -> Account:
    group = place.shift.opportunity.group
    return account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)


def test_the_page_offers_to_give_the_coins_to_a_group_of_the_town(client: Client) -> None:
    sam, place = sam_with_30_coins_and_a_place()
    account = park_friends_account(place)
    client.force_login(sam)
    page = client.get("/accounts/delete/").content.decode()
    assert "Your 30 Citizen Coins in Testford" in page
    assert f'<option value="{account.pk}">Give them to Park Friends</option>' in page
    assert '<option value="" selected>Let them go back to the scheme</option>' in page


def test_coins_given_to_a_group_go_there_and_its_organisers_are_not_told_who(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sam, place = sam_with_30_coins_and_a_place()
    account = park_friends_account(place)
    scheme = place.shift.opportunity.scheme

    with django_capture_on_commit_callbacks(execute=True):
        page = delete(client, sam, **{f"give_{scheme.pk}": str(account.pk)}).content.decode()

    assert "Your account is deleted" in page
    account.refresh_from_db()
    assert (account.balance, wallet_for(scheme=scheme, user=sam).balance) == (30, 0)
    assert not Transfer.objects.filter(kind=Transfer.Kind.EXPIRY).exists()
    told = Notification.objects.get(user=organiser_of(place.shift), kind="coins_received")
    assert told.title == "A resident who has left gave Park Friends 30 Citizen Coins"
    call_command("verify_ledger")


def test_a_group_of_another_town_is_refused_and_nothing_is_deleted(client: Client) -> None:
    sam, place = sam_with_30_coins_and_a_place()
    other = Scheme.objects.create(name="Otherby", slug="otherby")
    helpers = CommunityGroup.objects.create(scheme=other, name="Otherby Helpers", slug="oh")
    elsewhere = account_for(scheme=other, kind=Account.Kind.GROUP, owner=helpers)
    scheme = place.shift.opportunity.scheme

    page = delete(client, sam, **{f"give_{scheme.pk}": str(elsewhere.pk)}).content.decode()

    assert "Select a valid choice." in page
    sam.refresh_from_db()
    assert sam.is_active and wallet_for(scheme=scheme, user=sam).balance == 30


def test_the_erasure_is_logged_with_nothing_that_says_who(client: Client) -> None:
    sam, _ = sam_with_30_coins_and_a_place()
    delete(client, sam)
    erasure = Erasure.objects.get()
    assert (erasure.account_id, erasure.by_id, erasure.reason) == (sam.pk, sam.pk, "")
    assert not erasure.on_request
    assert account_delete_again_is_refused(sam)


def account_delete_again_is_refused(user: User) -> bool:
    try:
        account_delete(user=user, by=user)
    except DeletionRefused as refused:
        return str(refused) == "This account is already deleted."
    return False


def test_someone_else_cannot_delete_an_account(client: Client) -> None:
    sam, _ = sam_with_30_coins_and_a_place()
    with pytest.raises(DeletionRefused, match="Only the person, or a council officer"):
        account_delete(user=sam, by=make_user("nosy@example.org"))
    sam.refresh_from_db()
    assert sam.is_active
