"""A sponsor pays through the page with Stripe.js (localstripe's stand-in) and sees the
receipt fill in when Stripe's webhook reaches the server."""

from typing import Any

from playwright.sync_api import Page, expect

from coins.models import Sponsorship
from coins.stripe_gateway import _client
from tests.conftest import localstripe_webhook, make_user
from tests.e2e.conftest import Checks
from tests.e2e.test_organiser_pages import log_in
from tests.marketplace.factories import make_group


def _card_that_asks_the_bank(settings: Any) -> None:
    """Every PaymentIntent starts with a card whose bank asks for 3-D Secure: localstripe's
    Stripe.js then shows its "Complete authentication" step, as a real bank would."""
    method = _client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000002760003184", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    settings.STRIPE_TEST_PAYMENT_METHOD = method.id


def test_a_sponsor_pays_a_group_by_card_and_sees_the_receipt(
    page: Page, live_asgi: str, checks: Checks, settings: Any, stripe_keys: str
) -> None:
    localstripe_webhook(stripe_keys, f"{live_asgi}/stripe/webhook/")
    _card_that_asks_the_bank(settings)
    group = make_group("Park Friends")
    sponsor = make_user("sponsor@example.org", display_name="Priya")

    log_in(page, live_asgi, sponsor.email)
    page.goto(f"{live_asgi}/sponsor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sponsor volunteering")
    page.get_by_label("Who to sponsor").select_option(label=group.name)
    page.get_by_label("Amount in pounds").fill("twenty")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter an amount in pounds")
    checks.page(page, "sponsor-errors")

    page.get_by_label("Amount in pounds").fill("20")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay £20.00")
    pay = page.get_by_role("button", name="Pay £20.00")
    expect(pay).to_be_enabled()  # Stripe.js loaded and the element is mounted
    element = page.locator("[data-payment-element]")
    for field, value in [
        ("number", "4000002760003184"),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "AB1 2CD"),
    ]:
        element.get_by_placeholder(field).fill(value)
    checks.page(page, "sponsor-pay")
    pay.click()
    page.get_by_role("button", name="Complete authentication").click()

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
    checks.page(page, "sponsor-mine")
    localstripe_webhook(stripe_keys, f"{live_asgi}/stripe/webhook/", events=())
