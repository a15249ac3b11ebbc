import csv
import io
import json
import uuid
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Account, Scheme, Transfer
from coins.schemas import Problem as BoardProblem
from coins.schemas import Problem as WalletProblem
from coins.services import Leg, account_for, transfer_post, wallet_for
from tests.coins.factories import give_coins, issuance, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import make_group

pytestmark = pytest.mark.django_db


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def gift(client: Client, **body: Any) -> Any:
    body.setdefault("request_id", str(uuid.uuid4()))
    return client.post("/api/v1/wallet/gifts", json.dumps(body), content_type="application/json")


def group_account(name: str = "Park Friends") -> Account:
    """A verified group's account, as the council's verification opens it."""
    group = make_group(name)
    return account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)


def mint(scheme: Scheme, user: User, coins: int, *, memo: str = "", on: str = "") -> Transfer:
    """Coins into a wallet; `on` (an ISO date-time) backdates the transfer."""
    wallet = wallet_for(scheme=scheme, user=user)
    now = datetime.fromisoformat(on).replace(tzinfo=timezone.get_current_timezone()) if on else None
    with mock.patch("django.utils.timezone.now", return_value=now or timezone.now()):
        return transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.MINT,
            key=f"test-mint:{uuid.uuid4()}",
            legs=[Leg(issuance(scheme), -coins), Leg(wallet, coins)],
            memo=memo or "Test coins",
        )


def balance(scheme: Scheme, user: User) -> int:
    return wallet_for(scheme=scheme, user=user).balance


def test_my_wallets_list_each_scheme_with_its_balance_and_its_coins_names(
    client: Client,
) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme("testford"), sam, 30)
    give_coins(make_scheme("avonby", coin_name="Avon Penny", coin_name_plural="Avon Pence"), sam, 5)

    wallets = logged_in(client, sam).get("/api/v1/wallet").json()

    # The plural is the one the scheme set, or else the name with an s.
    assert wallets == [
        {
            "scheme": {
                "slug": "avonby",
                "name": "Avonby",
                "coin_name": "Avon Penny",
                "coin_name_plural": "Avon Pence",
            },
            "balance": 5,
        },
        {
            "scheme": {
                "slug": "testford",
                "name": "Testford",
                "coin_name": "Citizen Coin",
                "coin_name_plural": "Citizen Coins",
            },
            "balance": 30,
        },
    ]


def test_the_statement_lists_lines_newest_first_with_the_balance_after_each(
    client: Client,
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    first = mint(scheme, sam, 30, memo="3 h volunteering: Litter pick")
    logged_in(client, sam)
    gift(client, to_account=group_account().pk, amount=12)

    body = client.get("/api/v1/wallet/statement", {"scheme": "testford"}).json()

    assert (body["scheme"]["slug"], body["balance"], body["count"]) == ("testford", 18, 2)
    assert [
        (line["description"], line["amount"], line["balance_after"], line["kind"])
        for line in body["results"]
    ] == [
        ("Gift to Park Friends", -12, 18, "donation"),
        ("3 h volunteering: Litter pick", 30, 30, "mint"),
    ]
    assert body["results"][1]["transfer_id"] == first.pk
    assert body["results"][1]["when"].startswith(str(timezone.localdate().year))


def test_the_statement_comes_fifty_lines_a_page(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    for _ in range(51):
        give_coins(scheme, sam, 1)
    logged_in(client, sam)

    first = client.get("/api/v1/wallet/statement").json()
    second = client.get("/api/v1/wallet/statement", {"page": 2}).json()

    assert (first["count"], first["pages"], len(first["results"])) == (51, 2, 50)
    assert first["results"][0]["balance_after"] == 51
    assert (second["page"], [line["balance_after"] for line in second["results"]]) == (2, [1])


def test_the_month_filter_narrows_the_statement(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    mint(scheme, sam, 10, memo="October's litter pick", on="2025-10-20T10:00")
    mint(scheme, sam, 5, memo="November's litter pick", on="2025-11-03T10:00")

    body = logged_in(client, sam).get("/api/v1/wallet/statement", {"month": "2025-10"}).json()

    assert body["month"] == "2025-10-01"
    assert [(line["description"], line["balance_after"]) for line in body["results"]] == [
        ("October's litter pick", 10)
    ]
    assert body["balance"] == 15  # the wallet's balance now, whatever the month shown


@pytest.mark.parametrize("month", ["2025-13", "November", "2025-1", "0000-01"])
def test_a_month_that_is_not_yyyy_mm_is_refused_rather_than_showing_everything(
    client: Client, month: str
) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 10)
    logged_in(client, sam)

    for path in ("/api/v1/wallet/statement", "/api/v1/wallet/statement.csv"):
        response = client.get(path, {"month": month})
        assert response.status_code == 422
        assert response.json() == {
            "detail": "Give the month as YYYY-MM, such as 2026-11.",
            "errors": {"month": ["Give the month as YYYY-MM, such as 2026-11."]},
        }


def test_someone_without_a_wallet_gets_an_empty_statement_not_a_404(client: Client) -> None:
    logged_in(client, make_user("new@example.org"))

    response = client.get("/api/v1/wallet/statement")

    assert response.status_code == 200
    assert response.json() == {
        "scheme": None,
        "balance": 0,
        "month": None,
        "count": 0,
        "page": 1,
        "pages": 1,
        "results": [],
    }
    assert client.get("/api/v1/wallet").json() == []
    assert client.get("/api/v1/wallet/recipients").json() == []


@pytest.mark.parametrize(
    "query", [{"scheme": "test\x00ford"}, {"scheme": "a" * 51}, {"page": "0"}, {"page": "two"}]
)
def test_odd_query_values_are_refused_not_a_server_error(
    client: Client, query: dict[str, str]
) -> None:
    logged_in(client, make_user("sam@example.org"))
    assert client.get("/api/v1/wallet/statement", query).status_code == 422


def test_the_csv_is_the_pages_download_and_defuses_a_formula(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    mint(scheme, sam, 20)
    mint(scheme, sam, 3, memo='=HYPERLINK("http://evil.example","click")')
    logged_in(client, sam)

    response = client.get("/api/v1/wallet/statement.csv", {"scheme": "testford"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="citizen-coin-statement.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "description", "coins", "balance after"]
    assert [row[1:] for row in rows[1:]] == [
        ['\'=HYPERLINK("http://evil.example","click")', "3", "23"],
        ["Test coins", "20", "20"],
    ]
    assert response.content == client.get("/wallet/statement.csv").content


def test_the_csv_for_a_month_is_named_for_it_and_has_only_that_month(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    mint(scheme, sam, 10, on="2025-10-20T10:00")
    mint(scheme, sam, 5, on="2025-11-03T10:00")
    logged_in(client, sam)

    response = client.get("/api/v1/wallet/statement.csv", {"month": "2025-11"})

    assert 'filename="citizen-coin-statement-2025-11.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[2:] for row in rows[1:]] == [["5", "15"]]


def test_the_recipients_are_the_schemes_community_groups(client: Client) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 10)
    parks, choir = group_account("Park Friends"), group_account("Choir")

    recipients = logged_in(client, sam).get("/api/v1/wallet/recipients").json()

    assert recipients == [
        {"account": choir.pk, "name": "Choir"},
        {"account": parks.pk, "name": "Park Friends"},
    ]


def test_a_gift_to_a_group_moves_coins_from_my_wallet_to_the_group(client: Client) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 30)
    parks = group_account()

    response = gift(logged_in(client, sam), to_account=parks.pk, amount=12)

    assert response.status_code == 201
    transfer = Transfer.objects.get(kind=Transfer.Kind.DONATION)
    assert response.json() == {"transfer_id": transfer.pk, "amount": 12, "balance": 18}
    parks.refresh_from_db()
    assert (balance(scheme, sam), parks.balance) == (18, 12)
    assert transfer.memo == "Gift to Park Friends"


def test_a_gift_to_a_resident_by_email_moves_coins_to_their_wallet(client: Client) -> None:
    scheme = make_scheme()
    sam, kim = make_user("sam@example.org"), make_user("kim@example.org")
    give_coins(scheme, sam, 30)

    response = gift(logged_in(client, sam), email="KIM@example.org", amount=7)

    assert response.status_code == 201
    assert (balance(scheme, sam), balance(scheme, kim)) == (23, 7)
    logged_in(client, kim)
    line = client.get("/api/v1/wallet/statement").json()["results"][0]
    assert (line["description"], line["amount"]) == ("Gift received from a resident", 7)


def test_sending_the_same_request_id_twice_gives_once(client: Client) -> None:
    scheme = make_scheme()
    sam, kim = make_user("sam@example.org"), make_user("kim@example.org")
    give_coins(scheme, sam, 30)
    request_id = str(uuid.uuid4())
    logged_in(client, sam)

    first = gift(client, email="kim@example.org", amount=10, request_id=request_id)
    again = gift(client, email="kim@example.org", amount=10, request_id=request_id)
    other = gift(client, email="kim@example.org", amount=11, request_id=request_id)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["transfer_id"] == first.json()["transfer_id"]
    assert (other.status_code, other.json()["detail"]) == (
        409,
        "That request was already used for a different movement.",
    )
    assert (balance(scheme, sam), balance(scheme, kim)) == (20, 10)


def test_a_gift_retried_through_the_api_after_the_page_gives_once(client: Client) -> None:
    scheme = make_scheme()
    sam, kim = make_user("sam@example.org"), make_user("kim@example.org")
    give_coins(scheme, sam, 30)
    request_id = str(uuid.uuid4())
    body = {"to": "person", "email": "kim@example.org", "amount": 10, "request_id": request_id}
    logged_in(client, sam).post("/wallet/give/", body)

    response = gift(client, email="kim@example.org", amount=10, request_id=request_id)

    assert response.status_code == 201
    assert Transfer.objects.filter(kind=Transfer.Kind.DONATION).count() == 1
    assert (balance(scheme, sam), balance(scheme, kim)) == (20, 10)


def test_giving_more_than_the_wallet_holds_is_a_conflict_and_moves_nothing(
    client: Client,
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 20)
    parks = group_account()

    response = gift(logged_in(client, sam), to_account=parks.pk, amount=50)

    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == "Not enough Citizen Coins: this needs 50 and the wallet has 20."
    )
    parks.refresh_from_db()
    assert (balance(scheme, sam), parks.balance) == (20, 0)
    assert not Transfer.objects.filter(kind=Transfer.Kind.DONATION).exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"email": "sam@example.org", "amount": 5},
            {"email": ["You cannot give coins to yourself."]},
        ),
        (
            {"amount": 0},
            {
                "to_account": ["Choose who to give your coins to."],
                "amount": ["Give at least 1 coin."],
            },
        ),
        ({"email": "kim@example.org"}, {"amount": ["Enter how many coins to give."]}),
        (
            {"to_account": 999999, "email": "kim@example.org", "amount": 5},
            {"to_account": ["Give to a group or to a resident's email address, not both."]},
        ),
    ],
)
def test_a_gift_the_form_refuses_gets_the_pages_messages_and_moves_nothing(
    client: Client, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    make_user("kim@example.org")
    give_coins(scheme, sam, 20)

    response = gift(logged_in(client, sam), **body)

    assert response.status_code == 422
    assert response.json() == {"detail": "Some of what was sent is not valid.", "errors": errors}
    assert balance(scheme, sam) == 20


def test_a_malformed_email_gets_the_pages_message(client: Client) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 20)

    response = gift(logged_in(client, sam), email="not an address", amount=5)

    assert response.status_code == 422
    assert "Enter a valid email address." in response.json()["errors"]["email"]


def test_a_gift_to_an_account_that_is_not_a_group_is_refused(client: Client) -> None:
    scheme = make_scheme()
    sam, kim = make_user("sam@example.org"), make_user("kim@example.org")
    give_coins(scheme, sam, 20)

    response = gift(
        logged_in(client, sam), to_account=wallet_for(scheme=scheme, user=kim).pk, amount=5
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["to_account"]
    assert balance(scheme, sam) == 20


def test_someone_with_no_wallet_has_no_coins_to_give(client: Client) -> None:
    make_scheme()
    response = gift(logged_in(client, make_user("new@example.org")), to_account=1, amount=5)

    assert response.status_code == 409
    assert response.json()["detail"] == "You have no coins to give yet. Volunteer to earn some!"


@pytest.mark.parametrize(
    "path",
    ["/wallet", "/wallet/statement", "/wallet/statement.csv", "/wallet/recipients"],
)
def test_the_wallet_needs_a_login(client: Client, path: str) -> None:
    response = client.get(f"/api/v1{path}")
    assert (response.status_code, response.json()) == (401, {"detail": "Log in to use this."})


def test_giving_needs_a_login(client: Client) -> None:
    response = gift(client, email="kim@example.org", amount=5)
    assert (response.status_code, response.json()) == (401, {"detail": "Log in to use this."})


def test_the_openapi_document_still_builds_with_the_wallet_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/wallet", "/api/v1/wallet/statement", "/api/v1/wallet/gifts"} <= set(paths)
    csv_200 = paths["/api/v1/wallet/statement.csv"]["get"]["responses"]["200"]
    assert "text/csv" in csv_200["content"]
    # The document has one `Problem`: the wallet's must not redefine the board's.
    assert WalletProblem.model_json_schema() == BoardProblem.model_json_schema()
