"""A sponsor pays by typing a card into the pay page's card element (localstripe's
Stripe.js, launched by coins/localstripe_launch.py) and sees the receipt fill in when
Stripe's webhook reaches the server; a sponsor who leaves a payment unfinished cancels it
from their sponsorships."""

import re

from playwright.sync_api import Page, expect

from coins.models import Sponsorship
from tests.conftest import localstripe_webhook, make_user
from tests.e2e.conftest import Checks
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_group


def _type_card(page: Page, number: str) -> None:
    """localstripe's card element is five plain inputs in the page (no iframe), named by
    their placeholders; Stripe's real one is an iframe the sponsor types into the same way."""
    element = page.locator("[data-card-element]")
    for field, value in [
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "AB1 2CD"),
    ]:
        element.get_by_placeholder(field).fill(value)


def _start(page: Page, live_asgi: str, to: str, amount: str) -> None:
    page.goto(f"{live_asgi}/sponsor/")
    page.get_by_label("Who to sponsor").select_option(label=to)
    page.get_by_label("Amount in pounds").fill(amount)
    page.get_by_role("button", name="Continue to payment").click()


def test_a_sponsor_pays_a_group_by_card_and_sees_the_receipt(
    page: Page, live_asgi: str, checks: Checks, stripe_keys: str
) -> None:
    localstripe_webhook(stripe_keys, f"{live_asgi}/stripe/webhook/")
    group = make_group("Park Friends")
    sponsor = make_user("sponsor-pays@example.org", display_name="Priya")

    log_in(page, live_asgi, sponsor.email)
    page.goto(f"{live_asgi}/sponsor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sponsor volunteering")
    _start(page, live_asgi, group.name, "twenty")
    expect(page.get_by_role("alert")).to_contain_text("Enter an amount in pounds")
    checks.page(page, "sponsor-errors")

    page.get_by_label("Amount in pounds").fill("20")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay £20.00")
    pay = page.get_by_role("button", name="Pay £20.00")
    expect(pay).to_be_enabled()  # Stripe.js loaded and the card element is mounted
    pay.click()  # nothing typed yet: Stripe.js says so, and nothing is paid
    expect(page.locator("[data-pay-message]")).to_have_text("Your card number is incomplete.")
    _type_card(page, "4242424242424242")
    checks.page(page, "sponsor-pay")
    pay.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator("[data-status]")).to_have_text("Paid", timeout=15_000)
    expect(page.get_by_text("£20.00 to Park Friends.")).to_be_visible()
    checks.page(page, "sponsor-receipt")
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.status == Sponsorship.State.PAID
    sponsorship.account.refresh_from_db()
    assert sponsorship.account.balance == 2000

    page.get_by_role("link", name="My sponsorships").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sponsorships")
    expect(page.get_by_role("link", name="£20.00 to Park Friends")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Cancel this payment"))).to_have_count(0)
    checks.page(page, "sponsor-mine")
    localstripe_webhook(stripe_keys, f"{live_asgi}/stripe/webhook/", events=())


def test_a_card_whose_bank_asks_for_3d_secure_pays_once_authenticated(
    page: Page, live_asgi: str, stripe_keys: str
) -> None:
    localstripe_webhook(stripe_keys, f"{live_asgi}/stripe/webhook/")
    group = make_group("Bike Kitchen")
    sponsor = make_user("sponsor-3ds@example.org", display_name="Tomasz")
    log_in(page, live_asgi, sponsor.email)

    _start(page, live_asgi, group.name, "15")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay £15.00")
    _type_card(page, "4000002760003184")
    page.get_by_role("button", name="Pay £15.00").click()
    page.get_by_role("button", name="Complete authentication").click()

    expect(page.locator("[data-status]")).to_have_text("Paid", timeout=15_000)
    assert Sponsorship.objects.get().status == Sponsorship.State.PAID
    localstripe_webhook(stripe_keys, f"{live_asgi}/stripe/webhook/", events=())


def test_a_sponsor_cancels_a_payment_they_left_unfinished(
    page: Page, live_asgi: str, checks: Checks, stripe_keys: str
) -> None:
    group = make_group("River Clean")
    sponsor = make_user("sponsor-cancels@example.org", display_name="Amara")
    log_in(page, live_asgi, sponsor.email)
    _start(page, live_asgi, group.name, "30")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay £30.00")

    page.get_by_role("link", name="My sponsorships").click()  # leaves without paying
    expect(page.get_by_text("Not paid yet.")).to_be_visible()
    checks.page(page, "sponsor-mine-unfinished")
    page.get_by_role("button", name=re.compile("^Cancel this payment")).click()

    expect(page.get_by_role("status")).to_contain_text("cancelled. No money was taken.")
    expect(page.get_by_text("Not paid yet.")).to_have_count(0)
    checks.page(page, "sponsor-mine-cancelled")
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.status == Sponsorship.State.CANCELLED
    page.get_by_role("link", name="£30.00 to River Clean").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment cancelled")
