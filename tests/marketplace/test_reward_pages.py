"""The rewards pages residents use: catalogue, offer, paying a shop, the code, receipts."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.services import wallet_for
from marketplace.organisations import Status
from marketplace.rewards.models import Offer, Redemption, Retailer
from marketplace.rewards.services.redemptions import (
    RedemptionRefused,
    redemption_code_create,
    redemption_refund,
)
from marketplace.rewards.till import signed
from places.selectors import postcode_point
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of

pytestmark = pytest.mark.django_db


def titles(html: str) -> list[str]:
    """Offer titles in the order the catalogue lists them."""
    return re.findall(r'<h3><a href="/rewards/offers/\d+/">([^<]+)</a></h3>', html)


def shop_at(name: str, postcode: str) -> Retailer:
    retailer = make_retailer(name)
    latitude, longitude = postcode_point(postcode) or (None, None)
    Retailer.objects.filter(pk=retailer.pk).update(
        latitude=latitude, longitude=longitude, postcode=postcode, address="1 High Street"
    )
    retailer.refresh_from_db()
    return retailer


def rich(resident: User, coins: int) -> User:
    give_coins(make_scheme(), resident, coins)
    return resident


def test_the_catalogue_lists_only_open_offers_from_the_residents_scheme(
    client: Client, resident: User
) -> None:
    today = timezone.localdate()
    bakery = make_retailer("Corner Bakery")
    make_offer(bakery, title="Loaf of bread")
    make_offer(bakery, title="Withdrawn cake", active=False)
    make_offer(bakery, title="Last week's pie", ends_on=today - timedelta(days=1))
    make_offer(bakery, title="Christmas pudding", starts_on=today + timedelta(days=3))
    make_offer(bakery, title="Sold-out scone", stock=0)
    make_offer(bakery, title="Last bun", stock=1, ends_on=today)
    make_offer(make_retailer("Not Yet Shop", status=Status.PENDING), title="Unverified tea")
    elsewhere = make_retailer("Far Cafe", scheme=make_scheme("elsewhere"))
    make_offer(elsewhere, title="Elsewhere coffee")

    # Two towns: a visitor is asked which, or sees the one a link names.
    anonymous = client.get("/rewards/").content.decode()
    assert titles(anonymous) == [] and "Choose your town" in anonymous
    visiting = client.get("/rewards/", {"town": "elsewhere"}).content.decode()
    assert titles(visiting) == ["Elsewhere coffee"]

    client.force_login(rich(resident, 5))
    mine = client.get("/rewards/").content.decode()
    assert sorted(titles(mine)) == ["Last bun", "Loaf of bread"]  # only their town's


def test_the_catalogue_filters_by_category_and_lists_nearest_first_from_a_postcode(
    client: Client,
) -> None:
    make_offer(shop_at("Far Deli", "BK3 1AA"), title="Far cheese", category="food")
    make_offer(shop_at("Near Bakery", "BK2 4AA"), title="Near loaf", category="food")
    make_offer(shop_at("Mid Cafe", "BK1 2AA"), title="Mid coffee", category="food")
    make_offer(make_retailer("Somewhere Shop"), title="Unplaced jam", category="food")
    make_offer(shop_at("Cinema", "BK1 1AA"), title="Film ticket", category="leisure")

    food = client.get("/rewards/", {"category": "food", "postcode": "bk1 1aa"})
    page = food.content.decode()
    assert titles(page) == ["Near loaf", "Mid coffee", "Far cheese", "Unplaced jam"]
    assert "1.5 miles away" in page and "Nearest to BK1 1AA first." in page

    within = client.get("/rewards/", {"category": "food", "postcode": "BK1 1AA", "miles": "3"})
    assert titles(within.content.decode()) == ["Near loaf", "Mid coffee"]

    leisure = client.get("/rewards/", {"category": "leisure"}).content.decode()
    assert titles(leisure) == ["Film ticket"]

    unknown = client.get("/rewards/", {"postcode": "ZZ9 9ZZ"}).content.decode()
    assert "We do not know that postcode" in unknown
    assert titles(unknown) == []


def test_the_catalogue_pages_keep_the_filters(client: Client) -> None:
    bakery = make_retailer()
    for n in range(22):
        make_offer(bakery, title=f"Bun {n:02d}", price=n + 1)
    make_offer(bakery, title="Film", category="leisure")
    first = client.get("/rewards/", {"category": "food"}).content.decode()
    assert "22 rewards" in first and "Page 1 of 2" in first
    assert 'href="?category=food&amp;page=2"' in first
    second = client.get("/rewards/", {"category": "food", "page": "2"}).content.decode()
    assert titles(second) == ["Bun 20", "Bun 21"]


def test_a_resident_who_shares_their_location_starts_near_home(client: Client) -> None:
    make_offer(shop_at("Far Deli", "BK3 1AA"), title="Far cheese", price=1)
    make_offer(shop_at("Near Bakery", "BK2 4AA"), title="Near loaf", price=9)
    sharer = make_user("near@example.org", postcode="BK1 1AA", share_location=True)
    client.force_login(sharer)
    page = client.get("/rewards/").content.decode()
    assert 'value="BK1 1AA"' in page
    assert "Nearest to BK1 1AA first, your home postcode." in page
    assert titles(page) == ["Near loaf", "Far cheese"]
    # Clearing the postcode is respected: cheapest first again.
    assert titles(client.get("/rewards/", {"postcode": ""}).content.decode()) == [
        "Far cheese",
        "Near loaf",
    ]

    private = make_user("private@example.org", postcode="BK1 1AA", share_location=False)
    client.force_login(private)
    page = client.get("/rewards/").content.decode()
    assert 'value="BK1 1AA"' not in page
    assert titles(page) == ["Far cheese", "Near loaf"]


def test_offers_the_resident_can_afford_are_marked_and_the_balance_is_shown(
    client: Client, resident: User
) -> None:
    bakery = make_retailer()
    make_offer(bakery, title="Bun", price=5)
    make_offer(bakery, title="Loaf of bread", price=12)
    make_offer(bakery, title="Big cake", price=40)
    client.force_login(rich(resident, 12))
    page = client.get("/rewards/").content.decode()
    assert "You have <strong>12</strong> Citizen Coins to spend." in page
    cards = page.split('class="result card rewards-offer"')[1:]
    marked = [titles(card)[0] for card in cards if "You can afford this" in card]
    assert marked == ["Bun", "Loaf of bread"]

    anonymous = Client().get("/rewards/").content.decode()
    assert "You can afford this" not in anonymous and "You have" not in anonymous


def test_the_offer_page_says_up_front_why_a_resident_cannot_get_a_code(
    client: Client, resident: User
) -> None:
    bakery = make_retailer()
    dear = make_offer(bakery, title="Big cake", price=40, description="Serves twelve.")
    gone = make_offer(bakery, title="Scone", price=2, stock=0)
    once = make_offer(bakery, title="Coffee", price=3, limit_per_person=1, limit_period="week")
    client.force_login(rich(resident, 12))
    confirm_at_till(
        redemption=redemption_code_create(user=resident, offer=once), staff=staff_of(bakery)
    )

    page = client.get(f"/rewards/offers/{dear.pk}/").content.decode()
    assert "Serves twelve." in page and "Corner Bakery" in page
    assert "Not enough Citizen Coins: this costs 40 and you have 9." in page  # 12 less the coffee
    assert "Get a code to pay" not in page
    assert "this costs" not in client.get(f"/rewards/offers/{once.pk}/").content.decode()
    limited = client.get(f"/rewards/offers/{once.pk}/").content.decode()
    assert "which is the most allowed" in limited and "Up to 1 per person a week" in limited
    sold_out = client.get(f"/rewards/offers/{gone.pk}/").content.decode()
    assert "This offer has sold out." in sold_out and "None left" in sold_out

    fine = make_offer(
        bakery,
        title="Bun",
        price=5,
        stock=7,
        photo="offers/2025/01/bun.jpg",
        photo_sizes={"960": "offers/2025/01/bun-960.jpg", "480": "offers/2025/01/bun-480.jpg"},
    )
    page = client.get(f"/rewards/offers/{fine.pk}/").content.decode()
    assert "Get a code to pay" in page and "7 left" in page
    assert (
        'srcset="/media/offers/2025/01/bun-480.jpg 480w, /media/offers/2025/01/bun-960.jpg 960w"'
        in page
    )


def test_a_code_refused_by_the_service_comes_back_as_a_message_and_makes_nothing(
    client: Client, resident: User
) -> None:
    offer = make_offer(price=15)
    client.force_login(rich(resident, 10))
    response = client.post(f"/rewards/offers/{offer.pk}/code/", follow=True)
    assert "Not enough Citizen Coins: this costs 15 and you have 10." in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/rewards/offers/{offer.pk}/"
    assert not Redemption.objects.exists()


def test_getting_a_code_shows_the_qr_and_typed_code_to_its_owner_only(
    client: Client, resident: User
) -> None:
    offer = make_offer(title="Loaf of bread", price=12)
    client.force_login(rich(resident, 30))
    response = client.post(f"/rewards/offers/{offer.pk}/code/")
    redemption = Redemption.objects.get()
    assert response["Location"] == f"/rewards/codes/{redemption.pk}/"
    assert redemption.user == resident and redemption.price == 12

    page = client.get(response["Location"]).content.decode()
    assert 'aria-label="Code for the shop to scan"' in page and "<svg" in page
    typed = f"{redemption.code[:4]}&nbsp;{redemption.code[4:]}"
    assert typed in page
    assert f'Valid until <time datetime="{redemption.expires_at.isoformat()}">' in page
    assert "Loaf of bread at Corner Bakery" in page and "12 Citizen Coins" in page
    assert "js/rewards.js" in page
    assert "Check if the shop has taken it" in page
    assert signed(redemption.token) not in page  # carried in the QR's pixels, not as text
    # The offer page now leads back to it rather than making another.
    assert "Show my code" in client.get(f"/rewards/offers/{offer.pk}/").content.decode()

    client.force_login(make_user("someone@example.org"))
    assert client.get(f"/rewards/codes/{redemption.pk}/").status_code == 404
    assert client.get(f"/rewards/codes/{redemption.pk}/status.json").status_code == 404
    anonymous = Client().get(f"/rewards/codes/{redemption.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_status_json_follows_the_code(client: Client, resident: User) -> None:
    offer = make_offer(price=5)
    rich(resident, 30)
    issued = redemption_code_create(user=resident, offer=offer)
    stale = redemption_code_create(user=resident, offer=offer)
    Redemption.objects.filter(pk=stale.pk).update(expires_at=timezone.now())
    client.force_login(resident)

    url = f"/rewards/codes/{issued.pk}/status.json"
    response = client.get(url)
    assert response.json() == {"status": "issued"}
    assert "no-cache" in response["Cache-Control"]
    confirm_at_till(redemption=issued, staff=staff_of(offer.retailer))
    assert client.get(url).json() == {"status": "redeemed"}
    assert client.get(f"/rewards/codes/{stale.pk}/status.json").json() == {"status": "expired"}
    assert Client().get(url).status_code == 401


def test_the_code_page_becomes_a_receipt_once_the_shop_confirms(
    client: Client, resident: User
) -> None:
    offer = make_offer(make_retailer("The Corner Bakery"), title="Loaf of bread", price=12)
    client.force_login(rich(resident, 30))
    code = redemption_code_create(user=resident, offer=offer)
    paid = confirm_at_till(redemption=code, staff=staff_of(offer.retailer))
    assert paid.redeemed_at is not None
    when = timezone.localtime(paid.redeemed_at).strftime("%H:%M, %-d %b")

    page = client.get(f"/rewards/codes/{code.pk}/").content.decode()
    assert (
        f"Paid <strong>12 Citizen Coins</strong> at The Corner Bakery for Loaf of bread, "
        f'<time datetime="{paid.redeemed_at.isoformat()}">{when}</time>.'
    ) in page
    assert "Your balance is now <strong>18</strong> Citizen Coins." in page
    assert "Code for the shop to scan" not in page and "js/rewards.js" not in page

    mine = client.get("/rewards/mine/").content.decode()
    assert "Loaf of bread at The Corner Bakery" in mine and "Paid" in mine


def test_a_refunded_code_says_so(client: Client, resident: User) -> None:
    offer = make_offer(title="Loaf of bread", price=12)
    client.force_login(rich(resident, 30))
    staff = staff_of(offer.retailer)
    paid = confirm_at_till(
        redemption=redemption_code_create(user=resident, offer=offer), staff=staff
    )
    redemption_refund(redemption=paid, staff=staff, reason="Burnt")
    page = client.get(f"/rewards/codes/{paid.pk}/").content.decode()
    assert "<h1>Refunded</h1>" in page
    assert "gave back the <strong>12 Citizen Coins</strong>" in page
    assert "Your balance is now <strong>30</strong> Citizen Coins." in page


def test_an_expired_code_says_so_and_offers_a_new_one(client: Client, resident: User) -> None:
    offer = make_offer(price=5)
    client.force_login(rich(resident, 30))
    old = redemption_code_create(user=resident, offer=offer)
    Redemption.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(f"/rewards/codes/{old.pk}/").content.decode()
    assert "This code has expired" in page and "No Citizen Coins were taken." in page
    assert "Code for the shop to scan" not in page and old.code[:4] not in page
    assert f'action="/rewards/offers/{offer.pk}/code/"' in page

    response = client.post(f"/rewards/offers/{offer.pk}/code/")
    fresh = Redemption.objects.exclude(pk=old.pk).get()
    assert response["Location"] == f"/rewards/codes/{fresh.pk}/"

    by_amount = redemption_code_create(user=resident, retailer=offer.retailer, amount=7)
    Redemption.objects.filter(pk=by_amount.pk).update(expires_at=timezone.now())
    page = client.get(f"/rewards/codes/{by_amount.pk}/").content.decode()
    assert f'action="/rewards/shops/{offer.retailer_id}/pay/"' in page
    assert 'name="amount" value="7"' in page


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter how many coins the shop asked for."),
        ("0", "Enter a number of coins, 1 or more."),
        ("-3", "Enter a number of coins, 1 or more."),
        ("twelve", "Enter the number of coins as a whole number, like 12."),
        ("2.5", "Enter the number of coins as a whole number, like 12."),
        ("31", "Not enough Citizen Coins: this costs 31 and you have 30."),
    ],
)
def test_paying_an_amount_explains_bad_input_and_makes_no_code(
    client: Client, resident: User, typed: str, error: str
) -> None:
    bakery = make_retailer()
    client.force_login(rich(resident, 30))
    response = client.post(f"/rewards/shops/{bakery.pk}/pay/", {"amount": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and error in page
    assert 'aria-invalid="true"' in page
    assert not Redemption.objects.exists()


def test_paying_an_amount_the_shop_asks_for_makes_a_code_for_it(
    client: Client, resident: User
) -> None:
    bakery = make_retailer("Corner Bakery")
    make_offer(bakery, title="Loaf of bread", price=12)
    client.force_login(rich(resident, 30))
    page = client.get(f"/rewards/shops/{bakery.pk}/pay/").content.decode()
    assert "How many coins did the shop ask for?" in page
    assert "Loaf of bread" in page and "You have 30 Citizen Coins" in page

    response = client.post(f"/rewards/shops/{bakery.pk}/pay/", {"amount": " 14 "})
    code = Redemption.objects.get()
    assert response["Location"] == f"/rewards/codes/{code.pk}/"
    assert code.price == 14 and code.offer is None and code.retailer == bakery
    assert wallet_for(scheme=bakery.scheme, user=resident).balance == 30  # taken at the till

    anonymous = Client().post(f"/rewards/shops/{bakery.pk}/pay/", {"amount": "5"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Redemption.objects.count() == 1


def test_an_unverified_shop_and_its_offers_are_invisible(client: Client) -> None:
    hidden = make_offer(make_retailer("Not Yet Shop", status=Status.PENDING))
    assert client.get(f"/rewards/offers/{hidden.pk}/").status_code == 404
    assert client.get(f"/rewards/shops/{hidden.retailer_id}/pay/").status_code == 404


def test_my_codes_lists_only_the_residents_own(client: Client, resident: User) -> None:
    offer = make_offer(title="Loaf of bread", price=5)
    rich(resident, 30)
    redemption_code_create(user=resident, offer=offer)
    other = make_user("other@example.org")
    give_coins(offer.scheme, other, 30)
    redemption_code_create(user=other, offer=make_offer(offer.retailer, title="Their cake"))
    client.force_login(resident)
    page = client.get("/rewards/mine/").content.decode()
    assert "Loaf of bread at Corner Bakery" in page and "Ready to show" in page
    assert "Their cake" not in page
    assert Offer.objects.count() == 2


def test_a_resident_cancels_a_code_and_the_till_can_no_longer_take_it(client: Client) -> None:
    resident = make_user("cancel@example.org")
    offer = make_offer(price=5)
    give_coins(offer.scheme, resident, 20)
    code = redemption_code_create(user=resident, offer=offer)
    client.force_login(resident)
    page = client.post(f"/rewards/codes/{code.pk}/cancel/", follow=True).content.decode()
    assert "Your code is cancelled. No coins were taken." in page
    assert "This code was cancelled" in page
    with pytest.raises(RedemptionRefused, match="cancelled"):
        confirm_at_till(redemption=code, staff=staff_of(offer.retailer))
    client.force_login(make_user("other@example.org"))
    assert client.post(f"/rewards/codes/{code.pk}/cancel/").status_code == 404
