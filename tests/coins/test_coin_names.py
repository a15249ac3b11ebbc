"""Every amount reads in the scheme's own coin, with the right plural: "1 Bracken",
"12 Brackens", "12 Pence"; the council names the coin, and the history says so."""

import re

import pytest
from django.template import Context, Template
from django.test import Client

from coins.models import Account, Scheme, SchemeAdmin, SchemeChange, Transfer
from coins.services import LedgerError, Leg, account_for, transfer_post, wallet_for
from notifications.models import Notification
from tests.coins.factories import give_coins, make_scheme
from tests.coins.test_scheme_rules import RULES
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("plural", "amount", "reads"),
    [
        ("", 1, "1 Bracken"),
        ("", 12, "12 Brackens"),
        ("", 0, "0 Brackens"),
        ("", 1200, "1,200 Brackens"),
        ("Brackenses", 2, "2 Brackenses"),
        ("", -1, "-1 Bracken"),
    ],
)
def test_an_amount_takes_the_singular_for_one_and_the_plural_set_or_an_s_otherwise(
    plural: str, amount: int, reads: str
) -> None:
    scheme = Scheme(name="Brackenford", coin_name="Bracken", coin_name_plural=plural)
    assert scheme.coins(amount) == reads
    shown = Template("{% load coin_names %}{{ amount|coins:scheme }}")
    assert shown.render(Context({"amount": amount, "scheme": scheme})) == reads


def penny_town() -> Scheme:
    return make_scheme("pennyford", coin_name="Penny", coin_name_plural="Pence")


def test_the_wallet_and_the_give_page_say_the_schemes_coin(client: Client) -> None:
    scheme, sam = penny_town(), make_user("sam@example.org")
    give_coins(scheme, sam, 1)
    client.force_login(sam)
    wallet = client.get("/wallet/").content.decode()
    assert "<strong data-balance>1</strong> Penny." in wallet
    give_coins(scheme, sam, 11)
    wallet = client.get("/wallet/").content.decode()
    assert "<strong data-balance>12</strong> Pence." in wallet
    page = client.get("/wallet/give/").content.decode()
    assert "You have 12 Pence." in page and "How many Pence" in page


def test_a_gift_and_its_notification_say_the_schemes_coin(client: Client) -> None:
    scheme = penny_town()
    sam, kim = make_user("sam@example.org", display_name="Sam"), make_user("kim@example.org")
    give_coins(scheme, sam, 5)
    client.force_login(sam)
    data = {"to": "person", "email": "kim@example.org", "amount": 1}
    page = client.post(
        "/wallet/give/", {**data, "request_id": "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b"}, follow=True
    ).content.decode()
    assert "your gift of 1 Penny is theirs now" in page
    assert Notification.objects.get(user=kim).title == "Sam gave you 1 Penny"


def test_a_refused_overdraft_names_the_coin() -> None:
    scheme, sam = penny_town(), make_user("sam@example.org")
    give_coins(scheme, sam, 2)
    shop = account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=make_user("s@x.org"))
    with pytest.raises(
        LedgerError, match=re.escape("Not enough Pence: this needs 3 and the wallet has 2.")
    ):
        transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.SPEND,
            key="spend:1",
            legs=[Leg(wallet_for(scheme=scheme, user=sam), -3), Leg(shop, 3)],
        )


def test_the_council_names_the_coin_and_its_plural_and_the_history_records_it(
    client: Client,
) -> None:
    scheme = make_scheme()
    officer = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=officer)
    client.force_login(officer)
    form = client.get("/council/ledger/rules/").content.decode()
    assert 'name="coin_name" value="Citizen Coin"' in form
    assert "The coin&#x27;s name, for more than one (blank: add an s)" in form

    sent = {**RULES, "coin_name": " Bracken ", "coin_name_plural": "Brackenses", "reason": "Ours"}
    page = client.post("/council/ledger/rules/", sent, follow=True).content.decode()

    assert "Saved 2 changes." in page
    scheme.refresh_from_db()
    assert (scheme.coin_name, scheme.coin_plural) == ("Bracken", "Brackenses")
    history = page[page.index('id="history"') :]
    assert (
        "changed the coin&#x27;s name from <strong>Citizen Coin</strong> to <strong>Bracken"
    ) in history
    assert "changed the coin&#x27;s name for more than one from <strong>none</strong>" in history
    assert {c.field for c in SchemeChange.objects.all()} == {"coin_name", "coin_name_plural"}


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"coin_name": " "}, "Give the coin a name, such as Bracken."),
        ({"coin_name": "10 Coins"}, "Use letters, spaces, hyphens and apostrophes only"),
        ({"coin_name_plural": "<b>Pence</b>"}, "Use letters, spaces, hyphens and apostrophes"),
    ],
)
def test_a_coin_name_that_would_not_read_after_a_number_is_refused(
    client: Client, names: dict[str, str], message: str
) -> None:
    scheme = make_scheme()
    officer = make_user("council@example.org")
    SchemeAdmin.objects.create(scheme=scheme, user=officer)
    client.force_login(officer)
    page = client.post("/council/ledger/rules/", {**RULES, "reason": "Try", **names})
    assert message in page.content.decode()
    assert Scheme.objects.get(pk=scheme.pk).coin_name == "Citizen Coin"
    assert not SchemeChange.objects.exists()
