"""A gift to another resident by e-mail address never tells the giver whether anyone has
joined with the address, and never loses a coin: an unknown address's gift is held for 14
days for whoever joins with it, then comes back."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.expiry import coins_expiry_run
from coins.gifts import HOLD_DAYS, pending_gifts_claim, pending_gifts_return
from coins.models import Account, PendingGift, Transfer
from coins.services import account_for, wallet_for
from coins.verify import ledger_problems
from notifications.models import Notification
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
MOMENT = re.compile(r'datetime="[^"]+"')  # to the microsecond: two gifts are not at once


def give(client: Client, email: str, amount: int = 5) -> str:
    """The page the giver lands on after giving, as HTML."""
    data = {"to": "person", "email": email, "amount": amount, "request_id": str(uuid.uuid4())}
    response = client.post("/wallet/give/", data, follow=True)
    assert response.redirect_chain == [("/wallet/", 302)]
    return response.content.decode()


def giver(client: Client, email: str, coins: int = 20, display_name: str = "") -> User:
    person = make_user(email, display_name=display_name)
    give_coins(make_scheme(), person, coins)
    client.force_login(person)
    return person


def without(page: str, *texts: str) -> str:
    for text in texts:
        page = page.replace(text, "<removed>")
    return MOMENT.sub("<moment>", CSRF.sub("<csrf>", page))


def test_a_gift_to_an_address_with_or_without_an_account_reads_the_same_to_the_giver(
    client: Client,
) -> None:
    make_user("kim@example.org")
    sam = giver(client, "sam@example.org")
    to_kim = give(client, "kim@example.org")
    ash = giver(client, "ash@example.org")
    to_nobody = give(client, "nobody@example.org")

    assert "If someone with the address kim@example.org has joined Testford" in to_kim
    assert without(to_kim, "kim@example.org", sam.email) == without(
        to_nobody, "nobody@example.org", ash.email
    )
    # The balance is true in both: the coins left the wallet either way.
    assert "<strong data-balance>15</strong>" in to_kim and "Gift to another resident" in to_kim
    assert wallet_for(scheme=make_scheme(), user=ash).balance == 15
    assert ledger_problems() == []


def test_the_api_answers_a_gift_to_either_address_alike(client: Client) -> None:
    make_user("kim@example.org")
    answers = []
    for me, to in [("sam@example.org", "kim@example.org"), ("ash@example.org", "no@example.org")]:
        giver(client, me)
        body = {"email": to, "amount": 5, "request_id": str(uuid.uuid4())}
        response = client.post("/api/v1/wallet/gifts", json.dumps(body), "application/json")
        answers.append((response.status_code, {**response.json(), "transfer_id": 0}))
    assert answers[0] == answers[1] == (201, {"transfer_id": 0, "amount": 5, "balance": 15})


@pytest.mark.parametrize("to", ["kim@example.org", "nobody@example.org"])
def test_a_gift_beyond_the_balance_is_refused_alike_and_moves_nothing(
    client: Client, to: str
) -> None:
    make_user("kim@example.org")
    giver(client, "sam@example.org")
    data = {"to": "person", "email": to, "amount": 99, "request_id": str(uuid.uuid4())}
    page = client.post("/wallet/give/", data).content.decode()
    assert "Not enough Citizen Coins: this needs 99 and the wallet has 20." in page
    assert not PendingGift.objects.exists()
    assert Transfer.objects.count() == 1  # the coins given to the giver


def test_the_same_form_sent_again_gives_once_whoever_has_the_address(client: Client) -> None:
    giver(client, "sam@example.org")
    data = {"to": "person", "email": "Nobody@Example.org", "amount": 5}
    data["request_id"] = str(uuid.uuid4())
    for _ in range(2):
        client.post("/wallet/give/", data)
    again = client.post("/wallet/give/", {**data, "amount": 6}).content.decode()
    assert "That request was already used for a different movement." in again
    gift = PendingGift.objects.get()
    assert (gift.email, gift.amount, gift.state) == ("nobody@example.org", 5, "held")
    assert wallet_for(scheme=make_scheme(), user=gift.sender).balance == 15


def test_an_address_not_yet_confirmed_does_not_catch_the_gift(client: Client) -> None:
    # Someone signed up with another person's address and never confirmed it.
    kim = make_user("kim@example.org", verified=False)
    giver(client, "sam@example.org")
    give(client, "kim@example.org")
    assert PendingGift.objects.get().state == PendingGift.State.HELD
    assert wallet_for(scheme=make_scheme(), user=kim).balance == 0


def test_a_held_gift_is_claimed_once_the_address_is_confirmed(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    sam = giver(client, "sam@example.org", display_name="Sam")
    give(client, "kim@example.org", amount=7)
    kim = User.objects.create_user("Kim@example.org", PASSWORD)
    address = EmailAddress.objects.create(user=kim, email="Kim@example.org", verified=True)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    scheme = make_scheme()
    assert wallet_for(scheme=scheme, user=kim).balance == 7
    assert account_for(scheme=scheme, kind=Account.Kind.HELD, owner=sam).balance == 0
    gift = PendingGift.objects.get()
    assert (gift.state, gift.email) == (PendingGift.State.CLAIMED, "")  # address not kept
    assert Notification.objects.get(user=kim).title == "Sam gave you 7 Citizen Coins"
    # Confirming again claims nothing more.
    assert pending_gifts_claim(user=kim, email="kim@example.org") == []
    client.force_login(kim)
    assert "Gift received from a resident" in client.get("/wallet/").content.decode()
    assert ledger_problems() == []


def test_a_gift_nobody_claims_comes_back_after_14_days_and_once(client: Client) -> None:
    sam = giver(client, "sam@example.org")
    give(client, "nobody@example.org")
    gift = PendingGift.objects.get()
    assert gift.expires - gift.hold.created == timedelta(days=HOLD_DAYS)

    assert pending_gifts_return(now=gift.expires - timedelta(minutes=1)) == []
    day_after = timezone.localdate(gift.expires) + timedelta(days=1)
    assert coins_expiry_run(today=day_after)["returned"] == 1
    assert coins_expiry_run(today=day_after)["returned"] == 0

    scheme = make_scheme()
    assert wallet_for(scheme=scheme, user=sam).balance == 20
    gift.refresh_from_db()
    assert (gift.state, gift.email) == (PendingGift.State.RETURNED, "")
    told = Notification.objects.get(user=sam, kind="gift_returned")
    assert told.title == "Your gift of 5 Citizen Coins came back to you"
    statement = client.get("/wallet/").content.decode()
    assert "Reversal: nobody claimed the gift within 14 days" in statement
    # Too late to claim: someone joining with the address now gets nothing.
    late = make_user("nobody@example.org")
    assert pending_gifts_claim(user=late, email="nobody@example.org") == []
    assert ledger_problems() == []


def test_verify_ledger_names_a_held_gift_that_does_not_match_its_account(client: Client) -> None:
    giver(client, "sam@example.org")
    give(client, "nobody@example.org")
    PendingGift.objects.update(amount=4)
    problems = ledger_problems()
    assert len(problems) == 1 and "waiting gifts add up to 4" in problems[0]
    PendingGift.objects.update(amount=5)  # as it was, for the check after the test
