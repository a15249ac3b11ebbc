"""Tills racing each other on real PostgreSQL: each thread has its own connection."""

import pytest

from coins.models import Transfer
from coins.services import wallet_for
from marketplace.rewards.models import Offer, Redemption, RetailerStaff
from marketplace.rewards.services.redemptions import RedemptionRefused, redemption_code_create
from tests.coins.factories import give_coins, make_scheme
from tests.coins.test_concurrency import in_threads
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_code_confirmed_from_two_tills_at_once_is_paid_once() -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 50)
    offer = make_offer(price=12)
    second_till = make_user("till2@example.org")
    RetailerStaff.objects.create(retailer=offer.retailer, user=second_till)
    tills = [staff_of(offer.retailer), second_till]
    code = redemption_code_create(user=sam, offer=offer)

    def confirm(n: int) -> Redemption:
        return confirm_at_till(redemption=code, staff=tills[n % 2])

    results = in_threads(10, confirm)
    paid = [r for r in results if isinstance(r, Redemption)]
    used = [r for r in results if isinstance(r, RedemptionRefused)]
    assert (len(paid), len(used)) == (1, 9), results
    assert all(r.receipt is not None and r.receipt.pk == code.pk for r in used)
    assert Transfer.objects.filter(kind="spend").count() == 1
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 38


def test_stock_holds_when_twenty_people_redeem_the_last_five_at_once() -> None:
    scheme = make_scheme()
    offer = make_offer(price=5, stock=5)
    codes = []
    for n in range(20):
        person = make_user(f"p{n}@example.org")
        give_coins(scheme, person, 10)
        codes.append(redemption_code_create(user=person, offer=offer))
    staff = staff_of(offer.retailer)

    results = in_threads(20, lambda n: confirm_at_till(redemption=codes[n], staff=staff))
    paid = [r for r in results if isinstance(r, Redemption)]
    sold_out = [r for r in results if isinstance(r, RedemptionRefused) and "sold out" in str(r)]
    assert (len(paid), len(sold_out)) == (5, 15), results
    assert Offer.objects.get(pk=offer.pk).stock == 0
    assert Transfer.objects.filter(kind="spend").count() == 5


def test_a_once_a_week_offer_is_had_once_however_many_codes_race() -> None:
    sam = make_user("sam@example.org")
    give_coins(make_scheme(), sam, 100)
    offer = make_offer(make_retailer("Cafe"), price=3, limit_per_person=1, limit_period="week")
    codes = [redemption_code_create(user=sam, offer=offer) for _ in range(6)]
    staff = staff_of(offer.retailer)

    results = in_threads(6, lambda n: confirm_at_till(redemption=codes[n], staff=staff))
    paid = [r for r in results if isinstance(r, Redemption)]
    limited = [r for r in results if isinstance(r, RedemptionRefused) and "most allowed" in str(r)]
    assert (len(paid), len(limited)) == (1, 5), results
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 97
