"""Real PostgreSQL, real transactions: each thread has its own connection and commits."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from django.db import connection

from coins.models import Account, Transfer
from coins.services import InsufficientFunds, Leg, transfer_post, wallet_for
from tests.coins.factories import give_coins, make_scheme, shop
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)
T = TypeVar("T")
# Ten connections at a time: PostgreSQL's default limit is 100 for the whole server, shared
# with whatever else runs against it.
WORKERS = 10


def in_threads(count: int, work: Callable[[int], T]) -> list[T | Exception]:
    def run(n: int) -> T | Exception:
        try:
            return work(n)
        except Exception as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, range(count)))


def test_two_hundred_spends_against_a_wallet_that_covers_fifty() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 50)
    wallet_id = wallet_for(scheme=scheme, user=sam).pk
    till_id = shop(scheme, make_user("shop@example.org")).pk

    def spend_one(n: int) -> Transfer:
        wallet, till = Account.objects.get(pk=wallet_id), Account.objects.get(pk=till_id)
        return transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.SPEND,
            key=f"till:{n}",
            legs=[Leg(wallet, -1), Leg(till, 1)],
        )

    results = in_threads(200, spend_one)
    spent = [r for r in results if isinstance(r, Transfer)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert (len(spent), len(refused)) == (50, 150), [
        r for r in results if isinstance(r, Exception) and not isinstance(r, InsufficientFunds)
    ][:3]
    assert all("Not enough Citizen Coins" in str(r) for r in refused)
    assert Account.objects.get(pk=wallet_id).balance == 0
    assert Account.objects.get(pk=till_id).balance == 50
    assert Transfer.objects.filter(kind=Transfer.Kind.SPEND).count() == 50


def test_fifty_posts_with_one_key_make_one_transfer() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 50)
    wallet_id = wallet_for(scheme=scheme, user=sam).pk
    till_id = shop(scheme, make_user("shop@example.org")).pk

    def same_spend(n: int) -> int:
        wallet, till = Account.objects.get(pk=wallet_id), Account.objects.get(pk=till_id)
        transfer = transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.SPEND,
            key="till:the-one-code",
            legs=[Leg(wallet, -7), Leg(till, 7)],
        )
        return transfer.pk

    results = in_threads(50, same_spend)
    assert len(set(results)) == 1 and isinstance(results[0], int), results[:3]
    assert Transfer.objects.filter(key="till:the-one-code").count() == 1
    assert Account.objects.get(pk=wallet_id).balance == 43


def test_gifts_crossing_in_opposite_directions_never_deadlock() -> None:
    scheme = make_scheme()
    sam, kim = make_user("sam@example.org"), make_user("kim@example.org")
    give_coins(scheme, sam, 500)
    give_coins(scheme, kim, 500)
    wallets = [wallet_for(scheme=scheme, user=u).pk for u in (sam, kim)]

    def gift(n: int) -> Transfer:
        # Even n: sam -> kim; odd n: kim -> sam. Both lock the same two rows.
        source, target = (wallets[0], wallets[1]) if n % 2 == 0 else (wallets[1], wallets[0])
        return transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.DONATION,
            key=f"gift:{n}",
            legs=[Leg(Account.objects.get(pk=source), -1), Leg(Account.objects.get(pk=target), 1)],
        )

    results = in_threads(200, gift)
    assert all(isinstance(r, Transfer) for r in results), [
        r for r in results if not isinstance(r, Transfer)
    ][:3]
    assert sum(Account.objects.get(pk=pk).balance for pk in wallets) == 1000
