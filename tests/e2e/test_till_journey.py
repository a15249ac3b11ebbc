"""The whole sale, as it happens: a resident's phone and a shop's phone side by side."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.e2e.conftest import PHONE, Checks
from tests.e2e.test_shop_pages import log_in
from tests.marketplace.factories import make_offer, staff_of


def test_a_resident_pays_at_the_till_and_both_phones_show_the_receipt(
    browser: Browser, live_asgi: str, checks: Checks
) -> None:
    sam = make_user("sam@example.org", display_name="Sam")
    give_coins(make_scheme(), sam, 30)
    offer = make_offer(title="Loaf of bread", price=12, category="food")
    context_args = {"viewport": PHONE, "locale": "en-GB", "timezone_id": "Europe/London"}
    resident = browser.new_context(**context_args).new_page()  # type: ignore[arg-type]
    shop = browser.new_context(**context_args).new_page()  # type: ignore[arg-type]

    log_in(resident, live_asgi, sam)
    resident.get_by_role("link", name="Rewards").click()
    expect(resident.locator(".balance")).to_contain_text("You have 30 Citizen Coins to spend")
    resident.get_by_role("link", name="Loaf of bread").click()
    resident.get_by_role("button", name="Get a code to pay").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Show this to the shop")
    expect(resident.get_by_role("img", name="Code for the shop to scan")).to_be_visible()
    checks.page(resident, "till-journey-resident-code")
    typed = resident.locator(".rewards-typed [aria-hidden]").inner_text().replace("\xa0", "")

    log_in(shop, live_asgi, staff_of(offer.retailer))
    shop.goto(f"{live_asgi}/shop/{offer.retailer.pk}/till/")
    shop.get_by_label("Code on the resident's phone").fill(typed)
    shop.get_by_role("button", name="Check code").click()
    expect(shop.get_by_text("Sam", exact=True)).to_be_visible()
    expect(shop.get_by_text("Loaf of bread")).to_be_visible()
    expect(shop.get_by_text("12 Citizen Coins", exact=True)).to_be_visible()
    checks.page(shop, "till-journey-shop-confirm")
    shop.get_by_role("button", name="Confirm: take 12 Citizen Coins").click()
    expect(shop.get_by_role("heading", level=1)).to_have_text("Paid")
    checks.page(shop, "till-journey-shop-receipt")

    # The resident's page notices by itself (it checks every few seconds).
    expect(resident.get_by_role("heading", level=1)).to_have_text("Paid", timeout=10_000)
    expect(resident.get_by_text("Your balance is now 18 Citizen Coins.")).to_be_visible()
    checks.page(resident, "till-journey-resident-receipt")
    resident.get_by_role("link", name="Wallet", exact=True).click()
    expect(resident.locator("[data-balance]")).to_have_text("18")
    expect(resident.get_by_role("row").nth(1)).to_contain_text("Loaf of bread at Corner Bakery")


def test_a_shopkeeper_makes_a_key_for_their_till_system(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    offer = make_offer(title="Loaf of bread", price=12)
    log_in(page, live_asgi, staff_of(offer.retailer))
    page.goto(f"{live_asgi}/shop/{offer.retailer.pk}/")
    page.get_by_role("link", name="Keys for your till system").click()
    page.get_by_role("button", name="Make a key").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the key a name")
    checks.page(page, "shop-keys-errors")
    page.get_by_label("Name for this till system").fill("Front counter till")
    page.get_by_role("button", name="Make a key").click()
    expect(page.get_by_label("Key")).to_have_value(re.compile(r"^cc_pos_"))
    checks.page(page, "shop-keys-new")
    page.get_by_role("button", name="Turn off Front counter till").click()
    expect(page.get_by_role("status")).to_contain_text("no longer works")
