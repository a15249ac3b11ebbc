"""`make load`'s users (load/locustfile.py) each walk their Saturday journey once, in a
process of their own (locust patches the standard library for gevent on import), against
uvicorn serving this test's database, on a small town made by load/data.py."""

import subprocess
import sys
from pathlib import Path

from allauth.account.models import EmailAddress
from django.utils import timezone

from load.data import PASSWORD, Plan, residents_load, signable_opportunities, tills_load
from marketplace.board.models import Signup
from marketplace.rewards.models import Redemption
from tests.marketplace.factories import make_group, make_offer, make_retailer, make_shift

ROOT = Path(__file__).resolve().parents[2]


def small_town() -> Plan:
    """A verified group with two shifts to come, a shop with a 5-coin offer, and one
    resident and one shopper who earned their coins: what the load's plan needs."""
    group = make_group("Riverside Gardeners")
    scheme = group.scheme
    for days in (2, 3):
        make_shift(group=group, days_ahead=days, capacity=1, causes=["environment"])
    make_offer(make_retailer("Corner Bakery", scheme=scheme), title="Bag of apples", price=5)
    postcodes = ["BK1 1AA"]
    residents = residents_load(scheme=scheme, role="resident", n=1, postcodes=postcodes)
    shoppers = residents_load(scheme=scheme, role="shopper", n=1, postcodes=postcodes)
    return Plan(
        town=scheme.slug,
        password=PASSWORD,
        residents=[u.email for u in residents],
        shoppers=[u.email for u in shoppers],
        tills=tills_load(scheme=scheme),
        opportunities=signable_opportunities(scheme),
        postcodes=postcodes,
    )


def test_the_load_town_has_residents_with_coins_and_tills_with_keys(transactional_db: None) -> None:
    plan = small_town()
    assert len(plan.opportunities) == 2
    assert [till.name for till in plan.tills] == ["Corner Bakery"]
    assert plan.tills[0].key.startswith("cc_pos_")
    verified = EmailAddress.objects.filter(email__in=plan.residents + plan.shoppers, verified=True)
    assert verified.count() == 2


def test_each_user_walks_its_saturday_journey(live_asgi: str, tmp_path: Path) -> None:
    plan = small_town()
    plan.hosts = [live_asgi, live_asgi]
    plan.write(tmp_path / "plan.json")

    walked = subprocess.run(
        [sys.executable, "-m", "load.once", str(tmp_path / "plan.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )

    said = walked.stdout + walked.stderr
    assert walked.returncode == 0, said
    for step in (
        "POST /shifts/[id]/sign-up/",
        "POST /accounts/signup/ (post)",
        "POST /api/v1/pos/redemptions/[id]/confirm",
        "WS /ws/notifications/ (sale heard)",
        "WS /ws/notifications/ (ping)",
    ):
        assert step in said
    going = Signup.objects.filter(user__email=plan.residents[0], shift__start__gt=timezone.now())
    assert going.exists()
    paid = Redemption.objects.get(user__email=plan.shoppers[0])
    assert paid.status == Redemption.State.REDEEMED
