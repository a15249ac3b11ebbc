import pytest
from django.test import Client

from coins.models import Account, AuditRecord, SchemeAdmin, Transfer
from coins.services import account_for, wallet_for
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_resident_with_no_coins_is_told_how_to_earn_them(client: Client) -> None:
    client.force_login(make_user("sam@example.org"))
    page = client.get("/wallet/").content.decode()
    assert "You have no coins yet." in page
    assert client.get("/wallet/statement.csv").status_code == 404
    assert client.get("/wallet/give/").status_code == 302


def test_the_statement_shows_each_movement_with_its_running_balance_and_downloads(
    client: Client,
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 30)
    give_coins(scheme, sam, 12)
    client.force_login(sam)
    page = client.get("/wallet/").content.decode()
    assert "<strong data-balance>42</strong>" in page
    assert page.count("Test coins") == 2
    assert '<td class="num">+12</td>\n      <td class="num">42</td>' in page

    csv = client.get("/wallet/statement.csv").content.decode().splitlines()
    assert csv[0] == "date,description,coins,balance after"
    assert [line.split(",")[1:] for line in csv[1:]] == [
        ["Test coins", "12", "42"],
        ["Test coins", "30", "30"],
    ]
    assert (
        "No coin movements in January 2001."
        in client.get("/wallet/?month=2001-01").content.decode()
    )
    assert "Test coins" in client.get("/wallet/?month=nonsense").content.decode()


def test_a_resident_gives_coins_to_a_group_and_to_a_friend_once_per_form(client: Client) -> None:
    scheme = make_scheme()
    sam, kim = make_user("sam@example.org"), make_user("kim@example.org")
    group_owner = make_user("group-stand-in@example.org")
    group = account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=group_owner)
    give_coins(scheme, sam, 20)
    client.force_login(sam)
    form = client.get("/wallet/give/").content.decode()
    assert "group-stand-in@example.org" in form  # the group's name, from its owner

    request_id = "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b"
    for _ in range(2):
        client.post("/wallet/give/", {"to": group.pk, "amount": 5, "request_id": request_id})
    response = client.post(
        "/wallet/give/",
        {
            "to": "person",
            "email": "KIM@example.org",
            "amount": 3,
            "request_id": "0f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b",
        },
        follow=True,
    )
    assert "your gift of 3 Citizen Coins is theirs now" in response.content.decode()
    assert wallet_for(scheme=scheme, user=sam).balance == 12
    assert wallet_for(scheme=scheme, user=kim).balance == 3
    group.refresh_from_db()
    assert group.balance == 5
    client.force_login(kim)
    assert "Gift received from a resident" in client.get("/wallet/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": "", "amount": 5}, "Choose who to give your coins to."),
        ({"to": "person", "amount": 5}, "Enter the email address of the person to give to."),
        (
            {"to": "person", "email": "sam@example.org", "amount": 5},
            "cannot give coins to yourself",
        ),
        ({"to": "person", "email": "kim@example.org", "amount": "lots"}, "Enter a whole number"),
        ({"to": "person", "email": "kim@example.org", "amount": 0}, "Give at least 1 coin."),
        ({"to": "person", "email": "kim@example.org", "amount": 99}, "Not enough Citizen Coins"),
    ],
)
def test_a_gift_that_cannot_be_made_is_explained_and_moves_nothing(
    client: Client, data: dict[str, object], message: str
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    make_user("kim@example.org")
    give_coins(scheme, sam, 20)
    client.force_login(sam)
    data = {**data, "request_id": "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b"}
    page = client.post("/wallet/give/", data).content.decode()
    assert "There is a problem" in page and message in page
    assert Transfer.objects.count() == 1


def test_a_scheme_admin_reverses_a_transfer_with_a_reason_and_it_is_audited(
    client: Client,
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    mint = give_coins(scheme, sam, 15)
    council = make_user("council@example.org")
    SchemeAdmin.objects.create(scheme=scheme, user=council)
    wallet = wallet_for(scheme=scheme, user=sam)

    client.force_login(sam)
    assert client.get("/council/ledger/").status_code == 403
    assert client.post(f"/council/ledger/transfers/{mint.pk}/reverse/").status_code == 403

    client.force_login(council)
    found = client.get("/council/ledger/?q=SAM@example.org").content.decode()
    assert f"/council/ledger/accounts/{wallet.pk}/" in found
    no_reason = client.post(
        f"/council/ledger/transfers/{mint.pk}/reverse/", {"reason": " "}, follow=True
    )
    assert "Give a reason for the reversal." in no_reason.content.decode()
    assert not Transfer.objects.filter(reverses=mint).exists()

    page = client.post(
        f"/council/ledger/transfers/{mint.pk}/reverse/",
        {"reason": "Hours were entered twice", "account": wallet.pk},
        follow=True,
    ).content.decode()
    assert "Reversed. The reason is recorded" in page
    assert wallet_for(scheme=scheme, user=sam).balance == 0
    record = AuditRecord.objects.get()
    assert (record.actor_id, record.action, record.reason) == (
        council.pk,
        "reverse",
        "Hours were entered twice",
    )
    assert "Hours were entered twice" in client.get("/council/ledger/").content.decode()


@pytest.mark.parametrize("query", ["month=0000-01", "month=2026-13", "scheme=%00", "scheme=x%27y"])
def test_odd_wallet_queries_are_answered_not_a_server_error(client: Client, query: str) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 5)
    client.force_login(sam)
    assert client.get(f"/wallet/?{query}").status_code == 200
    assert client.get(f"/wallet/statement.csv?{query}").status_code in (200, 404)


def test_a_malformed_email_gets_one_message(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 5)
    client.force_login(sam)
    page = client.post(
        "/wallet/give/",
        {
            "to": "person",
            "email": "not-an-email",
            "amount": 1,
            "request_id": "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b",
        },
    ).content.decode()
    assert "Enter a valid email address." in page
    assert "Enter the email address of the person to give to." not in page


def test_the_give_form_offers_a_groups_coin_account_only(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 5)
    owner = make_user("group-stand-in@example.org")
    coins = account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=owner)
    pounds = account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=owner, currency="GBP")
    client.force_login(sam)
    form = client.get("/wallet/give/").content.decode()
    assert f'value="{coins.pk}"' in form and f'value="{pounds.pk}"' not in form
