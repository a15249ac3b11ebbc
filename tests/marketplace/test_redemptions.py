"""Paying at the till: single-use codes, confirm, refunds, limits, the guessing brake."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from coins.models import RETAILER_PARTS, Account, Transfer
from coins.services import wallet_for
from marketplace.organisations import NotAllowed
from marketplace.rewards import till
from marketplace.rewards.models import Redemption, Retailer, RetailerStaff
from marketplace.rewards.selectors import shop_balance
from marketplace.rewards.services.redemptions import (
    RedemptionRefused,
    redemption_code_create,
    redemption_confirm,
    redemption_find,
    redemption_refund,
)
from marketplace.rewards.till import ALPHABET, signed, unsigned
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_brake() -> None:
    cache.clear()  # the typed-code brake counts in the cache


def resident_with(coins: int, email: str = "sam@example.org") -> User:
    user = make_user(email, display_name="Sam")
    give_coins(make_scheme(), user, coins)
    return user


def test_a_code_is_single_use_short_and_says_nothing_about_the_person() -> None:
    sam = resident_with(30)
    offer = make_offer(price=12)
    code = redemption_code_create(user=sam, offer=offer)
    assert len(code.code) == 8 and set(code.code) <= set(ALPHABET)
    qr = signed(code.token)
    assert qr.split(":")[0] == code.token and sam.email not in qr  # random, not the person
    assert unsigned(qr) == code.token
    lifetime = code.expires_at - code.created
    assert timedelta(minutes=5) - timedelta(seconds=1) < lifetime <= timedelta(minutes=5)

    staff = staff_of(offer.retailer)
    found = redemption_find(retailer=offer.retailer, staff=staff, code=code.code.lower())
    paid = confirm_at_till(redemption=found, staff=staff)
    assert paid.status == Redemption.State.REDEEMED
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 18
    assert shop_balance(retailer=offer.retailer) == 12

    with pytest.raises(RedemptionRefused, match="already been used") as used:
        redemption_find(retailer=offer.retailer, staff=staff, token=code.token)
    assert used.value.receipt == paid
    with pytest.raises(RedemptionRefused, match="already been used"):
        confirm_at_till(redemption=code, staff=staff)
    assert Transfer.objects.filter(kind="spend").count() == 1


def test_expired_forged_and_other_shop_or_scheme_codes_are_refused_and_move_nothing() -> None:
    sam = resident_with(50)
    offer = make_offer(price=5)
    staff = staff_of(offer.retailer)
    expired = redemption_code_create(user=sam, offer=offer)
    Redemption.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    with pytest.raises(RedemptionRefused, match="expired"):
        redemption_find(retailer=offer.retailer, staff=staff, code=expired.code)
    with pytest.raises(RedemptionRefused, match="expired"):
        confirm_at_till(redemption=expired, staff=staff)

    assert unsigned(signed("made-up") + "x") is None  # a forged QR fails its signature
    with pytest.raises(RedemptionRefused, match="not valid"):
        redemption_find(retailer=offer.retailer, staff=staff, code="ABCDEFGH")

    other_shop = make_retailer("Other Shop")
    theirs = redemption_code_create(user=sam, offer=make_offer(other_shop, price=5))
    with pytest.raises(RedemptionRefused, match="another shop"):
        redemption_find(retailer=offer.retailer, staff=staff, token=theirs.token)

    elsewhere = make_retailer("Far Away", scheme=make_scheme("elsewhere"))
    give_coins(elsewhere.scheme, sam, 20)
    foreign = redemption_code_create(user=sam, offer=make_offer(elsewhere, price=5))
    with pytest.raises(RedemptionRefused, match="another town"):
        redemption_find(retailer=offer.retailer, staff=staff, token=foreign.token)
    assert not Transfer.objects.filter(kind="spend").exists()


def test_a_resident_without_enough_coins_is_told_at_the_code_and_again_at_the_till() -> None:
    sam = resident_with(10)
    offer = make_offer(price=15)
    with pytest.raises(NotAllowed, match="this costs 15 and you have 10"):
        redemption_code_create(user=sam, offer=offer)

    cheap = make_offer(offer.retailer, title="Bun", price=8)
    code = redemption_code_create(user=sam, offer=cheap)
    spend_elsewhere = redemption_code_create(user=sam, offer=cheap)
    confirm_at_till(redemption=spend_elsewhere, staff=staff_of(cheap.retailer))
    with pytest.raises(RedemptionRefused, match="does not have enough Citizen Coins"):
        confirm_at_till(redemption=code, staff=staff_of(cheap.retailer))
    assert Redemption.objects.get(pk=code.pk).status == Redemption.State.ISSUED
    assert wallet_for(scheme=cheap.scheme, user=sam).balance == 2


def test_stock_and_per_person_limits_are_told_up_front_and_held_at_confirm() -> None:
    sam = resident_with(100)
    offer = make_offer(price=5, stock=1, limit_per_person=1, limit_period="week")
    staff = staff_of(offer.retailer)
    first = redemption_code_create(user=sam, offer=offer)
    second = redemption_code_create(user=sam, offer=offer)  # made before the first was used
    confirm_at_till(redemption=first, staff=staff)
    offer.refresh_from_db()
    assert offer.stock == 0
    with pytest.raises(RedemptionRefused, match="sold out"):
        confirm_at_till(redemption=second, staff=staff)
    with pytest.raises(NotAllowed, match="sold out"):
        redemption_code_create(user=sam, offer=offer)

    unlimited_stock = make_offer(
        offer.retailer, title="Coffee", price=3, limit_per_person=1, limit_period="month"
    )
    confirm_at_till(redemption=redemption_code_create(user=sam, offer=unlimited_stock), staff=staff)
    with pytest.raises(NotAllowed, match="1 time this month, which is the most allowed"):
        redemption_code_create(user=sam, offer=unlimited_stock)


def test_the_eleventh_wrong_typed_code_in_a_minute_is_refused_without_checking() -> None:
    sam = resident_with(30)
    offer = make_offer(price=5)
    staff = staff_of(offer.retailer)
    real = redemption_code_create(user=sam, offer=offer)
    for n in range(10):
        with pytest.raises(RedemptionRefused, match="not valid"):
            redemption_find(retailer=offer.retailer, staff=staff, code=f"WRONG{n:03d}")
    with pytest.raises(RedemptionRefused, match="Too many wrong codes"):
        redemption_find(retailer=offer.retailer, staff=staff, code=real.code)  # not even looked at
    # Scanning still works: the brake is on typing, which is what guessing needs.
    assert redemption_find(retailer=offer.retailer, staff=staff, token=real.token) == real


def test_one_person_mistyping_does_not_stop_the_shops_other_tills() -> None:
    sam = resident_with(30)
    offer = make_offer(price=5)
    careless, colleague = staff_of(offer.retailer), make_user("colleague@example.org")
    RetailerStaff.objects.create(retailer=offer.retailer, user=colleague)
    real = redemption_code_create(user=sam, offer=offer)
    for n in range(10):
        with pytest.raises(RedemptionRefused, match="not valid"):
            redemption_find(retailer=offer.retailer, staff=careless, code=f"WRONG{n:03d}")
    with pytest.raises(RedemptionRefused, match="Too many wrong codes"):
        redemption_find(retailer=offer.retailer, staff=careless, code=real.code)
    assert redemption_find(retailer=offer.retailer, staff=colleague, code=real.code) == real


def test_fifty_wrong_confirms_on_one_sale_are_braked_and_the_right_code_works_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(till, "COOL_DOWN_SECONDS", 2)  # five minutes, for a test
    sam = resident_with(30)
    offer = make_offer(price=5)
    staff = staff_of(offer.retailer)
    sale = redemption_code_create(user=sam, offer=offer)
    refused = []
    for n in range(50):
        with pytest.raises(RedemptionRefused) as wrong:
            redemption_confirm(redemption=sale, staff=staff, proof=f"WRONG{n:03d}")
        refused.append(str(wrong.value))
    assert refused[:10] == ["That code does not match this sale. Scan or type it again."] * 10
    assert all(message.startswith("Too many wrong codes.") for message in refused[10:])
    with pytest.raises(RedemptionRefused, match="Too many wrong codes"):
        redemption_confirm(redemption=sale, staff=staff, proof=sale.code)  # not even compared
    assert not Transfer.objects.filter(kind="spend").exists()

    time.sleep(2.5)  # the pause has passed
    paid = redemption_confirm(redemption=sale, staff=staff, proof=sale.code)
    assert paid.status == Redemption.State.REDEEMED
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 25


def test_a_refund_gives_the_coins_back_once_within_the_window() -> None:
    sam = resident_with(30)
    offer = make_offer(price=12, stock=5)
    staff = staff_of(offer.retailer)
    paid = confirm_at_till(redemption=redemption_code_create(user=sam, offer=offer), staff=staff)
    refunded = redemption_refund(redemption=paid, staff=staff, reason="Out of stock after all")
    again = redemption_refund(redemption=paid, staff=staff, reason="Tapped twice")
    assert refunded.status == again.status == Redemption.State.REFUNDED
    assert wallet_for(scheme=offer.scheme, user=sam).balance == 30
    offer.refresh_from_db()
    assert offer.stock == 5
    assert Transfer.objects.filter(kind="reversal").count() == 1

    old = confirm_at_till(redemption=redemption_code_create(user=sam, offer=offer), staff=staff)
    Redemption.objects.filter(pk=old.pk).update(redeemed_at=timezone.now() - timedelta(days=15))
    with pytest.raises(NotAllowed, match="refunded for 14 days"):
        redemption_refund(redemption=Redemption.objects.get(pk=old.pk), staff=staff, reason="x")


def test_only_the_shops_staff_can_take_or_refund_its_codes() -> None:
    sam = resident_with(30)
    offer = make_offer(price=5)
    code = redemption_code_create(user=sam, offer=offer)
    stranger = make_user("stranger@example.org")
    with pytest.raises(NotAllowed, match="shop's staff"):
        redemption_find(retailer=offer.retailer, staff=stranger, code=code.code)
    with pytest.raises(NotAllowed, match="shop's staff"):
        confirm_at_till(redemption=code, staff=stranger)
    assert not Transfer.objects.filter(kind="spend").exists()


def test_a_suspended_shop_takes_no_coins_even_for_an_amount() -> None:
    sam = resident_with(30)
    retailer = make_retailer()
    code = redemption_code_create(user=sam, retailer=retailer, amount=7)
    Retailer.objects.filter(pk=retailer.pk).update(status="suspended")
    with pytest.raises(RedemptionRefused, match="not taking coins"):
        confirm_at_till(redemption=code, staff=staff_of(retailer))
    assert wallet_for(scheme=retailer.scheme, user=sam).balance == 30


def test_a_sale_number_without_the_residents_code_takes_no_coins() -> None:
    sam = resident_with(30)
    offer = make_offer(price=5)
    code = redemption_code_create(user=sam, offer=offer)
    staff = staff_of(offer.retailer)
    for wrong in ("", "ABCDEFGH", "not-the-token"):
        with pytest.raises(RedemptionRefused, match="does not match this sale"):
            redemption_confirm(redemption=code, staff=staff, proof=wrong)
    assert not Transfer.objects.filter(kind="spend").exists()
    paid = redemption_confirm(redemption=code, staff=staff, proof=code.code.lower())
    assert paid.status == Redemption.State.REDEEMED


def test_sales_from_many_wallets_spread_over_the_shops_parts_and_add_up_to_its_takings() -> None:
    """A busy shop's takings land in up to RETAILER_PARTS accounts, so that two tills'
    sales do not queue for one row; the shop, its page and a refund see one whole."""
    offer = make_offer(price=5)
    staff = staff_of(offer.retailer)
    buyers = [resident_with(20, f"buyer{n}@example.org") for n in range(RETAILER_PARTS + 2)]
    sales = []
    for buyer in buyers:
        code = redemption_code_create(user=buyer, offer=offer)
        sales.append(confirm_at_till(redemption=code, staff=staff))
    parts = Account.objects.filter(kind=Account.Kind.RETAILER, currency="COIN")
    wallets = {wallet_for(scheme=offer.scheme, user=b).pk % RETAILER_PARTS for b in buyers}
    assert set(parts.values_list("part", flat=True)) == wallets and len(wallets) > 1
    assert set(parts.values_list("owner_id", flat=True)) == {offer.retailer.pk}
    assert shop_balance(retailer=offer.retailer) == 5 * len(buyers)

    # A refund takes the coins back from the part the buyer's coins went to.
    first = buyers[0]
    part = parts.get(part=wallet_for(scheme=offer.scheme, user=first).pk % RETAILER_PARTS)
    before = part.balance
    redemption_refund(redemption=sales[0], staff=staff, reason="Wrong size")
    part.refresh_from_db()
    assert part.balance == before - 5
    assert shop_balance(retailer=offer.retailer) == 5 * (len(buyers) - 1)
    assert wallet_for(scheme=offer.scheme, user=first).balance == 20
