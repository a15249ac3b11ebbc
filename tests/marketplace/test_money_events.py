"""Money events reach everyone they concern: a gift's recipient, and a shop's staff
when a sale is made or refunded. Nothing is sent when the work rolls back."""

import json
import uuid
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import User
from coins.models import Account
from coins.services import account_for, wallet_for
from coins.wallets import gift_give
from marketplace.rewards.services.redemptions import redemption_code_create, redemption_refund
from notifications.models import Notification
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import (
    confirm_at_till,
    make_group,
    make_offer,
    make_retailer,
    staff_of,
)

pytestmark = pytest.mark.django_db


def resident_with(coins: int, email: str = "sam@example.org", **fields: Any) -> User:
    user = make_user(email, display_name="Sam", **fields)
    give_coins(make_scheme(), user, coins)
    return user


def told(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("user").order_by("pk"))


def test_a_resident_given_coins_on_the_give_page_is_told(client: Client) -> None:
    sam = resident_with(20)
    kim = make_user("kim@example.org")
    client.force_login(sam)
    body = {"to": "person", "email": "kim@example.org", "amount": 5}
    for _ in range(2):  # the same form sent twice gives, and tells, once
        client.post("/wallet/give/", {**body, "request_id": "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b"})

    (gift,) = told("coins_received")
    assert gift.user == kim
    assert gift.title == "Sam gave you 5 Citizen Coins"
    assert gift.url == "/wallet/"
    assert wallet_for(scheme=make_scheme(), user=kim).balance == 5


def test_a_giver_who_keeps_their_name_private_is_not_named() -> None:
    sam = resident_with(20, share_name=False)
    kim = make_user("kim@example.org")
    scheme = make_scheme()
    gift_give(
        scheme=scheme,
        sender=sam,
        to=wallet_for(scheme=scheme, user=kim),
        amount=1,
        key=f"give:{sam.pk}:{uuid.uuid4()}",
        memo="Gift to another resident",
    )
    assert [n.title for n in told("coins_received")] == ["A resident gave you 1 Citizen Coin"]


def test_a_gift_to_a_group_through_the_api_tells_its_organisers(client: Client) -> None:
    sam = resident_with(20)
    group = make_group("Park Friends")
    account = account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)
    client.force_login(sam)
    response = client.post(
        "/api/v1/wallet/gifts",
        json.dumps({"to_account": account.pk, "amount": 7, "request_id": str(uuid.uuid4())}),
        content_type="application/json",
    )
    assert response.status_code == 201

    (gift,) = told("coins_received")
    assert gift.user == group.organisers.get().user
    assert gift.title == "Sam gave Park Friends 7 Citizen Coins"


def test_the_shops_staff_are_told_of_a_sale_and_of_its_refund() -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    retailer = offer.retailer
    second = make_user("second-till@example.org")
    retailer.staff.create(user=second)
    staff = staff_of(retailer)

    sale = confirm_at_till(redemption=redemption_code_create(user=sam, offer=offer), staff=staff)
    made = told("sale_made")
    assert {n.user for n in made} == {staff, second}
    assert {n.title for n in made} == {"Sam paid 12 Citizen Coins for Loaf of bread"}
    assert made[0].url == f"/shop/{retailer.pk}/receipts/{sale.pk}/"

    redemption_refund(redemption=sale, staff=staff, reason="Stale loaf")
    refunded = told("sale_refunded")
    assert {n.user for n in refunded} == {staff, second}
    assert {n.title for n in refunded} == {"Refunded 12 Citizen Coins to Sam"}
    assert {n.body for n in refunded} == {"Stale loaf"}
    # The resident was told too, as before.
    assert [n.user for n in told("coins_spent") + told("coins_refunded")] == [sam, sam]


def test_a_sale_of_an_amount_asked_for_names_no_offer() -> None:
    sam = resident_with(30, share_name=False)
    retailer = make_retailer()
    code = redemption_code_create(user=sam, retailer=retailer, amount=4)
    confirm_at_till(redemption=code, staff=staff_of(retailer))
    assert [n.title for n in told("sale_made")] == [
        "A resident paid 4 Citizen Coins for an amount you asked for"
    ]


class RolledBack(Exception):
    pass


def test_nothing_is_sent_when_the_work_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sam = resident_with(30)
    kim = make_user("kim@example.org")
    scheme = make_scheme()
    offer = make_offer(price=12)
    code = redemption_code_create(user=sam, offer=offer)
    Notification.objects.all().delete()

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RolledBack),
        transaction.atomic(),
    ):
        gift_give(
            scheme=scheme,
            sender=sam,
            to=wallet_for(scheme=scheme, user=kim),
            amount=5,
            key=f"give:{sam.pk}:{uuid.uuid4()}",
            memo="Gift to another resident",
        )
        confirm_at_till(redemption=code, staff=staff_of(offer.retailer))
        # Kim's gift, Sam's payment and the till's sale: stored, not yet sent.
        assert Notification.objects.count() == 3
        raise RolledBack

    assert callbacks == []
    assert not Notification.objects.exists()
    assert wallet_for(scheme=scheme, user=sam).balance == 30
