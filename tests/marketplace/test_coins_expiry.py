from datetime import timedelta

import pytest
from django.utils import timezone

from coins.expiry import add_months, coins_expiry_run
from coins.models import Account, Transfer
from coins.services import wallet_for
from coins.tasks import coins_expiry
from notifications.models import Notification
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
NOTHING = {"returned": 0, "warned": 0, "expired": 0}  # gifts given back, warnings, expiries


def test_quiet_wallets_are_warned_at_30_and_7_days_then_expire_once() -> None:
    scheme = make_scheme(expiry_months=6)
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 20)
    due = add_months(timezone.localdate(), 6)

    assert coins_expiry_run(today=due - timedelta(days=31)) == NOTHING
    assert coins_expiry_run(today=due - timedelta(days=30)) == {**NOTHING, "warned": 1}
    assert coins_expiry_run(today=due - timedelta(days=20)) == NOTHING
    assert coins_expiry_run(today=due - timedelta(days=7)) == {**NOTHING, "warned": 1}
    warnings = Notification.objects.filter(user=sam, kind="coins_expiring")
    assert warnings.count() == 2
    # With the year: the day may fall in the next one.
    assert warnings.first().title == f"20 Citizen Coins expire on {due:%-d %B %Y}"  # type: ignore[union-attr]
    assert warnings.first().url == "/wallet/give/"  # type: ignore[union-attr]

    assert coins_expiry_run(today=due) == {**NOTHING, "expired": 1}
    assert coins_expiry_run(today=due) == NOTHING
    assert wallet_for(scheme=scheme, user=sam).balance == 0
    expiry = Account.objects.get(scheme=scheme, kind=Account.Kind.EXPIRY)
    assert expiry.balance == 20
    assert Transfer.objects.filter(kind=Transfer.Kind.EXPIRY).count() == 1
    expired = Notification.objects.get(user=sam, kind="coins_expired")
    assert expired.title == "20 Citizen Coins expired"


def test_a_late_first_run_sends_only_the_most_urgent_warning() -> None:
    scheme = make_scheme(expiry_months=3)
    sam = make_user("sam@example.org")
    give_coins(scheme, sam, 5)
    due = add_months(timezone.localdate(), 3)
    coins_expiry_run(today=due - timedelta(days=3))
    coins_expiry_run(today=due - timedelta(days=2))
    assert Notification.objects.filter(user=sam, kind="coins_expiring").count() == 1


def test_schemes_without_expiry_and_empty_wallets_are_left_alone() -> None:
    forever = make_scheme("forever")
    sam = make_user("sam@example.org")
    give_coins(forever, sam, 5)
    make_scheme("quick", expiry_months=1)
    wallet_for(scheme=make_scheme("quick"), user=sam)  # empty: nothing to expire
    far = timezone.localdate() + timedelta(days=3650)
    assert coins_expiry.delay().get() == NOTHING
    assert coins_expiry_run(today=far) == NOTHING
    assert wallet_for(scheme=forever, user=sam).balance == 5
