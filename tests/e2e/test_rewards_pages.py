"""A resident spends coins: catalogue, offer, the code at the till, the receipt."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from marketplace.rewards.models import Redemption, Retailer
from places.selectors import postcode_point
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.e2e.conftest import Checks, off_the_loop
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of


def shop_at(name: str, postcode: str) -> Retailer:
    retailer = make_retailer(name)
    latitude, longitude = postcode_point(postcode) or (None, None)
    Retailer.objects.filter(pk=retailer.pk).update(
        latitude=latitude,
        longitude=longitude,
        postcode=postcode,
        address="12 Market Street",
        description="Bread baked every morning.",
    )
    retailer.refresh_from_db()
    return retailer


def test_a_resident_gets_a_code_keeps_it_offline_and_sees_the_receipt(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("sam@example.org", display_name="Sam", postcode="BK1 1AA")
    give_coins(make_scheme(), sam, 30)
    bakery = shop_at("The Corner Bakery", "BK2 4AA")
    loaf = make_offer(
        bakery,
        title="Loaf of bread",
        price=12,
        stock=5,
        limit_per_person=2,
        limit_period="week",
        description="A large sourdough loaf, baked this morning.",
    )
    make_offer(bakery, title="Celebration cake", price=40)
    make_offer(
        shop_at("Riverside Cinema", "BK1 2AA"), title="Film ticket", price=25, category="leisure"
    )

    log_in(page, live_asgi, sam.email)
    page.get_by_role("link", name="Rewards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rewards")
    expect(page.get_by_text("You have 30 Citizen Coins to spend.")).to_be_visible()
    expect(page.get_by_text("Nearest to BK1 1AA first, your home postcode.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Loaf of bread")).to_contain_text(
        "You can afford this"
    )
    checks.page(page, "rewards-catalogue")

    page.get_by_text("Type of reward and distance").click()
    page.get_by_label("Type of reward").select_option(label="Food and drink")
    page.get_by_role("button", name="Show rewards").click()
    expect(page.get_by_role("heading", name="2 rewards")).to_be_visible()
    page.get_by_role("link", name="Celebration cake").click()
    expect(
        page.get_by_text("Not enough Citizen Coins: this costs 40 and you have 30.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Get a code to pay")).to_have_count(0)
    checks.page(page, "rewards-offer-cannot")
    page.go_back()

    page.get_by_role("link", name="Loaf of bread").click()
    expect(page.get_by_text("Up to 2 per person a week")).to_be_visible()
    checks.page(page, "rewards-offer")
    page.get_by_role("button", name="Get a code to pay").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Show this to the shop")
    expect(page.get_by_role("img", name="Code for the shop to scan")).to_be_visible()
    code = Redemption.objects.get(user=sam)
    expect(page.locator(".rewards-typed")).to_contain_text(f"{code.code[:4]}\u00a0{code.code[4:]}")
    expect(page.get_by_text("Valid until")).to_contain_text("left.")  # the countdown ticks
    checks.page(page, "rewards-code")

    # Signal lost at the till: the polls fail quietly and the code stays usable.
    page.context.set_offline(True)
    page.wait_for_timeout(7000)
    expect(page.get_by_role("img", name="Code for the shop to scan")).to_be_visible()
    expect(page.locator(".rewards-typed")).to_contain_text(code.code[:4])
    page.context.set_offline(False)

    # The shop confirms: the page turns into the receipt by itself.
    staff = staff_of(bakery)
    off_the_loop(lambda: confirm_at_till(redemption=code, staff=staff))
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid", timeout=20000)
    receipt = page.locator(".rewards-receipt")
    expect(receipt).to_contain_text("Paid 12 Citizen Coins at The Corner Bakery for Loaf of bread")
    expect(receipt).to_contain_text("Your balance is now 18 Citizen Coins.")
    checks.page(page, "rewards-receipt")
    loaf.refresh_from_db()
    assert loaf.stock == 4

    page.get_by_role("link", name="My codes and receipts").click()
    expect(page.locator("main").get_by_role("listitem").first).to_contain_text("Paid")
    checks.page(page, "rewards-mine")


def test_paying_a_shop_an_amount_with_errors_then_an_expired_code(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    give_coins(make_scheme(), sam, 30)
    bakery = shop_at("The Corner Bakery", "BK2 4AA")
    make_offer(bakery, title="Loaf of bread", price=12)

    log_in(page, live_asgi, sam.email)
    page.goto(f"{live_asgi}/rewards/shops/{bakery.pk}/pay/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Corner Bakery")
    checks.page(page, "rewards-shop")
    page.get_by_label("How many coins did the shop ask for?").fill("lots")
    page.get_by_role("button", name="Get a code to pay").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter the number of coins as a whole number, like 12."
    )
    page.get_by_label("How many coins did the shop ask for?").fill("45")
    page.get_by_role("button", name="Get a code to pay").click()
    expect(page.get_by_role("alert")).to_contain_text("this costs 45 and you have 30")
    checks.page(page, "rewards-shop-errors")

    page.get_by_label("How many coins did the shop ask for?").fill("7")
    page.get_by_role("button", name="Get a code to pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Show this to the shop")
    code = Redemption.objects.get(user=sam)
    assert code.price == 7 and code.offer is None

    # Left too long: the next check finds it expired, and the page says so.
    Redemption.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This code has expired", timeout=15000
    )
    checks.page(page, "rewards-code-expired")
    page.get_by_role("button", name="Get a new code for 7 Citizen Coins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Show this to the shop")
    assert Redemption.objects.filter(user=sam).count() == 2
