"""The council's settlement page, and the settlement line on a shop's dashboard."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coins.models import Account, Payout, SchemeAdmin
from coins.services import account_for
from coins.settlement import settlement_run
from tests.coins.factories import make_scheme
from tests.coins.test_settlement import fund_with, takes
from tests.conftest import make_user
from tests.marketplace.factories import make_retailer, staff_of

pytestmark = pytest.mark.django_db


def an_officer(client: Client) -> None:
    officer = make_user("officer@example.org")
    SchemeAdmin.objects.create(scheme=make_scheme(), user=officer)
    client.force_login(officer)


def test_only_the_schemes_admins_see_or_run_settlement(client: Client) -> None:
    make_scheme(coin_value_pence=50)
    client.force_login(make_user("sam@example.org"))
    assert client.get("/council/ledger/settlement/").status_code == 403
    assert client.post("/council/ledger/settlement/run/").status_code == 403


def test_settle_now_pays_what_the_fund_covers_and_shows_the_rest_owed(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    scheme = make_scheme(coin_value_pence=50)
    bakery = make_retailer("Corner Bakery")
    takes(scheme, account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=bakery), 120)
    fund_with(scheme, 4000)
    an_officer(client)
    page = client.get("/council/ledger/").content.decode()
    assert 'href="/council/ledger/settlement/"' in page
    page = client.get("/council/ledger/settlement/").content.decode()
    assert "Corner Bakery" in page and "120 Citizen Coins, worth £60.00: owed" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/council/ledger/settlement/run/", follow=True)
    page = response.content.decode()
    assert "Testford: settled 1 shop for £40.00, 1 payout requested." in page
    assert "The fund could not cover £20.00: still owed." in page
    assert "40 Citizen Coins, worth £20.00: owed" in page
    assert "Bank reference for the £40.00 payment" in page


def test_marking_a_payout_paid_needs_the_bank_reference(client: Client) -> None:
    scheme = make_scheme(coin_value_pence=50)
    bakery = make_retailer("Corner Bakery")
    takes(scheme, account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=bakery), 120)
    fund_with(scheme, 10_000)
    an_officer(client)
    client.post("/council/ledger/settlement/run/")
    payout = Payout.objects.get()

    page = client.post(
        f"/council/ledger/payouts/{payout.pk}/paid/", {"reference": " "}, follow=True
    )
    assert "Give the bank&#x27;s reference for the payment." in page.content.decode()
    page = client.post(
        f"/council/ledger/payouts/{payout.pk}/paid/", {"reference": "BACS 4471"}, follow=True
    )
    assert "Marked £60.00 as paid." in page.content.decode()
    payout.refresh_from_db()
    assert (payout.status, payout.reference) == ("paid", "BACS 4471")


def test_an_admin_of_another_scheme_cannot_mark_its_payouts_paid(client: Client) -> None:
    scheme = make_scheme(coin_value_pence=50)
    bakery = make_retailer("Corner Bakery")
    takes(scheme, account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=bakery), 10)
    fund_with(scheme, 500)
    an_officer(client)
    client.post("/council/ledger/settlement/run/")
    other = make_user("elsewhere@example.org")
    SchemeAdmin.objects.create(scheme=make_scheme("otherton"), user=other)
    client.force_login(other)
    payout = Payout.objects.get()
    response = client.post(f"/council/ledger/payouts/{payout.pk}/paid/", {"reference": "X"})
    assert response.status_code == 404


def test_the_shop_sees_coins_waiting_money_owed_and_money_paid(client: Client) -> None:
    scheme = make_scheme(coin_value_pence=50)
    bakery = make_retailer("Corner Bakery")
    client.force_login(staff_of(bakery))
    page = client.get(f"/shop/{bakery.pk}/").content.decode()
    assert "Coins waiting to be settled</dt><dd>0 Citizen Coins (worth £0.00)" in page

    takes(scheme, account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=bakery), 120)
    fund_with(scheme, 4000)
    settlement_run(scheme=scheme, today=timezone.localdate())
    page = client.get(f"/shop/{bakery.pk}/").content.decode()
    assert "The scheme pays £0.50 for each Citizen Coin you take" in page
    assert "Coins waiting to be settled</dt><dd>40 Citizen Coins (worth £20.00)" in page
    assert "Owed to you, being paid</dt><dd>£40.00" in page
    assert "Paid to you so far</dt><dd>£0.00" in page


def test_a_shop_in_a_scheme_without_coin_value_sees_no_settlement(client: Client) -> None:
    bakery = make_retailer("Corner Bakery")
    client.force_login(staff_of(bakery))
    assert "Settlement" not in client.get(f"/shop/{bakery.pk}/").content.decode()
