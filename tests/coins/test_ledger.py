import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from coins.models import Account, Entry, Scheme, Transfer
from coins.services import (
    InsufficientFunds,
    LedgerError,
    Leg,
    TransferConflict,
    account_for,
    coins_donate,
    transfer_post,
    transfer_reverse,
    wallet_for,
)
from coins.verify import ledger_problems
from tests.coins.factories import give_coins, issuance, make_scheme, shop
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def spend(scheme: Scheme, wallet: Account, till: Account, coins: int, key: str) -> Transfer:
    return transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.SPEND,
        key=key,
        legs=[Leg(wallet, -coins), Leg(till, coins)],
    )


def test_a_transfer_moves_coins_and_records_each_balance_after_it() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 30)
    wallet = wallet_for(scheme=scheme, user=sam)
    till = shop(scheme, make_user("shop@example.org"))
    spend(scheme, wallet, till, 12, "till:1")

    wallet.refresh_from_db()
    till.refresh_from_db()
    assert (wallet.balance, till.balance) == (18, 12)
    assert list(Entry.objects.filter(account=wallet).values_list("amount", "balance_after")) == [
        (30, 30),
        (-12, 18),
    ]
    assert issuance(scheme).balance == -30


def test_it_refuses_an_overdraft_and_writes_nothing() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 5)
    wallet = wallet_for(scheme=scheme, user=sam)
    before = Transfer.objects.count()
    with pytest.raises(InsufficientFunds, match="this needs 6 and the wallet has 5"):
        spend(scheme, wallet, shop(scheme, make_user("shop@example.org")), 6, "till:1")
    assert Transfer.objects.count() == before
    wallet.refresh_from_db()
    assert wallet.balance == 5


def test_posting_a_key_twice_moves_nothing_the_second_time() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 20)
    wallet = wallet_for(scheme=scheme, user=sam)
    till = shop(scheme, make_user("shop@example.org"))
    first = spend(scheme, wallet, till, 8, "till:abc")
    again = spend(scheme, wallet, till, 8, "till:abc")
    assert again.pk == first.pk
    wallet.refresh_from_db()
    assert wallet.balance == 12


def test_the_same_key_with_another_amount_is_a_conflict() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 20)
    wallet = wallet_for(scheme=scheme, user=sam)
    till = shop(scheme, make_user("shop@example.org"))
    spend(scheme, wallet, till, 8, "till:abc")
    with pytest.raises(TransferConflict, match="already used for a different movement"):
        spend(scheme, wallet, till, 9, "till:abc")
    wallet.refresh_from_db()
    assert wallet.balance == 12


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ((5, -4), "must add up to zero"),
        ((0, 0), "whole numbers other than zero"),
        ((2.5, -2.5), "whole numbers other than zero"),
    ],
)
def test_it_refuses_legs_that_do_not_make_sense(amounts: tuple[int, int], message: str) -> None:
    scheme = make_scheme()
    wallet = wallet_for(scheme=scheme, user=make_user("sam@example.org"))
    with pytest.raises(LedgerError, match=message):
        transfer_post(
            scheme=scheme,
            kind=Transfer.Kind.MINT,
            key="bad",
            legs=[Leg(issuance(scheme), amounts[0]), Leg(wallet, amounts[1])],
        )
    assert not Transfer.objects.exists()


def test_coins_never_move_between_schemes() -> None:
    here, there = make_scheme("here"), make_scheme("there")
    sam = make_user("sam@example.org")
    with pytest.raises(LedgerError, match="between schemes"):
        transfer_post(
            scheme=here,
            kind=Transfer.Kind.MINT,
            key="x",
            legs=[Leg(issuance(here), -5), Leg(wallet_for(scheme=there, user=sam), 5)],
        )


def test_a_reversal_mirrors_the_transfer_once() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    mint = give_coins(scheme, sam, 10)
    first = transfer_reverse(transfer=mint, actor=None, reason="Entered twice")
    again = transfer_reverse(transfer=mint, actor=None, reason="Entered twice")
    assert first.pk == again.pk
    assert first.reverses == mint
    assert wallet_for(scheme=scheme, user=sam).balance == 0
    with pytest.raises(LedgerError, match="already a reversal"):
        transfer_reverse(transfer=first, actor=None, reason="Undo the undo")


def test_the_database_refuses_to_change_or_delete_an_entry() -> None:
    scheme = make_scheme()
    give_coins(scheme, make_user("sam@example.org"), 10)
    entry = Entry.objects.get(amount=10)
    for sql in (
        "UPDATE coins_entry SET amount = 1000 WHERE id = %s",
        "DELETE FROM coins_entry WHERE id = %s",
        "UPDATE coins_transfer SET memo = 'changed' "
        "WHERE id = (SELECT transfer_id FROM coins_entry WHERE id = %s)",
    ):
        with (
            pytest.raises(ProgrammingError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == 10


def test_the_database_refuses_a_negative_resident_balance() -> None:
    scheme = make_scheme()
    wallet = wallet_for(scheme=scheme, user=make_user("sam@example.org"))
    system = issuance(scheme)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO coins_transfer (scheme_id, kind, key, fingerprint, memo, value_date,"
            " created) VALUES (%s, 'spend', 'by-hand', '', '', now(), now()) RETURNING id",
            [scheme.pk],
        )
        (transfer_id,) = cursor.fetchone()
        insert = "INSERT INTO coins_entry (transfer_id, account_id, amount, balance_after)"
        insert += " VALUES (%s, %s, %s, 0)"
        overdraft = pytest.raises(IntegrityError, match="coins_account_no_overdraft")
        with overdraft, transaction.atomic():
            cursor.execute(insert, [transfer_id, wallet.pk, -1])
        # System accounts may go below zero: issuance holds minus everything minted.
        cursor.execute(insert, [transfer_id, system.pk, -1])
        cursor.execute(insert, [transfer_id, wallet.pk, 1])
    system.refresh_from_db()
    assert system.balance == -1


@pytest.mark.django_db(transaction=True)
def test_a_transfer_that_does_not_balance_fails_at_commit() -> None:
    scheme = make_scheme()
    wallet = wallet_for(scheme=scheme, user=make_user("sam@example.org"))
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        transfer = Transfer.objects.create(
            scheme=scheme, kind="mint", key="forged", fingerprint="-", value_date="2026-11-22"
        )
        # Written by hand, around the service: one leg, nothing taken from issuance.
        Entry.objects.create(transfer=transfer, account=wallet, amount=50, balance_after=50)
    assert not Transfer.objects.exists()
    assert Account.objects.get(pk=wallet.pk).balance == 0


def test_verify_ledger_names_an_account_whose_cached_balance_was_tampered_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 10)
    call_command("verify_ledger")
    assert "ledger OK" in capsys.readouterr().out

    wallet = wallet_for(scheme=scheme, user=sam)
    with connection.cursor() as cursor:  # a superuser switching the triggers off, on purpose
        cursor.execute("SET session_replication_role = replica")
        Account.objects.filter(pk=wallet.pk).update(balance=500)
        with pytest.raises(CommandError, match="problem"):
            call_command("verify_ledger")
        assert f"account {wallet.pk} (wallet): cached balance 500" in capsys.readouterr().err
        Account.objects.filter(pk=wallet.pk).update(balance=10)  # back, for the final check
        cursor.execute("SET session_replication_role = origin")


def test_coins_are_never_given_to_a_groups_pound_account() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 10)
    owner = make_user("group-stand-in@example.org")
    pounds = account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=owner, currency="GBP")
    with pytest.raises(LedgerError, match="community group or a resident"):
        coins_donate(scheme=scheme, sender=sam, to=pounds, amount=5, key="g", memo="Gift")
    assert wallet_for(scheme=scheme, user=sam).balance == 10


def test_the_database_keeps_the_cached_balances_and_refuses_a_direct_change() -> None:
    scheme = make_scheme()
    wallet = wallet_for(scheme=scheme, user=make_user("kept@example.org"))
    issued = account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)
    transfer_post(
        scheme=scheme, kind=Transfer.Kind.MINT, key="kept:1",
        legs=[Leg(issued, -12), Leg(wallet, 12)],
    )  # fmt: skip
    wallet.refresh_from_db()
    assert wallet.balance == 12
    assert list(wallet.entries.values_list("balance_after", flat=True)) == [12]

    with pytest.raises(DatabaseError, match="changes only by its entries"), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(balance=500)
    with connection.cursor() as cursor:  # an entry written by hand still keeps the balance
        cursor.execute(
            "INSERT INTO coins_transfer (scheme_id, kind, key, fingerprint, memo, value_date,"
            " created) VALUES (%s, 'mint', 'by-hand', '', '', now(), now()) RETURNING id",
            [scheme.pk],
        )
        (transfer_id,) = cursor.fetchone()
        for account, amount in ((issued, -3), (wallet, 3)):
            cursor.execute(
                "INSERT INTO coins_entry (transfer_id, account_id, amount, balance_after)"
                " VALUES (%s, %s, %s, 999)",
                [transfer_id, account.pk, amount],
            )
    wallet.refresh_from_db()
    assert wallet.balance == 15
    assert wallet.entries.order_by("-id").values_list("balance_after", flat=True)[0] == 15
    assert ledger_problems() == []


def test_a_transfer_is_one_round_trip_to_the_database() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 30)
    wallet = wallet_for(scheme=scheme, user=sam)
    till = shop(scheme, make_user("shop@example.org"))
    with CaptureQueriesContext(connection) as queries:
        transfer = spend(scheme, wallet, till, 12, "till:1")
    assert len(queries) == 1
    # What the caller is handed is the row the database wrote, balances included.
    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.key, stored.kind, stored.created) == ("till:1", "spend", transfer.created)
    assert (wallet.balance, till.balance) == (18, 12)


def test_a_refused_transfer_leaves_the_callers_transaction_usable() -> None:
    scheme = make_scheme()
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 5)
    wallet = wallet_for(scheme=scheme, user=sam)
    till = shop(scheme, make_user("shop@example.org"))
    with transaction.atomic():
        with pytest.raises(InsufficientFunds, match="the wallet has 5"):
            spend(scheme, wallet, till, 6, "till:1")
        spend(scheme, wallet, till, 5, "till:2")  # the same sale, for what the wallet holds
    wallet.refresh_from_db()
    assert wallet.balance == 0
    assert not Transfer.objects.filter(key="till:1").exists()
