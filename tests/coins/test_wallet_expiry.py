"""The wallet says when its coins expire, by the rule the daily run applies, and the
warning says the day with its year."""

from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from coins.expiry import ExpiryDue, add_months, coins_expiry_run, wallet_expiry
from coins.selectors import wallets_of
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_coins_expire_the_schemes_months_after_the_wallet_last_moved_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    scheme = make_scheme(expiry_months=6)
    sam = make_user("sam@example.org")
    in_june = timezone.make_aware(datetime(2026, 6, 10, 12))
    with mock.patch("django.utils.timezone.now", return_value=in_june):
        give_coins(scheme, sam, 12)
    give_coins(scheme, sam, 3)  # today: the last movement starts the months again
    account = wallets_of(sam).get()

    with django_assert_num_queries(1):
        due = wallet_expiry(account)

    assert due == ExpiryDue(coins=15, on=add_months(timezone.localdate(), 6))
    # Overdue (the daily run has yet to take them): they go today.
    later = add_months(timezone.localdate(), 7)
    assert wallet_expiry(account, today=later) == ExpiryDue(coins=15, on=later)


def test_a_wallet_quiet_since_june_expires_in_december(client: Client) -> None:
    scheme = make_scheme(expiry_months=6)
    sam = make_user("sam@example.org")
    in_june = timezone.make_aware(datetime(2026, 6, 10, 12))
    with mock.patch("django.utils.timezone.now", return_value=in_june):
        give_coins(scheme, sam, 12)
    due = wallet_expiry(wallets_of(sam).get(), today=date(2026, 7, 1))
    assert due == ExpiryDue(coins=12, on=date(2026, 12, 10))


def test_nothing_expires_without_an_expiry_rule_coins_or_in_a_scheme_of_hours_only(
    django_assert_num_queries: Any,
) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme("forever"), sam, 5)
    make_scheme("hoursonly", expiry_months=6, participation_only=True)
    give_coins(make_scheme("hoursonly"), sam, 5)  # from before it stopped giving coins
    give_coins(make_scheme("spent", expiry_months=6), sam, 1)
    for account in wallets_of(sam):
        if account.scheme.slug == "spent":
            account.balance = 0
        with django_assert_num_queries(0):
            assert wallet_expiry(account) is None


def test_the_wallet_says_when_its_coins_expire_with_a_button_to_give_them(
    client: Client,
) -> None:
    scheme = make_scheme(expiry_months=3)
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 12)
    due = add_months(timezone.localdate(), 3)
    client.force_login(sam)

    page = client.get("/wallet/").content.decode()

    line = page[page.index('<div class="card note expiry">') :]
    line = line[: line.index("</div>")]
    assert (
        f'12 Citizen Coins expire on <time datetime="{due:%Y-%m-%d}">{due.day} {due:%B %Y}'
        "</time> unless you spend or give them."
    ) in line
    assert '<a class="button" href="/wallet/give/">Give coins</a>' in line


def test_a_wallet_whose_coins_never_expire_says_nothing_of_it(client: Client) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 12)
    client.force_login(sam)
    page = client.get("/wallet/").content.decode()
    assert "expire" not in page
    assert '<a class="button" href="/wallet/give/">Give coins</a>' in page


def test_the_warning_email_gives_the_day_with_its_year(
    django_capture_on_commit_callbacks: Any,
) -> None:
    scheme = make_scheme(expiry_months=12)
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 1)
    due = add_months(timezone.localdate(), 12)

    with django_capture_on_commit_callbacks(execute=True):
        coins_expiry_run(today=due - timedelta(days=30))

    (sent,) = mail.outbox
    said = f"1 Citizen Coin expires on {due.day} {due:%B %Y}"
    assert said in sent.subject and said in sent.body
