"""Confirmed hours are the one event the ledger mints from."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Scheme, Transfer
from coins.services import Leg, account_for, transfer_post, wallet_for
from marketplace.board.models import Hours, Shift, Signup
from marketplace.board.services.hours import hours_confirm, hours_correct
from marketplace.organisations import NotAllowed
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift
from tests.marketplace.test_hours import organiser_of

pytestmark = pytest.mark.django_db


def past_shift(
    volunteer: User,
    *,
    hours_ago: int = 0,
    length: int = 3,
    title: str = "Litter pick",
    start: datetime | None = None,
) -> Shift:
    shift = make_shift(title=title, hours=length)
    Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    start = start or timezone.now() - timedelta(hours=hours_ago)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=length))
    shift.refresh_from_db()
    return shift


def test_confirmed_hours_mint_coins_at_the_schemes_rate_and_the_statement_says_why(
    client: Client,
) -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    shift = past_shift(sam, hours_ago=4)
    result = hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))

    minted = result.coins[result.confirmed[0].pk]
    assert (minted.coins, minted.capped) == (30, 0)  # 3 h at the default 10 coins an hour
    wallet = wallet_for(scheme=shift.opportunity.scheme, user=sam)
    assert wallet.balance == 30
    client.force_login(sam)
    page = client.get("/wallet/").content.decode()
    assert "<strong data-balance>30</strong>" in page
    assert "3 h volunteering: Litter pick" in page
    note = Notification.objects.get(user=sam, kind="hours_confirmed")
    assert note.body.startswith("You earned 30 Citizen Coins.")
    assert "sam" not in Transfer.objects.get().memo.lower()  # no names in ledger rows


def test_the_confirmation_says_the_schemes_coin_in_the_singular_for_one() -> None:
    sam = make_user("sam@example.org")
    shift = past_shift(sam, hours_ago=4)
    Scheme.objects.filter(pk=shift.opportunity.scheme_id).update(coin_name="Bracken")
    shift.opportunity.scheme.refresh_from_db()
    signup = shift.signups.get()
    hours_confirm(shift=shift, minutes={signup.pk: 6}, by=organiser_of(shift))  # 1 coin
    note = Notification.objects.get(user=sam, kind="hours_confirmed")
    assert note.body.startswith("You earned 1 Bracken. Thank you")


def test_minutes_are_paid_pro_rata() -> None:
    sam = make_user("sam@example.org")
    shift = past_shift(sam, hours_ago=4)
    signup = shift.signups.get()
    result = hours_confirm(shift=shift, minutes={signup.pk: 95}, by=organiser_of(shift))
    assert result.coins[result.confirmed[0].pk].coins == 15  # 95 min at 10 an hour, rounded down


def test_the_daily_cap_holds_back_the_excess_and_explains_it() -> None:
    sam = make_user("sam@example.org")
    group = make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(daily_cap=40)
    yesterday = timezone.localdate() - timedelta(days=1)  # the same day whatever the hour now
    at = lambda hour: timezone.make_aware(datetime.combine(yesterday, time(hour)))  # noqa: E731
    morning = past_shift(sam, start=at(9), title="Morning")
    afternoon = past_shift(sam, start=at(14), title="Afternoon")
    organiser = organiser_of(morning)
    hours_confirm(shift=morning, minutes={}, by=organiser)
    result = hours_confirm(shift=afternoon, minutes={}, by=organiser)

    minted = result.coins[result.confirmed[0].pk]
    assert (minted.coins, minted.capped) == (10, 20)
    assert minted.note == "20 Citizen Coins held back by the daily limit of 40"
    assert wallet_for(scheme=group.scheme, user=sam).balance == 40
    assert (
        Transfer.objects.filter(kind="mint")
        .last()
        .memo.endswith(  # type: ignore[union-attr]
            "20 Citizen Coins held back by the daily limit of 40"
        )
    )
    assert Notification.objects.filter(
        user=sam, body__contains="20 Citizen Coins held back by the daily limit of 40"
    ).exists()


def test_the_weekly_cap_counts_the_whole_week() -> None:
    sam = make_user("sam@example.org")
    group = make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(weekly_cap=50)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 14)  # two weeks ago: all three are over
    organiser = None
    results = []
    for day in (monday, monday + timedelta(days=2), monday + timedelta(days=7)):
        start = timezone.make_aware(datetime.combine(day, time(10)))
        shift = past_shift(sam, start=start, title=f"{day:%A}")
        organiser = organiser or organiser_of(shift)
        result = hours_confirm(shift=shift, minutes={}, by=organiser)
        results.append(result.coins[result.confirmed[0].pk])

    assert [(r.coins, r.note) for r in results] == [
        (30, ""),
        (20, "10 Citizen Coins held back by the weekly limit of 50"),
        (30, ""),  # the Monday after starts a new week
    ]


def test_a_participation_only_scheme_counts_hours_and_mints_nothing() -> None:
    sam = make_user("sam@example.org")
    group = make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(participation_only=True)
    shift = past_shift(sam, hours_ago=4)
    result = hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    assert Hours.objects.get().status == Hours.State.CONFIRMED
    assert result.coins[result.confirmed[0].pk].coins == 0
    assert not Transfer.objects.exists()


def test_correcting_hours_reverses_the_mint_and_mints_again() -> None:
    sam = make_user("sam@example.org")
    shift = past_shift(sam, hours_ago=4)
    organiser = organiser_of(shift)
    hours_confirm(shift=shift, minutes={}, by=organiser)
    hours = Hours.objects.get()
    original = hours.mint

    hours_correct(hours=hours, minutes=120, by=organiser, reason="Left an hour early")
    hours.refresh_from_db()
    assert hours.minutes == 120
    assert wallet_for(scheme=shift.opportunity.scheme, user=sam).balance == 20
    assert Transfer.objects.get(reverses=original).memo == "Reversal: Left an hour early"
    assert hours.mint is not None and hours.mint.pk != original.pk  # type: ignore[union-attr]


def test_hours_cannot_be_lowered_below_what_was_already_spent() -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    shift = past_shift(sam, hours_ago=4)
    organiser = organiser_of(shift)
    hours_confirm(shift=shift, minutes={}, by=organiser)
    scheme = shift.opportunity.scheme
    wallet = wallet_for(scheme=scheme, user=sam)
    till = account_for(scheme=scheme, kind="retailer", owner=organiser)
    transfer_post(scheme=scheme, kind="spend", key="till:1", legs=[Leg(wallet, -25), Leg(till, 25)])
    with pytest.raises(NotAllowed, match="Sam has already spent some of these coins"):
        hours_correct(hours=Hours.objects.get(), minutes=60, by=organiser, reason="Mistake")
    assert Hours.objects.get().minutes == 180
    assert wallet_for(scheme=scheme, user=sam).balance == 5
