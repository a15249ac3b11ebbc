"""A shop's staff at 360 px: the dashboard, the till by keyboard, offers; the council's
shops queue."""

import re

from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from coins.models import SchemeAdmin
from marketplace.rewards.models import Redemption, Retailer
from marketplace.rewards.services.redemptions import redemption_code_create
from marketplace.rewards.till import signed
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import PHONE, Checks, off_the_loop
from tests.marketplace.factories import make_offer, make_retailer, staff_of


def log_in(page: Page, base: str, user: User) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def a_code_for(offer_price: int) -> tuple[Retailer, Redemption]:
    sam = make_user("sam@example.org", display_name="Sam")
    offer = make_offer(title="Loaf of bread", price=offer_price)
    codes: list[Redemption] = []
    off_the_loop(lambda: give_coins(make_scheme(), sam, 30))
    off_the_loop(lambda: codes.append(redemption_code_create(user=sam, offer=offer)))
    return offer.retailer, codes[0]


def test_the_staff_take_a_typed_code_at_the_till_by_keyboard(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    retailer, code = a_code_for(12)
    log_in(page, live_asgi, staff_of(retailer))
    page.get_by_role("link", name="My shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Corner Bakery")
    checks.page(page, "shop-dashboard")

    page.get_by_role("link", name="Open the till").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take coins")
    # Headless Chromium on Linux has no BarcodeDetector: the camera button stays hidden.
    expect(page.get_by_role("button", name="Scan the QR code")).to_be_hidden()
    checks.page(page, "shop-till")
    page.get_by_role("button", name="Check code").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the code on the resident's phone")
    checks.page(page, "shop-till-empty")

    page.get_by_label("Code on the resident's phone").fill(code.code.lower())
    page.get_by_label("Code on the resident's phone").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check, then confirm")
    expect(page.get_by_text("Sam", exact=True)).to_be_visible()
    expect(page.get_by_text("Loaf of bread")).to_be_visible()
    expect(page.get_by_text("12 Citizen Coins", exact=True)).to_be_visible()
    checks.page(page, "shop-till-confirm")

    page.get_by_role("button", name="Confirm: take 12 Citizen Coins").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid")
    expect(page.locator("main").get_by_text(f"{code.pk}", exact=True)).to_be_visible()
    checks.page(page, "shop-receipt")
    page.get_by_text("Refund this sale").click()
    checks.page(page, "shop-receipt-refund")

    page.get_by_role("link", name="Next customer").click()
    page.get_by_label("Code on the resident's phone").fill(code.code)
    page.get_by_role("button", name="Check code").click()
    expect(page.get_by_role("alert")).to_contain_text("This code has already been used.")
    checks.page(page, "shop-till-used")
    page.get_by_role("link", name=f"See the receipt for sale {code.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid")

    page.get_by_role("link", name="Back to Corner Bakery").click()
    expect(page.get_by_text("12 Citizen Coins from 1 sale")).to_be_visible()
    checks.page(page, "shop-dashboard-after-sale")


# Chromium on Linux has no BarcodeDetector: stand-ins for it and for the camera, so that
# static/js/till.js is driven as it would be on a phone that has them.
FAKE_SCANNER = """
window.BarcodeDetector = class {
  constructor(options) { this.formats = options.formats; }
  detect() { return Promise.resolve([{ rawValue: window.__scanned }]); }
};
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const stream = canvas.captureStream(10);
  const paint = () => { canvas.getContext("2d").fillRect(0, 0, 64, 64); };
  paint(); setInterval(paint, 100);
  return Promise.resolve(stream);
};
"""


def test_the_till_scans_a_qr_code_where_the_phone_can(
    page: Page, live_asgi: str, checks: Checks
) -> None:
    retailer, code = a_code_for(5)
    page.add_init_script(FAKE_SCANNER + f"window.__scanned = {signed(code.token)!r};")
    log_in(page, live_asgi, staff_of(retailer))
    page.goto(f"{live_asgi}/shop/{retailer.pk}/till/")
    page.get_by_role("button", name="Scan the QR code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check, then confirm")
    expect(page.get_by_role("button", name="Confirm: take 5 Citizen Coins")).to_be_visible()
    checks.page(page, "shop-till-scanned")


def test_the_offer_form_explains_its_errors(page: Page, live_asgi: str, checks: Checks) -> None:
    retailer = make_retailer()
    log_in(page, live_asgi, staff_of(retailer))
    page.goto(f"{live_asgi}/shop/{retailer.pk}/")
    page.get_by_role("link", name="Add an offer").click()
    checks.page(page, "shop-offer-new")
    page.get_by_label("Most one person can have (optional)").fill("1")
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Enter a title.")
    expect(alert).to_contain_text("Enter the price in coins.")
    expect(alert).to_contain_text("Choose whether the limit is per week or per month.")
    checks.page(page, "shop-offer-errors")

    page.get_by_label("Title").fill("Cup of tea")
    page.get_by_label("Price in coins").fill("3")
    page.get_by_label("Limit per").select_option("week")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Cup of tea”")
    page.get_by_role("link", name="Edit Cup of tea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Cup of tea”")
    checks.page(page, "shop-offer-edit")


def test_a_resident_registers_a_shop_and_the_council_verifies_it(
    page: Page, live_asgi: str, checks: Checks, browser: Browser
) -> None:
    scheme = make_scheme()
    council = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme, user=council)
    log_in(page, live_asgi, make_user("pat@example.org", display_name="Pat"))
    page.goto(live_asgi + "/shop/")
    checks.page(page, "shop-none")
    page.get_by_role("link", name="Register a shop").click()
    page.get_by_role("button", name="Register the shop").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your shop's name.")
    checks.page(page, "shop-register-errors")
    page.get_by_label("Shop name").fill("Corner Bakery")
    page.get_by_label("Street address").fill("1 High Street")
    page.get_by_label("Postcode").fill("bk1 1aa")
    page.get_by_label("Contact email for the council").fill("bakery@example.org")
    page.get_by_role("button", name="Register the shop").click()
    expect(page.get_by_role("status")).to_contain_text("Corner Bakery is registered")
    checks.page(page, "shop-registered")

    officer = browser.new_page(viewport=PHONE)
    log_in(officer, live_asgi, council)
    officer.get_by_role("link", name="Council").click()
    officer.get_by_role("link", name="shops").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Shops waiting for verification")
    checks.page(officer, "council-shops")
    officer.get_by_role("button", name="Reject Corner Bakery").click()
    expect(officer.get_by_role("status")).to_contain_text("Give a reason")
    officer.get_by_role("button", name="Verify Corner Bakery").click()
    expect(officer.get_by_role("status")).to_contain_text("Corner Bakery: verified.")
    checks.page(officer, "council-shops-empty")
    officer.close()

    page.reload()
    expect(page.get_by_text(re.compile("Waiting for the council"))).to_have_count(0)
