"""bonus_award, the one way a bonus is written: once per key, its own transfer, within the
scheme's monthly bonus cap, a badge where no coins are given."""

import threading
import time
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from coins.bonuses import bonus_award
from coins.models import Account, Bonus, BonusRule, Scheme, Transfer
from coins.selectors import statement
from coins.services import transfer_reverse, wallet_for
from notifications.models import Notification
from tests.coins.factories import give_coins, make_scheme
from tests.coins.test_concurrency import in_threads
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)


def award(scheme: Scheme, user: User, coins: int, key: str, on: date = DAY) -> Bonus:
    return bonus_award(
        scheme=scheme,
        user=user,
        rule=BonusRule.OUTSIDE_WARD,
        coins=coins,
        key=key,
        memo=f"Bonus: a shift outside your own ward, Litter pick, {on:%-d %b}",
        on=on,
    )


def test_a_bonus_is_its_own_transfer_and_statement_line_and_a_replay_moves_nothing() -> None:
    scheme, sam = make_scheme(), make_user("sam@example.org")
    give_coins(scheme, sam, 30)
    first = award(scheme, sam, 5, "bonus:outside_ward:1")
    again = award(scheme, sam, 5, "bonus:outside_ward:1")

    assert again.pk == first.pk and first.coins == 5
    assert first.transfer is not None and first.transfer.kind == Transfer.Kind.BONUS
    assert first.transfer.value_date == DAY
    wallet = wallet_for(scheme=scheme, user=sam)
    assert wallet.balance == 35
    newest = statement(wallet)[0]
    assert (newest.description, newest.amount) == (
        "Bonus: a shift outside your own ward, Litter pick, 20 Nov",
        5,
    )
    assert Notification.objects.filter(user=sam, kind="bonus_awarded").count() == 1


def test_the_monthly_cap_clips_then_gives_a_badge_and_counts_by_calendar_month() -> None:
    scheme, sam = make_scheme(bonus_monthly_cap=8), make_user("sam@example.org")
    assert award(scheme, sam, 5, "b:1").coins == 5
    clipped = award(scheme, sam, 5, "b:2")
    assert clipped.coins == 3
    assert clipped.memo.endswith("; 2 Citizen Coins held back by the monthly bonus limit of 8")
    badge = award(scheme, sam, 5, "b:3")
    assert (badge.coins, badge.transfer) == (0, None)
    assert badge.memo.endswith("; no Citizen Coins: the monthly bonus limit of 8 is reached")
    assert award(scheme, sam, 5, "b:4", on=date(2026, 12, 1)).coins == 5  # a new month
    assert wallet_for(scheme=scheme, user=sam).balance == 13


def test_a_reversed_bonus_no_longer_counts_against_the_cap() -> None:
    scheme, sam = make_scheme(bonus_monthly_cap=5), make_user("sam@example.org")
    first = award(scheme, sam, 5, "b:1")
    assert first.transfer is not None
    transfer_reverse(transfer=first.transfer, actor=None, reason="Awarded by mistake")
    assert award(scheme, sam, 5, "b:2").coins == 5


def test_a_participation_only_scheme_writes_a_badge_and_no_transfer_or_wallet() -> None:
    scheme = make_scheme(participation_only=True)
    sam = make_user("sam@example.org")
    badge = award(scheme, sam, 5, "b:1")
    assert (badge.coins, badge.transfer) == (0, None)
    assert not Transfer.objects.exists()
    assert not Account.objects.filter(kind=Account.Kind.WALLET).exists()
    note = Notification.objects.get(user=sam, kind="bonus_awarded")
    assert note.body == "You earned a badge: a shift outside your own ward."


def test_a_bonus_cannot_be_changed_or_removed() -> None:
    badge = award(make_scheme(participation_only=True), make_user("sam@example.org"), 5, "b:1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE coins_bonus SET coins = 500")
    assert Bonus.objects.get(pk=badge.pk).coins == 0


def racing_awards(scheme_id: int, user_id: int, threads: int) -> list[Bonus | Exception]:
    """The same key awarded from several transactions that all start at once and stay
    open a moment after writing, so that each meets the others' uncommitted rows."""
    start = threading.Barrier(threads)

    def one(n: int) -> Bonus:
        scheme, user = Scheme.objects.get(pk=scheme_id), User.objects.get(pk=user_id)
        with transaction.atomic():
            start.wait(timeout=10)
            bonus = award(scheme, user, 5, "bonus:outside_ward:race")
            time.sleep(0.3)
        return bonus

    return in_threads(threads, one)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("participation_only", [False, True])
def test_the_same_key_awarded_at_once_gives_one_bonus_and_one_transfer(
    participation_only: bool,
) -> None:
    scheme = make_scheme(participation_only=participation_only)
    sam = make_user("sam@example.org")
    results = racing_awards(scheme.pk, sam.pk, threads=5)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.pk for r in results if isinstance(r, Bonus)} == {Bonus.objects.get().pk}
    assert Notification.objects.filter(kind="bonus_awarded").count() == 1
    if participation_only:
        assert not Transfer.objects.exists()
    else:
        assert Transfer.objects.filter(kind=Transfer.Kind.BONUS).count() == 1
        assert wallet_for(scheme=scheme, user=sam).balance == 5
