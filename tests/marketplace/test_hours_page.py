"""A scheme that counts hours and gives no coins (participation-only): the wallet's page is
the hours the person gave, by month, with a spreadsheet of their own sessions."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Scheme
from marketplace.board.models import Shift, Signup
from marketplace.board.services.hours import hours_confirm
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift
from tests.marketplace.test_hours import organiser_of

pytestmark = pytest.mark.django_db


def hours_given(volunteer: User, *, days_ago: int, minutes: int, title: str) -> None:
    """A shift `days_ago` that the group confirms `minutes` for."""
    shift = make_shift(title=title, hours=3)
    signup = Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    start = timezone.now() - timedelta(days=days_ago, hours=4)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    hours_confirm(shift=shift, minutes={signup.pk: minutes}, by=organiser_of(shift))


@pytest.fixture
def hours_only() -> Scheme:
    group = make_group("Park Friends")
    Scheme.objects.filter(pk=group.scheme_id).update(participation_only=True)
    return Scheme.objects.get(pk=group.scheme_id)


def test_a_participation_only_resident_sees_their_hours_not_coins(
    client: Client, hours_only: Scheme
) -> None:
    sam = make_user("sam@example.org")
    hours_given(sam, days_ago=1, minutes=150, title="Litter pick")
    hours_given(sam, days_ago=2, minutes=120, title="Tea dance")
    hours_given(make_user("kim@example.org"), days_ago=1, minutes=60, title="Not Sam's")
    client.force_login(sam)

    page = client.get("/wallet/").content.decode()

    assert "<h1>Your hours</h1>" in page
    assert "You have given <strong>4 h 30 min</strong> in 2 sessions." in page
    assert "It does not give coins." in page
    month = timezone.localdate() - timedelta(days=1)
    assert f"{month:%B %Y}</time></th>" in page
    assert "/wallet/hours.csv?scheme=testford" in page
    assert "coins appear here" not in page and "You have no coins" not in page


def test_the_hours_download_has_the_persons_own_sessions_only(
    client: Client, hours_only: Scheme
) -> None:
    sam = make_user("sam@example.org")
    hours_given(sam, days_ago=1, minutes=150, title="=Litter pick")
    hours_given(make_user("kim@example.org"), days_ago=1, minutes=60, title="Not Sam's")
    client.force_login(sam)

    response = client.get("/wallet/hours.csv?scheme=testford")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="testford-hours.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    day = timezone.localdate(timezone.now() - timedelta(days=1, hours=4))
    assert rows == [
        ["date", "what", "minutes", "hours"],
        [day.isoformat(), "'=Litter pick with Park Friends", "150", "2.5"],
    ]


def test_a_resident_of_a_participation_only_town_with_no_hours_yet_reads_of_hours(
    client: Client, hours_only: Scheme
) -> None:
    client.force_login(make_user("new@example.org"))
    page = client.get("/wallet/").content.decode()
    assert "<h1>Your hours</h1>" in page and "No hours yet." in page
    assert "coins appear here" not in page


def test_a_scheme_that_gives_coins_keeps_its_wallet_and_has_no_hours_download(
    client: Client,
) -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 12)
    client.force_login(sam)
    assert "<h1>Your wallet</h1>" in client.get("/wallet/").content.decode()
    assert client.get("/wallet/hours.csv?scheme=testford").status_code == 404
    assert client.get("/wallet/hours.csv?scheme=%00").status_code == 404
