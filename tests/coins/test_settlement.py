"""Settling retailers: coins they took become GBP they are owed, paid through a provider.
Only the payout boundary is stubbed (localstripe has no Connect)."""

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django.core.management import CommandError, call_command

from coins import payouts
from coins.models import Account, Currency, Payout, Scheme, Settlement, Transfer
from coins.payouts import PayoutFailed, payout_paid, payout_send
from coins.services import LedgerError, Leg, account_for, transfer_post, wallet_for
from coins.settlement import scheme_settlement, settlement_run
from coins.tasks import settlement_monthly
from tests.coins.factories import give_coins, make_scheme, shop
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)


def fund_with(scheme: Scheme, pence: int) -> None:
    """Money in, as a sponsorship posts it: clearing -> the scheme's fund."""
    transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.SPONSORSHIP,
        key=f"test-fund:{Transfer.objects.count()}",
        legs=[
            Leg(account_for(scheme=scheme, kind=Account.Kind.CLEARING, currency="GBP"), -pence),
            Leg(account_for(scheme=scheme, kind=Account.Kind.FUND, currency="GBP"), pence),
        ],
    )


def takes(scheme: Scheme, till: Account, coins: int) -> None:
    """A resident spends coins at the shop."""
    resident = make_user(f"resident-{Transfer.objects.count()}@example.org")
    give_coins(scheme, resident, coins)
    transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.SPEND,
        key=f"test-spend:{Transfer.objects.count()}",
        legs=[Leg(wallet_for(scheme=scheme, user=resident), -coins), Leg(till, coins)],
    )


def payable_of(till: Account) -> Account:
    return account_for(
        scheme=till.scheme, kind=Account.Kind.RETAILER, owner=till.owner, currency=Currency.GBP
    )


def a_shop_that_took(coins: int, *, fund: int, value: int = 50) -> tuple[Scheme, Account]:
    scheme = make_scheme(coin_value_pence=value)
    till = shop(scheme, make_user("bakery@example.org"))
    takes(scheme, till, coins)
    if fund:
        fund_with(scheme, fund)
    return scheme, till


def balance(account: Account) -> int:
    account.refresh_from_db()
    return account.balance


def test_120_coins_at_50p_become_60_pounds_payable_and_one_payout_even_run_twice(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    scheme, till = a_shop_that_took(120, fund=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_monthly.delay()
        settlement_monthly.delay()

    assert balance(payable_of(till)) == 6000
    assert balance(till) == 0
    assert balance(account_for(scheme=scheme, kind=Account.Kind.RETIRED)) == 120
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency="GBP")
    assert balance(fund) == 4000
    settlement = Settlement.objects.get()
    assert (settlement.coins, settlement.coin_value_pence, settlement.pence) == (120, 50, 6000)
    payout = Payout.objects.get()
    assert (payout.pence, payout.status, payout.provider) == (6000, "requested", "manual")


def test_a_fund_of_40_pounds_pays_40_and_shows_20_owed_until_it_is_topped_up(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    scheme, till = a_shop_that_took(120, fund=4000)
    with django_capture_on_commit_callbacks(execute=True):
        run = settlement_run(scheme=scheme, today=TODAY)
    assert run.owed_pence == 2000
    assert balance(till) == 40  # the coins not covered stay with the shop
    overview = scheme_settlement(scheme=scheme)
    assert overview.fund_pence == 0
    assert [(r.coins, r.owed_pence, r.payable_pence) for r in overview.retailers] == [
        (40, 2000, 4000)
    ]
    payout_paid(payout=Payout.objects.get(), reference="BACS 0001", by=None)
    assert scheme_settlement(scheme=scheme).retailers[0].paid_pence == 4000

    fund_with(scheme, 2000)
    with django_capture_on_commit_callbacks(execute=True):
        run = settlement_run(scheme=scheme, today=TODAY)
    assert (run.owed_pence, balance(till), balance(payable_of(till))) == (0, 0, 2000)
    assert sorted(Payout.objects.values_list("pence", "status")) == [
        (2000, "requested"),
        (4000, "paid"),
    ]
    assert sum(Settlement.objects.values_list("pence", flat=True)) == 6000


def test_the_oldest_takings_are_settled_first_not_the_oldest_account() -> None:
    scheme = make_scheme(coin_value_pence=50)
    newer = shop(scheme, make_user("newer@example.org"))  # the lower account id
    older = shop(scheme, make_user("older@example.org"))
    takes(scheme, older, 60)
    takes(scheme, newer, 60)
    fund_with(scheme, 4000)  # 80 coins' worth

    settlement_run(scheme=scheme, today=TODAY)
    assert (balance(older), balance(newer)) == (0, 40)

    # The shop settled in part keeps its place ahead of takings made since.
    takes(scheme, older, 10)
    fund_with(scheme, 2000)  # 40 coins' worth
    settlement_run(scheme=scheme, today=TODAY)
    assert (balance(older), balance(newer)) == (10, 0)


def test_a_shop_whose_takings_lie_in_several_parts_is_settled_as_one() -> None:
    """Sales spread a shop's coins over its parts (RETAILER_PARTS); a settlement takes
    from each in turn, is one settlement and one payable, and shows one row."""
    scheme = make_scheme(coin_value_pence=50)
    owner = make_user("bakery@example.org")
    parts = [
        account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=owner, part=n)
        for n in (0, 3, 7)
    ]
    for till, coins in zip(parts, (30, 50, 20), strict=True):
        takes(scheme, till, coins)
    assert [r.coins for r in scheme_settlement(scheme=scheme).retailers] == [100]
    fund_with(scheme, 4000)  # 80 coins' worth

    settlement_run(scheme=scheme, today=TODAY)
    assert sum(balance(till) for till in parts) == 20
    assert balance(payable_of(parts[0])) == 4000
    assert Settlement.objects.get().coins == 80
    assert Account.objects.filter(owner_id=owner.pk, currency=Currency.GBP).count() == 1
    overview = scheme_settlement(scheme=scheme)
    assert [(r.coins, r.owed_pence, r.payable_pence) for r in overview.retailers] == [
        (20, 1000, 4000)
    ]

    fund_with(scheme, 1000)
    settlement_run(scheme=scheme, today=TODAY)
    assert [balance(till) for till in parts] == [0, 0, 0]
    assert sum(Settlement.objects.values_list("coins", flat=True)) == 100


def test_a_scheme_that_gives_coins_no_value_settles_nothing() -> None:
    scheme, till = a_shop_that_took(120, fund=10_000, value=0)
    Scheme.objects.filter(pk=scheme.pk).update(coin_value_pence=None)
    scheme.refresh_from_db()
    assert settlement_monthly.delay().get() == {"settled": 0, "payouts": 0, "owed_pence": 0}
    assert settlement_run(scheme=scheme, today=TODAY).settled == []
    assert balance(till) == 120
    assert not Settlement.objects.exists() and not Payout.objects.exists()


def test_an_empty_fund_settles_nothing_and_shows_it_all_owed() -> None:
    scheme, till = a_shop_that_took(120, fund=0)
    run = settlement_run(scheme=scheme, today=TODAY)
    assert (run.settled, run.payouts, run.owed_pence) == ([], [], 6000)
    assert balance(till) == 120


@pytest.fixture
def stripe_transfers(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stripe Connect at the one place it is reached: stripe.Transfer.create."""
    settings.PAYOUT_PROVIDER = "stripe_connect"
    sent: list[dict[str, Any]] = []

    def create(**kwargs: Any) -> SimpleNamespace:
        sent.append(kwargs)
        if kwargs["destination"] == "acct_broke":
            raise stripe.InvalidRequestError("Your Stripe balance is too low.", param="amount")
        return SimpleNamespace(id=f"tr_{len(sent)}")

    monkeypatch.setattr(stripe.Transfer, "create", create)
    return sent


def connect(till: Account, account_id: str) -> None:
    Account.objects.filter(pk=payable_of(till).pk).update(external_ref=account_id)


def test_a_stripe_connect_transfer_pays_the_shop_at_once(
    stripe_transfers: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    scheme, till = a_shop_that_took(120, fund=10_000)
    connect(till, "acct_bakery")
    with django_capture_on_commit_callbacks(execute=True):
        settlement_run(scheme=scheme, today=TODAY)
        settlement_run(scheme=scheme, today=TODAY)

    payout = Payout.objects.get()
    assert (payout.status, payout.reference) == ("paid", "tr_1")
    assert len(stripe_transfers) == 1
    assert stripe_transfers[0]["amount"] == 6000
    assert stripe_transfers[0]["destination"] == "acct_bakery"
    assert stripe_transfers[0]["idempotency_key"] == payout.key
    assert balance(payable_of(till)) == 0
    paid_out = account_for(scheme=scheme, kind=Account.Kind.PAID_OUT, currency="GBP")
    assert balance(paid_out) == 6000
    assert payout.transfer is not None and payout.transfer.kind == Transfer.Kind.PAYOUT


def test_a_refused_stripe_transfer_leaves_the_money_owed_with_the_reason(
    stripe_transfers: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    scheme, till = a_shop_that_took(120, fund=10_000)
    connect(till, "acct_broke")
    with django_capture_on_commit_callbacks(execute=True):
        settlement_run(scheme=scheme, today=TODAY)
    payout = Payout.objects.get()
    assert payout.status == "failed"
    assert payout.error == "Stripe did not make the transfer: Your Stripe balance is too low."
    assert balance(payable_of(till)) == 6000
    assert scheme_settlement(scheme=scheme).retailers[0].payouts == [payout]

    connect(till, "acct_bakery")  # fixed: the next run asks again, under the same key
    with django_capture_on_commit_callbacks(execute=True):
        settlement_run(scheme=scheme, today=TODAY)
    payout.refresh_from_db()
    assert (payout.status, payout.error, Payout.objects.count()) == ("paid", "", 1)
    assert {sent["idempotency_key"] for sent in stripe_transfers} == {payout.key}


def test_a_shop_without_a_connected_account_is_not_paid_through_stripe(
    stripe_transfers: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    scheme, _ = a_shop_that_took(10, fund=500)
    with django_capture_on_commit_callbacks(execute=True):
        settlement_run(scheme=scheme, today=TODAY)
    assert Payout.objects.get().error.startswith("This shop has no Stripe account connected")
    assert stripe_transfers == []


def test_a_manual_payout_is_marked_paid_once_with_the_bank_reference() -> None:
    scheme, till = a_shop_that_took(120, fund=10_000)
    settlement_run(scheme=scheme, today=TODAY)
    payout = Payout.objects.get()
    officer = make_user("officer@example.org")
    with pytest.raises(LedgerError, match="bank's reference"):
        payout_paid(payout=payout, reference="  ", by=officer)
    assert balance(payable_of(till)) == 6000

    payout_paid(payout=payout, reference="BACS 4471", by=officer)
    payout_paid(payout=payout, reference="BACS 4471", by=officer)
    payout.refresh_from_db()
    assert (payout.status, payout.reference) == ("paid", "BACS 4471")
    assert payout.transfer is not None and payout.transfer.actor == officer
    assert balance(payable_of(till)) == 0
    assert Transfer.objects.filter(kind=Transfer.Kind.PAYOUT).count() == 1


def test_a_provider_is_the_only_thing_between_a_payout_and_the_outside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Refusing:
        name, pays_at_once = "manual", False

        def request(self, payout: Payout) -> str:
            raise PayoutFailed("The bank is closed.")

    monkeypatch.setitem(payouts.PROVIDERS, "manual", Refusing)
    scheme, _ = a_shop_that_took(10, fund=500)
    settlement_run(scheme=scheme, today=TODAY)
    payout = payout_send(payout_id=Payout.objects.get().pk)
    assert (payout.status, payout.error) == ("failed", "The bank is closed.")


def test_verify_ledger_names_a_settlement_that_disagrees_with_its_transfers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scheme, _ = a_shop_that_took(120, fund=10_000)
    settlement_run(scheme=scheme, today=TODAY)
    call_command("verify_ledger")
    # The settlement record is an ordinary row; tamper with it to prove the check looks.
    Settlement.objects.update(coins=100, pence=5000)
    with pytest.raises(CommandError, match="2 problem"):
        call_command("verify_ledger")
    assert "takes 120 coins from the retailer, not the 100 it records" in capsys.readouterr().err
    Settlement.objects.update(coins=120, pence=6000)  # put it back for the final check
