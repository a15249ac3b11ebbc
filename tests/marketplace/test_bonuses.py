"""Bonuses for volunteering that brings people together, through hours_confirm: each its
own ledger transfer and statement line, once per key, within the monthly cap; badges in
a participation-only scheme."""

import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Bonus, BonusRule, Scheme, Transfer
from coins.services import wallet_for
from marketplace.board.models import CommunityGroup, Hours, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from notifications.models import Notification
from places.models import Postcode
from tests.coins.test_concurrency import in_threads
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift
from tests.marketplace.test_hours import organiser_of

pytestmark = pytest.mark.django_db


def rules(**bonus: int | None) -> Scheme:
    """The test scheme with these bonus rules (first_session=5 sets bonus_first_session)."""
    group = CommunityGroup.objects.filter(slug="park-friends").first() or make_group()
    Scheme.objects.filter(pk=group.scheme_id).update(
        **{name if name.endswith("_cap") else f"bonus_{name}": v for name, v in bonus.items()}
    )
    return Scheme.objects.get(pk=group.scheme_id)


def past_shift(
    volunteers: list[User],
    *,
    group: CommunityGroup | None = None,
    title: str = "Litter pick",
    brought_by: dict[User, User] | None = None,
    **fields: Any,
) -> Shift:
    """A 3-hour shift that ended an hour ago, with these volunteers on it."""
    shift = make_shift(group=group, title=title, **fields)
    for volunteer in volunteers:
        Signup.objects.create(
            shift=shift,
            user=volunteer,
            status=Signup.State.CONFIRMED,
            brought_by=(brought_by or {}).get(volunteer),
        )
    start = timezone.now() - timedelta(hours=4)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    return Shift.objects.get(pk=shift.pk)


def confirm(shift: Shift, only: list[User] | None = None) -> None:
    signups = (
        None
        if only is None
        else set(shift.signups.filter(user__in=only).values_list("pk", flat=True))
    )
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift), only=signups)


def bonuses_of(user: User) -> list[tuple[str, int]]:
    return sorted(Bonus.objects.filter(user=user).values_list("rule", "coins"))


def bonus_line(user: User, rule: str) -> str:
    bonus = Bonus.objects.get(user=user, rule=rule)
    assert bonus.transfer is not None and bonus.transfer.memo == bonus.memo
    return bonus.memo


def day_of(shift: Shift) -> str:
    return f"{timezone.localtime(shift.start):%-d %b}"


def two_wards() -> tuple[Postcode, Postcode]:
    """Two of the demo town's postcodes in different wards."""
    first = Postcode.objects.filter(ward__isnull=False).order_by("pk").first()
    assert first is not None
    other = Postcode.objects.exclude(ward=first.ward).filter(ward__isnull=False).first()
    assert other is not None
    return first, other


def born_aged(age: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - age) - timedelta(days=30)


def test_a_first_ever_session_earns_its_bonus_as_a_statement_line_of_its_own(
    client: Client,
) -> None:
    rules(first_session=5)
    sam = make_user("sam@example.org", display_name="Sam")
    shift = past_shift([sam])
    confirm(shift)

    assert bonuses_of(sam) == [("first_session", 5)]
    bonus = Bonus.objects.get(user=sam)
    assert bonus.transfer is not None and bonus.transfer.kind == Transfer.Kind.BONUS
    assert bonus.key == f"bonus:first_session:{shift.opportunity.scheme_id}:{sam.pk}"
    assert wallet_for(scheme=shift.opportunity.scheme, user=sam).balance == 30 + 5
    line = f"Bonus: your first ever session, Litter pick, {day_of(shift)}"
    assert bonus.memo == line
    client.force_login(sam)
    page = client.get("/wallet/").content.decode()
    assert "<strong data-balance>35</strong>" in page
    assert line in page and "+5" in page
    told = Notification.objects.get(user=sam, kind="bonus_awarded")
    assert told.title == line
    assert told.body == "You earned a bonus of 5 Citizen Coins for bringing people together."

    # A second session is no longer the first.
    confirm(past_shift([sam], title="Bulb planting"))
    assert bonuses_of(sam) == [("first_session", 5)]


def test_a_new_group_earns_its_bonus_but_not_on_the_first_ever_session() -> None:
    rules(new_group=4)
    sam = make_user("sam@example.org")
    park = CommunityGroup.objects.get(slug="park-friends")
    confirm(past_shift([sam], group=park))
    assert bonuses_of(sam) == []  # the first ever session is the rule above, off here

    books = make_group("Book Swap")
    shift = past_shift([sam], group=books, title="Sorting books")
    confirm(shift)
    assert bonuses_of(sam) == [("new_group", 4)]
    assert bonus_line(sam, "new_group") == (
        f"Bonus: your first session with Book Swap, {day_of(shift)}"
    )
    confirm(past_shift([sam], group=books, title="Shelving"))
    confirm(past_shift([sam], group=park, title="Raking"))
    assert bonuses_of(sam) == [("new_group", 4)]


def test_a_shift_outside_your_own_ward_earns_its_bonus_and_one_inside_it_does_not() -> None:
    rules(outside_ward=3)
    home, away = two_wards()
    sam = make_user("sam@example.org", postcode=home.postcode)
    nobody_knows = make_user("kit@example.org", postcode="")
    outside = past_shift([sam, nobody_knows], postcode=away.postcode, ward=away.ward)
    confirm(outside)
    assert bonuses_of(sam) == [("outside_ward", 3)]
    assert bonus_line(sam, "outside_ward") == (
        f"Bonus: a shift outside your own ward, Litter pick, {day_of(outside)}"
    )
    assert bonuses_of(nobody_knows) == []  # no home ward known: no bonus

    confirm(past_shift([sam], title="Near home", ward=home.ward))
    confirm(past_shift([sam], title="Somewhere", ward=None))
    assert bonuses_of(sam) == [("outside_ward", 3)]


def test_bringing_a_friend_gives_both_the_bonus_whichever_is_confirmed_second(
    client: Client,
) -> None:
    rules(friend=6)
    host = make_user("host@example.org", display_name="Hana")
    friend = make_user("friend@example.org", display_name="Femi")
    alone = make_user("alone@example.org", display_name="Ash")
    shift = past_shift([host, friend, alone], brought_by={friend: host})

    confirm(shift, only=[friend])
    assert bonuses_of(friend) == []  # the friend who brought them has not been confirmed
    confirm(shift, only=[host, alone])
    assert (bonuses_of(host), bonuses_of(friend), bonuses_of(alone)) == (
        [("friend", 6)],
        [("friend", 6)],
        [],
    )
    signup = shift.signups.get(user=friend)
    assert set(Bonus.objects.values_list("key", flat=True)) == {
        f"bonus:friend:{signup.pk}:friend",
        f"bonus:friend:{signup.pk}:host",
    }
    line = f"Bonus: you and a friend both came to Litter pick, {day_of(shift)}"
    assert bonus_line(host, "friend") == bonus_line(friend, "friend") == line
    client.force_login(host)
    assert line in client.get("/wallet/").content.decode()


def test_a_friend_who_came_without_the_friend_who_invited_them_gets_nothing() -> None:
    rules(friend=6)
    host, friend = make_user("host@example.org"), make_user("friend@example.org")
    confirm(past_shift([friend], brought_by={friend: host}))
    confirm(past_shift([host], title="Another day"))
    assert not Bonus.objects.exists()


def test_a_shift_that_mixed_ages_gives_everyone_of_a_known_band_the_bonus() -> None:
    rules(mixed_ages=2)
    young = make_user("young@example.org", birth_date=born_aged(20))
    older = make_user("older@example.org", birth_date=born_aged(70))
    unknown = make_user("unknown@example.org")
    late = make_user("late@example.org", birth_date=born_aged(40))
    shift = past_shift([young, older, unknown, late])

    confirm(shift, only=[young])
    assert not Bonus.objects.exists()  # one band so far
    confirm(shift, only=[older, unknown])
    assert (bonuses_of(young), bonuses_of(older), bonuses_of(unknown)) == (
        [("mixed_ages", 2)],
        [("mixed_ages", 2)],
        [],
    )
    confirm(shift, only=[late])  # later: they get it too, the others not again
    assert Bonus.objects.filter(rule="mixed_ages").count() == 3
    assert bonus_line(late, "mixed_ages") == (
        f"Bonus: a shift where different ages met, Litter pick, {day_of(shift)}"
    )


def test_a_shift_of_one_age_band_gives_no_mixed_ages_bonus() -> None:
    rules(mixed_ages=2)
    people = [make_user(f"p{n}@example.org", birth_date=born_aged(30 + n)) for n in range(3)]
    confirm(past_shift(people))
    assert not Bonus.objects.exists()


def test_confirming_the_same_shift_twice_awards_each_bonus_once() -> None:
    rules(first_session=5, friend=6, mixed_ages=2)
    host = make_user("host@example.org", birth_date=born_aged(19))
    friend = make_user("friend@example.org", birth_date=born_aged(67))
    shift = past_shift([host, friend], brought_by={friend: host})
    confirm(shift)
    confirm(shift)
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    assert (
        bonuses_of(host)
        == bonuses_of(friend)
        == [
            ("first_session", 5),
            ("friend", 6),
            ("mixed_ages", 2),
        ]
    )
    assert Transfer.objects.filter(kind=Transfer.Kind.BONUS).count() == 6
    assert Notification.objects.filter(kind="bonus_awarded").count() == 6
    assert wallet_for(scheme=shift.opportunity.scheme, user=host).balance == 30 + 13


def test_the_monthly_cap_holds_across_rules_and_says_what_it_held_back(client: Client) -> None:
    scheme = rules(first_session=5, outside_ward=5, new_group=5, bonus_monthly_cap=8)
    home, away = two_wards()
    sam = make_user("sam@example.org", postcode=home.postcode)
    shift = past_shift([sam], ward=away.ward)
    confirm(shift)

    assert bonuses_of(sam) == [("first_session", 5), ("outside_ward", 3)]
    held = Bonus.objects.get(rule="outside_ward")
    assert held.memo.endswith("; 2 Citizen Coins held back by the monthly bonus limit of 8")
    assert held.transfer is not None and held.transfer.memo == held.memo
    # Spent for the month: the next bonus is a badge, and says why.
    confirm(past_shift([sam], group=make_group("Book Swap"), title="Sorting", ward=home.ward))
    badge = Bonus.objects.get(rule="new_group")
    assert (badge.coins, badge.transfer) == (0, None)
    assert badge.memo.endswith("; no Citizen Coins: the monthly bonus limit of 8 is reached")
    assert wallet_for(scheme=scheme, user=sam).balance == 30 + 30 + 8
    told = Notification.objects.get(kind="bonus_awarded", body__contains="badge")
    assert told.body == (
        "You earned a badge: your first session with a group new to you. "
        "No Citizen Coins: the monthly bonus limit of 8 is reached."
    )
    client.force_login(sam)
    page = client.get("/wallet/").content.decode()
    assert "Your badges" in page and "Your first session with a group new to you" in page


def test_a_participation_only_scheme_gives_a_badge_and_no_coins(client: Client) -> None:
    scheme = rules(first_session=5, mixed_ages=2)
    Scheme.objects.filter(pk=scheme.pk).update(participation_only=True)
    sam = make_user("sam@example.org", birth_date=born_aged(16))
    kim = make_user("kim@example.org", birth_date=born_aged(52))
    confirm(past_shift([sam, kim]))

    assert bonuses_of(sam) == [("first_session", 0), ("mixed_ages", 0)]
    assert not Bonus.objects.filter(transfer__isnull=False).exists()
    assert not Transfer.objects.exists()
    told = Notification.objects.filter(user=sam, kind="bonus_awarded").order_by("pk")
    assert [n.body for n in told] == [
        "You earned a badge: your first ever session.",
        "You earned a badge: a shift where different ages met.",
    ]
    client.force_login(sam)
    page = client.get("/wallet/").content.decode()
    badges = page[page.index('id="badges"') :]
    assert "Your first ever session" in badges and "A shift where different ages met" in badges
    assert timezone.localdate().strftime("%-d %b %Y") in badges


def test_a_rule_at_zero_gives_nothing() -> None:
    rules(first_session=0, new_group=0, outside_ward=0, friend=0, mixed_ages=0)
    home, away = two_wards()
    host = make_user("host@example.org", postcode=home.postcode, birth_date=born_aged(20))
    friend = make_user("friend@example.org", birth_date=born_aged(70))
    confirm(past_shift([host, friend], ward=away.ward, brought_by={friend: host}))
    assert not Bonus.objects.exists()
    assert not Transfer.objects.filter(kind=Transfer.Kind.BONUS).exists()
    assert not Notification.objects.filter(kind="bonus_awarded").exists()


def test_no_bonus_line_names_a_volunteer() -> None:
    rules(first_session=1, new_group=1, outside_ward=1, friend=1, mixed_ages=1)
    home, away = two_wards()
    host = make_user(
        "hana@example.org", display_name="Hana", postcode=home.postcode, birth_date=born_aged(20)
    )
    friend = make_user("femi@example.org", display_name="Femi", birth_date=born_aged(70))
    confirm(past_shift([host, friend], ward=away.ward, brought_by={friend: host}))
    confirm(past_shift([host], group=make_group("Book Swap"), title="Sorting"))
    assert {b.rule for b in Bonus.objects.all()} == set(BonusRule)
    said = [b.memo for b in Bonus.objects.all()]
    for note in Notification.objects.filter(kind="bonus_awarded"):
        said += [note.title, note.body]
    assert len(said) == 8 * 3  # five for Hana, three for Femi
    for text in said:
        assert not any(name in text.lower() for name in ("hana", "femi", "@")), text


@pytest.mark.django_db(transaction=True)
def test_two_organisers_confirming_a_shift_at_once_award_each_bonus_once() -> None:
    rules(first_session=5, friend=6, mixed_ages=2)
    host = make_user("host@example.org", birth_date=born_aged(19))
    friend = make_user("friend@example.org", birth_date=born_aged(67))
    shift = past_shift([host, friend], brought_by={friend: host})
    second = make_user("second@example.org")
    shift.opportunity.group.organisers.create(user=second)
    organisers = [organiser_of(shift), second]

    results = in_threads(6, lambda n: hours_confirm(shift=shift, minutes={}, by=organisers[n % 2]))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Hours.objects.count() == 2
    assert Bonus.objects.count() == 6
    assert Transfer.objects.filter(kind=Transfer.Kind.BONUS).count() == 6
    assert Notification.objects.filter(kind="bonus_awarded").count() == 6
    assert wallet_for(scheme=shift.opportunity.scheme, user=friend).balance == 30 + 13


@pytest.mark.django_db(transaction=True)
def test_two_first_sessions_confirmed_at_once_give_one_first_session_badge() -> None:
    """Participation-only, so no ledger lock to queue on: one badge however they interleave
    (bonus_award's own race is tested in tests/coins/test_bonus_award.py)."""
    scheme = rules(first_session=5)
    Scheme.objects.filter(pk=scheme.pk).update(participation_only=True)
    sam = make_user("sam@example.org")
    groups = [make_group(f"Group {n}") for n in range(4)]
    shifts = [past_shift([sam], group=g, title=f"Shift {n}") for n, g in enumerate(groups)]

    start = threading.Barrier(4)

    def confirm_and_linger(n: int) -> None:
        # All four start at once and hold their transaction open a moment after, so that
        # each one's first-session check and award meets the others' uncommitted work.
        with transaction.atomic():
            start.wait(timeout=10)
            confirm(shifts[n])
            time.sleep(0.3)

    results = in_threads(4, confirm_and_linger)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Hours.objects.filter(status=Hours.State.CONFIRMED).count() == 4
    assert Bonus.objects.filter(rule="first_session").count() == 1
    assert Notification.objects.filter(kind="bonus_awarded").count() == 1
